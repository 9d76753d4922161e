package io.pseries.core.host;

/**
 * KVM device type numbers ({@code enum kvm_device_type} in Linux's uapi {@code linux/kvm.h}):
 * FSL_MPIC_20 = 1, FSL_MPIC_42 = 2, XICS = 3, VFIO = 4, ARM_VGIC_V2 = 5, FLIC = 6,
 * ARM_VGIC_V3 = 7, ARM_VGIC_ITS = 8, XIVE = 9, ARM_PV_TIME = 10.
 */
public final class KvmDeviceType {
    /** {@code KVM_DEV_TYPE_XICS}: on a POWER9 host, the XICS-on-XIVE device ("kvm-xive"). */
    public static final int XICS = 3;
    /** {@code KVM_DEV_TYPE_XIVE}: the native XIVE device ("kvm-xive-native"). */
    public static final int XIVE = 9;

    private KvmDeviceType() {
    }

    /** {@code "xics"}, {@code "xive"} or {@code "type N"}. */
    public static String name(int type) {
        return switch (type) {
            case XICS -> "xics";
            case XIVE -> "xive";
            default -> "type " + type;
        };
    }
}
