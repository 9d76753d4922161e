package io.pseries.xics;

/**
 * The XICS decisions as pure functions over register values (QEMU hw/intc/xics.c, facts §7.4).
 * {@link Icp} and {@link Ics} apply them to their arrays; the tests check them by table.
 *
 * <p>Priorities are 0 (most favoured) to 0xFF (least; "masked"). An XIRR is
 * {@code CPPR << 24 | XISR}; XISR 0 means nothing is presented, 2 is the IPI.
 *
 * <p>Threading: stateless, callable from any thread.
 */
public final class XicsRules {
    public static final int XISR_MASK = 0x00FF_FFFF;
    public static final int CPPR_MASK = 0xFF00_0000;
    /** The XISR value of the inter-processor interrupt (XICS_IPI). */
    public static final int IPI = 2;
    /** XICS_IRQ_SPURIOUS: nothing presented. */
    public static final int SPURIOUS = 0;
    /** The least favoured priority; a source at this priority is masked. */
    public static final int LOWEST = 0xFF;

    private XicsRules() {
    }

    public static int cppr(int xirr) {
        return xirr >>> 24;
    }

    public static int xisr(int xirr) {
        return xirr & XISR_MASK;
    }

    public static int withCppr(int xirr, int cppr) {
        return (xirr & ~CPPR_MASK) | ((cppr & 0xFF) << 24);
    }

    public static int withXisr(int xirr, int nr) {
        return (xirr & ~XISR_MASK) | (nr & XISR_MASK);
    }

    // ------------------------------------------------------------------ presenter (ICP)

    /**
     * icp_irq: whether a source offered at {@code prio} is presented. It is rejected when it is
     * not more favoured than the CPPR, or when something at least as favoured is already in XISR.
     */
    public static boolean presents(int xirr, int pending, int prio) {
        return prio < cppr(xirr) && (xisr(xirr) == 0 || prio < pending);
    }

    /** icp_set_mfrr / icp_resend: whether the MFRR is favoured enough to run check_ipi. */
    public static boolean ipiSignalled(int xirr, int mfrr) {
        return mfrr < cppr(xirr);
    }

    /**
     * icp_check_ipi: whether the IPI takes XISR. An occupied XISR keeps its interrupt when its
     * pending priority is at least as favoured as the MFRR.
     */
    public static boolean ipiTakesXisr(int xirr, int pending, int mfrr) {
        return xisr(xirr) == 0 || mfrr < pending;
    }

    /**
     * icp_set_cppr, more favoured CPPR: whether the presented interrupt is withdrawn (XISR
     * cleared, the line lowered, the source rejected) because the new CPPR is at least as
     * favoured as its priority.
     */
    public static boolean cpprWithdraws(int oldCppr, int newCppr, int xirr, int pending) {
        return newCppr < oldCppr && xisr(xirr) != 0 && newCppr <= pending;
    }

    /** icp_set_cppr, equal or less favoured CPPR: whether an empty XISR asks for a resend. */
    public static boolean cpprResends(int oldCppr, int newCppr, int xirr) {
        return newCppr >= oldCppr && xisr(xirr) == 0;
    }

    /** icp_accept: the XIRR after the accept (CPPR = the pending priority, XISR empty). */
    public static int accepted(int pending) {
        return (pending & 0xFF) << 24;
    }

    /** icp_eoi: the XIRR after an EOI of {@code eoiXirr} (the CPPR comes from its top byte). */
    public static int afterEoi(int xirr, int eoiXirr) {
        return (xirr & ~CPPR_MASK) | (eoiXirr & CPPR_MASK);
    }

    // ------------------------------------------------------------------ source (ICS)

    /** ics_reject: an MSI remembers the rejection, an LSI becomes "not sent" again. */
    public static int rejected(int flags, int status) {
        if ((flags & Ics.FLAG_MSI) != 0) {
            return status | Ics.STATUS_REJECTED;
        }
        if ((flags & Ics.FLAG_LSI) != 0) {
            return status & ~Ics.STATUS_SENT;
        }
        return status;
    }

    /** ics_eoi: an LSI's SENT is cleared; an MSI keeps its status. */
    public static int eoied(int flags, int status) {
        return (flags & Ics.FLAG_LSI) != 0 ? status & ~Ics.STATUS_SENT : status;
    }

    /** ics_set_irq_lsi: the status after a level change (before the LSI resend). */
    public static int lsiLevel(int status, boolean level) {
        return level ? status | Ics.STATUS_ASSERTED : status & ~Ics.STATUS_ASSERTED;
    }

    /** ics_resend_lsi: whether an LSI is (re)sent: unmasked, asserted and not already sent. */
    public static boolean lsiFires(int priority, int status) {
        return priority != LOWEST && (status & Ics.STATUS_ASSERTED) != 0 && (status & Ics.STATUS_SENT) == 0;
    }

    /** ics_set_irq_msi: a trigger while masked (priority 0xFF) only sets MASKED_PENDING. */
    public static boolean msiTriggerPresents(int priority) {
        return priority != LOWEST;
    }

    /** ics_write_xive_msi: whether a masked-pending MSI is delivered by the new priority. */
    public static boolean msiUnmaskDelivers(int priority, int status) {
        return (status & Ics.STATUS_MASKED_PENDING) != 0 && priority != LOWEST;
    }

    /**
     * Whether QEMU's all-source ics_resend would act on this source: an MSI (or unallocated
     * source) with REJECTED set, or an LSI that {@link #lsiFires fires}. The ICS keeps exactly
     * these in its resend set, so a resend visits nothing else.
     */
    public static boolean resendCandidate(int flags, int status, int priority) {
        if ((flags & Ics.FLAG_LSI) != 0) {
            return lsiFires(priority, status);
        }
        return (status & Ics.STATUS_REJECTED) != 0;
    }
}
