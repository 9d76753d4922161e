package io.pseries.xics.kvm;

import io.pseries.xics.Ics;

/**
 * The user-space ABI of the XICS KVM device (Linux arch/powerpc/include/uapi/asm/kvm.h,
 * Documentation/virt/kvm/devices/xics.rst): groups, the 64-bit source state, the ICP register.
 */
public final class KvmXicsUapi {
    public static final long GRP_SOURCES = 1;
    public static final long GRP_CTRL = 2;
    public static final long CTRL_NR_SERVERS = 1;

    /** Source state: bits 0-31 destination server, 32-39 priority, then flags. */
    public static final long DESTINATION_MASK = 0xffff_ffffL;
    public static final int PRIORITY_SHIFT = 32;
    public static final long PRIORITY_MASK = 0xff;
    public static final long LEVEL_SENSITIVE = 1L << 40;
    public static final long MASKED = 1L << 41;
    public static final long PENDING = 1L << 42;
    public static final long PRESENTED = 1L << 43;
    public static final long QUEUED = 1L << 44;

    /** KVM_REG_PPC_ICP_STATE: KVM_REG_PPC | KVM_REG_SIZE_U64 | 0x8c. */
    public static final long REG_ICP_STATE = 0x1030_0000_0000_008cL;
    public static final int ICP_CPPR_SHIFT = 56;
    public static final int ICP_XISR_SHIFT = 32;
    public static final long ICP_XISR_MASK = 0xff_ffff;
    public static final int ICP_MFRR_SHIFT = 24;
    public static final int ICP_PPRI_SHIFT = 16;

    /** KVMPPC_XICS_FIRST_IRQ and KVMPPC_XICS_NR_IRQS. */
    public static final long FIRST_IRQ = 16;
    public static final long NR_IRQS = 1L << 20;
    /** KVM_CAP_IRQ_XICS. */
    public static final int CAP_IRQ_XICS = 92;
    public static final int KVM_MAX_VCPUS = 2048;

    private KvmXicsUapi() {
    }

    /**
     * Source {@code s} of {@code ics} as one GRP_SOURCES word: its server, its priority (the
     * saved one, MASKED when the current one differs), LEVEL_SENSITIVE, PENDING (an asserted LSI,
     * an MSI that arrived while masked), PRESENTED (sent) and QUEUED (rejected, to be resent).
     * The VMM writes it from its emulated ICS (ics_set_kvm_state_one), the kernel's XICS device
     * reads it out of its own.
     */
    static long sourceWord(Ics ics, int s) {
        long v = ics.server(s) & DESTINATION_MASK;
        v |= (long) (ics.savedPriority(s) & PRIORITY_MASK) << PRIORITY_SHIFT;
        if (ics.priority(s) != ics.savedPriority(s)) {
            v |= MASKED;
        }
        int st = ics.status(s);
        if (ics.isLsi(s)) {
            v |= LEVEL_SENSITIVE;
            if ((st & Ics.STATUS_ASSERTED) != 0) {
                v |= PENDING;
            }
        } else if ((st & Ics.STATUS_MASKED_PENDING) != 0) {
            v |= PENDING;
        }
        if ((st & Ics.STATUS_SENT) != 0) {
            v |= PRESENTED;
        }
        if ((st & Ics.STATUS_REJECTED) != 0) {
            v |= QUEUED;
        }
        return v;
    }

    public static String groupName(long group) {
        if (group == GRP_SOURCES) {
            return "SOURCES";
        }
        return group == GRP_CTRL ? "CTRL" : null;
    }
}
