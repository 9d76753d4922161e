package io.pseries.core.host;

/**
 * Registers one KVM device type with the simulated host kernel ({@code kvm_register_device_ops});
 * found with {@link java.util.ServiceLoader}, so core never names a device class.
 */
public interface KvmDeviceProvider {
    /** The {@link KvmDeviceType} number. */
    int type();

    /** Whether a host with this configuration registers the type (e.g. XIVE needs {@code host.xive}). */
    boolean offeredBy(HostConfig host);

    /**
     * The per-VM pointer the device occupies: both POWER9 interrupt devices use
     * {@code kvm->arch.xive}, so a VM holds at most one of them (create answers EEXIST).
     */
    default String vmSlot() {
        return "kvm->arch.xive";
    }

    /** Creates the device for {@code vm}; throws {@link KvmException} with the kernel's errno when create fails. */
    KvmDevice create(KvmVm vm);
}
