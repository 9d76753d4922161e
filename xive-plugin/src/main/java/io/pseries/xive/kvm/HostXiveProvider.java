package io.pseries.xive.kvm;

import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.HostInterruptControllerProvider;
import io.pseries.core.host.KvmVm;

/** Provides the POWER9 host XIVE ({@link HostXive}) to the simulated host. */
public final class HostXiveProvider implements HostInterruptControllerProvider {
    @Override
    public HostInterruptController create(KvmVm vm) {
        return new HostXive(vm);
    }
}
