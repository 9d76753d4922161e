package io.pseries.core.guest;

/**
 * The interrupt-controller driver of the Linux-like guest (Linux's xive/spapr.c + common.c,
 * or xics/icp-hv.c + ics-rtas.c). Plugins provide one per controller. Every method issues the
 * same hcalls, RTAS calls and MMIO accesses, in the same order, as the Linux driver, through
 * {@link GuestOs}, which charges their virtual cost and traces them.
 */
public interface GuestIrqDriver {
    /** {@code "xive"} or {@code "xics"}: the mode the guest runs in. */
    String name();

    /** Controller discovery and the boot CPU's set-up, including its IPI. */
    void initBootCpu();

    /** Work done on the boot CPU before a secondary is started (its queue, its IPI). */
    void prepareCpu(int cpu);

    /** Work the secondary does on itself once started (CPPR). */
    void setupCpu(int cpu);

    /**
     * The domain's map step (irq_create_mapping, before anyone requests the interrupt): what the
     * driver asks the controller about a number and the state it leaves it in (masked).
     */
    void map(IrqDesc desc);

    /**
     * An affinity mask set on a started interrupt (a driver's hint): returns the CPU it now
     * targets, or -1 when the driver leaves it where it is.
     */
    int affinityMask(IrqDesc desc, java.util.BitSet cpus);

    /** The CPU a device interrupt should target when it is started. */
    int pickTarget(IrqDesc desc);

    /** Routes and unmasks a mapped device interrupt (request_irq). */
    void startup(IrqDesc desc);

    /** Masks and unroutes a device interrupt (free_irq). */
    void shutdown(IrqDesc desc);

    /** Moves a started interrupt to another CPU (irq affinity). */
    void setAffinity(IrqDesc desc, int cpu);

    /** Sends an IPI from one CPU to another. */
    void sendIpi(int from, int to);

    /** The external-interrupt exception on {@code cpu}: fetch, handle and EOI what is pending. */
    void handleException(int cpu);

    /**
     * What the driver's debug file shows for one mapped device interrupt, read back from the
     * controller (Linux's XIVE debugfs {@code interrupts} file asks the hypervisor for the
     * source's configuration and reads its ESB state); {@code null} when the driver has no such
     * file (XICS).
     */
    default String debugLine(IrqDesc desc) {
        return null;
    }

    /**
     * The guest physical address of the one store that sends {@code to} its IPI (XIVE: the IPI
     * source's ESB trigger page), which a parallel IPI run forwards to the domain owning {@code to};
     * -1 when the IPI is not one MMIO store (XICS: H_IPI is an hcall).
     */
    default long ipiTrigger(int to) {
        return -1;
    }

    /**
     * The guest physical address of {@code cpu}'s event queue, or -1: a parallel IPI run faults its
     * RAM page in before the host threads start (the lazily filled page table is shared).
     */
    default long queuePage(int cpu) {
        return -1;
    }
}
