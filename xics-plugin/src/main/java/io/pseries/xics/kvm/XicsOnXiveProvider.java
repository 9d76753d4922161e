package io.pseries.xics.kvm;

import io.pseries.core.host.HostConfig;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceProvider;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmVm;

/** Registers {@code KVM_DEV_TYPE_XICS} (XICS-on-XIVE) with hosts that have it ({@code host.xicsOnXive}). */
public final class XicsOnXiveProvider implements KvmDeviceProvider {
    @Override
    public int type() {
        return KvmDeviceType.XICS;
    }

    @Override
    public boolean offeredBy(HostConfig host) {
        return host.xicsOnXive();
    }

    @Override
    public KvmDevice create(KvmVm vm) {
        return new XicsOnXiveDevice(vm);
    }
}
