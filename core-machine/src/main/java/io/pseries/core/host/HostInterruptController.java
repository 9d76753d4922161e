package io.pseries.core.host;

/**
 * The host's interrupt controller as the host kernel sees it through firmware (the POWER9
 * host XIVE behind OPAL): a pool of hardware interrupt numbers, each with its ESB pages at
 * host physical addresses and an EAS that routes it to a virtual processor (VP) at a priority
 * with event data. An interrupt-controller plugin implements it (core never names the class;
 * {@link HostInterruptControllerProvider} is found with {@link java.util.ServiceLoader}).
 *
 * <pre>
 *  allocIrq ─► hw (0 = none left)     irqInfo(hw) ─► trigger page, EOI page, ESB shift
 *  configureIrq(hw, vp, prio, data)   prio 0xFF masks the EAS
 *  esbLoad/esbStore(hw, offset)       the kernel's own ESB accesses (e.g. SET_PQ_01)
 * </pre>
 *
 * <p>KVM devices allocate their guest interrupts' backing ("generic IPIs") here. Host PCI
 * functions passed through to a guest (issue 10) will add their MSIs as further hardware
 * sources of this controller, whose pages a KVM device can insert in place of an IPI's.
 *
 * <p>Threading: the machine's thread only.
 */
public interface HostInterruptController {
    /** OPAL's "no such VP" answer to {@link #allocVpBlock}. */
    int INVALID_VP = -1;

    /** One hardware interrupt as {@code OPAL_XIVE_GET_IRQ_INFO} describes it. */
    record IrqInfo(int hw, long triggerPage, long eoiPage, int esbShift, boolean storeEoi, boolean lsi) {
    }

    /** Allocates a hardware interrupt from the IPI pool of any chip; 0 when the pool is exhausted. */
    int allocIrq();

    /**
     * Allocates IPI {@code hw} itself, as {@link #allocIrq} would a free one (a snapshot restore
     * re-making a host interrupt an AFU was given by its trigger page); false, changing nothing,
     * when it is taken or no IPI of the pool. False by default: the controller cannot.
     */
    default boolean allocIrqAt(int hw) {
        return false;
    }

    /**
     * The free IPIs of the pool below the highest allocated one, ascending: the holes frees left,
     * which {@link #allocIrq} hands out first (a checkpoint keeps them holes while the restored
     * devices allocate). Empty by default: the controller does not say.
     */
    default int[] holes() {
        return new int[0];
    }

    /** Returns a hardware interrupt to the pool (its EAS masked, PQ 01). Unknown numbers are ignored. */
    void freeIrq(int hw);

    /** The description of an allocated hardware interrupt, or {@code null}. */
    IrqInfo irqInfo(int hw);

    /**
     * Programs the EAS of {@code hw}: events go to {@code vp} at {@code priority} with
     * {@code data} as the event data; priority 0xFF masks it. Returns 0, or a negative OPAL
     * code ({@code OPAL_PARAMETER} -1) for an unknown interrupt, VP or priority.
     */
    int configureIrq(int hw, int vp, int priority, int data);

    /** A load from {@code hw}'s management page at {@code offset} (e.g. 0xD00 = SET_PQ_01); returns the loaded value. */
    long esbLoad(int hw, int offset);

    /** A store to {@code hw}'s trigger page (offset below 0x400 triggers) or management page. */
    void esbStore(int hw, boolean triggerPage, int offset, long value);

    /** Hardware interrupts currently allocated. */
    int allocatedIrqs();

    /** Allocates {@code count} consecutive VPs; the first, or {@link #INVALID_VP}. */
    int allocVpBlock(int count);

    /** Frees a VP block from {@link #allocVpBlock}. */
    void freeVpBlock(int base);

    // ------------------------------------------------------------------ device sources (pass-through)

    /**
     * A host PCI function's interrupt becomes a hardware source of this controller: a PHB MSI
     * ({@code lsi} false) or an LSI, off (PQ 01) and masked until a host driver requests it.
     */
    default void addHwSource(int hw, boolean lsi) {
    }

    /** The function is gone from its user: the source is masked and forgotten. */
    default void removeHwSource(int hw) {
    }

    /** Whether {@code hw} belongs to the PHB's PCI-MSI chip (the only kind KVM may bypass). */
    default boolean isPhbMsi(int hw) {
        return false;
    }

    /** {@code request_irq}: the host handler of {@code hw} (it runs when the source fires to the host); the source is enabled. */
    default void requestIrq(int hw, Runnable handler) {
    }

    /** {@code free_irq}: the handler goes and the source is masked (PQ 01). */
    default void freeHostIrq(int hw) {
    }

    /**
     * {@code irq_set_vcpu_affinity}: {@code forward} true hands {@code hw} to a guest (the host
     * stops EOIing it; it is left PQ 10, or 11 when it was pending); false gives it back to the
     * host handler. Returns 0 or a negative errno.
     */
    default int setVcpuAffinity(int hw, boolean forward) {
        return -io.pseries.core.host.Errno.ENOENT.number();
    }

    /**
     * Where a source handed to a guest delivers when the guest's presenter is not a XIVE thread
     * context (the in-kernel XICS of a POWER9 host: its EAS targets the vCPU's queue, which the
     * kernel's H_XIRR reads): {@code sink} runs for each event the source sends (its PQ gates
     * them as for any source); {@code null} goes back to routing by the EAS.
     */
    default void setGuestSink(int hw, Runnable sink) {
    }

    /**
     * An OpenCAPI AFU interrupt (a generic IPI the host's ocxl driver requested) may be handed to
     * a guest like a device source ({@link #setVcpuAffinity}); it stays out of
     * {@link #isPhbMsi}, so irqbypass never links it.
     */
    default void markAfuIrq(int hw) {
    }

    /**
     * The routing word (the EAS) of device source {@code hw} as this controller keeps it, 0 when
     * {@code hw} is no device source: a host-group checkpoint records it (KVM's set_mapped writes
     * it, and the guest's source configuration afterwards, so it carries history a restore's
     * own linking does not make again).
     */
    default long deviceSourceRouting(int hw) {
        return 0;
    }

    /**
     * A host-group checkpoint's restore: device source {@code hw} routes as the recorded word
     * says ({@link #deviceSourceRouting}); false, changing nothing, when {@code hw} is no device
     * source here.
     */
    default boolean restoreDeviceSourceRouting(int hw, long word) {
        return word == 0;
    }

    /**
     * The state byte (PQ, asserted) of device source {@code hw}, 0 when {@code hw} is no device
     * source: a host-group checkpoint records it (an occurrence latched in Q while the guest had
     * not EOId yet is the host source's alone).
     */
    default int deviceSourceStatus(int hw) {
        return 0;
    }

    /** A host-group checkpoint's restore: device source {@code hw}'s state byte as recorded; false when it is none. */
    default boolean restoreDeviceSourceStatus(int hw, int status) {
        return status == 0;
    }

    /** The device signals {@code hw}: an MSI write reaching the source's trigger. */
    default void deviceTrigger(int hw) {
    }
}
