package io.pseries.xive.kvm;

import io.pseries.core.host.HostConfig;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceProvider;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmVm;

/** Registers {@code KVM_DEV_TYPE_XIVE} with hosts that have it ({@code host.xive}). */
public final class XiveNativeProvider implements KvmDeviceProvider {
    @Override
    public int type() {
        return KvmDeviceType.XIVE;
    }

    @Override
    public boolean offeredBy(HostConfig host) {
        return host.xive();
    }

    @Override
    public KvmDevice create(KvmVm vm) {
        return new XiveNativeDevice(vm);
    }
}
