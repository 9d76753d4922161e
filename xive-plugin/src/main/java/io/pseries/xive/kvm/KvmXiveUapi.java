package io.pseries.xive.kvm;

/**
 * The user-space ABI of the native XIVE KVM device (Linux arch/powerpc/include/uapi/asm/kvm.h
 * and Documentation/virt/kvm/devices/xive.rst): attribute groups and attributes, the bit
 * layout of their 64-bit values, the mmap page offsets and the vCPU register.
 */
public final class KvmXiveUapi {
    public static final long GRP_CTRL = 1;
    public static final long GRP_SOURCE = 2;
    public static final long GRP_SOURCE_CONFIG = 3;
    public static final long GRP_EQ_CONFIG = 4;
    public static final long GRP_SOURCE_SYNC = 5;

    public static final long CTRL_RESET = 1;
    public static final long CTRL_EQ_SYNC = 2;
    public static final long CTRL_NR_SERVERS = 3;

    /** GRP_SOURCE value bits. */
    public static final long LEVEL_SENSITIVE = 1L << 0;
    public static final long LEVEL_ASSERTED = 1L << 1;

    /** GRP_SOURCE_CONFIG value fields. */
    public static final long SOURCE_PRIORITY_MASK = 0x7L;
    public static final long SOURCE_SERVER_MASK = 0xffff_fff8L;
    public static final long SOURCE_MASKED_MASK = 0x1_0000_0000L;
    public static final long SOURCE_EISN_MASK = 0xffff_fffe_0000_0000L;

    /** GRP_EQ_CONFIG attribute (the EQ identifier) fields. */
    public static final long EQ_PRIORITY_MASK = 0x7L;
    public static final long EQ_SERVER_MASK = 0xffff_fff8L;
    /** {@code struct kvm_ppc_xive_eq} flags. */
    public static final long EQ_ALWAYS_NOTIFY = 1;
    /** Words of {@code struct kvm_ppc_xive_eq} as this model passes it: flags, qshift, qaddr, qtoggle, qindex. */
    public static final int EQ_WORDS = 5;

    public static final long TIMA_PAGE_OFFSET = 0;
    public static final long ESB_PAGE_OFFSET = 4;
    /** KVMPPC_XIVE_NR_IRQS = (KVMPPC_XICS_MAX_ICS_ID + 1) * KVMPPC_XICS_IRQ_PER_ICS. */
    public static final long NR_IRQS = 1L << 20;
    /** Sources per block (KVMPPC_XICS_IRQ_PER_ICS). */
    public static final int IRQ_PER_BLOCK = 1 << 10;

    /** KVM_REG_PPC_VP_STATE: KVM_REG_PPC | KVM_REG_SIZE_U128 | 0x8d. */
    public static final long REG_VP_STATE = 0x1040_0000_0000_008dL;
    /** KVM_CAP_PPC_IRQ_XIVE. */
    public static final int CAP_PPC_IRQ_XIVE = 169;
    /** KVM_MAX_VCPUS of a powerpc kernel built with NR_CPUS = 2048: the default VP block size. */
    public static final int KVM_MAX_VCPUS = 2048;
    /** KVM_MAX_VCPU_IDS on powerpc: MAX_SMT_THREADS (8) * KVM_MAX_VCORES (NR_CPUS). */
    public static final int KVM_MAX_VCPU_IDS = 8 * KVM_MAX_VCPUS;
    /** The guest priority that means "masked". */
    public static final int MASKED = 0xff;

    private KvmXiveUapi() {
    }

    /** {@code xive_prio_from_guest}: 0..5 and 0xFF stay, anything else becomes 6. */
    public static int prioFromGuest(int prio) {
        return prio == MASKED || prio < 6 ? prio : 6;
    }

    /** The kernel's name for a group number, or {@code null}. */
    public static String groupName(long group) {
        if (group < 1 || group > 5) {
            return null;
        }
        return switch ((int) group) {
            case 1 -> "CTRL";
            case 2 -> "SOURCE";
            case 3 -> "SOURCE_CONFIG";
            case 4 -> "EQ_CONFIG";
            case 5 -> "SOURCE_SYNC";
            default -> null;
        };
    }
}
