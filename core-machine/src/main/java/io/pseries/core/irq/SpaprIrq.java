package io.pseries.core.irq;

/**
 * The sPAPR interrupt number space, laid out exactly as QEMU's pseries machine does
 * (include/hw/ppc/spapr_irq.h): IPIs below 0x1000 (XIVE only), then the "XIRQ" range of
 * 0x1000 numbers shared by both controllers.
 */
public final class SpaprIrq {
    /** First IPI LISN (XIVE only; XICS has no IPI sources, it uses the ICP's MFRR). */
    public static final int IPI = 0x0;
    public static final int NR_IPIS = 0x1000;
    /** Base of the device interrupt range (= XICS ICS offset). */
    public static final int XIRQ_BASE = 0x1000;
    public static final int NR_XIRQS = 0x1000;
    /** RTAS EPOW event source. */
    public static final int EPOW = 0x1000;
    /** RTAS hot-plug event source. */
    public static final int HOTPLUG = 0x1001;
    /** First VIO device interrupt (256 of them). */
    public static final int VIO = 0x1100;
    /** First PHB LSI (4 pins per PHB). */
    public static final int PCI_LSI = 0x1200;
    /** Start of the dynamically allocated MSI range. */
    public static final int MSI = 0x1300;
    public static final int NR_MSIS = XIRQ_BASE + NR_XIRQS - MSI;
    /** Total interrupt numbers a XIVE controller serves (IPIs + device range). */
    public static final int XIVE_NR_IRQS = NR_IPIS + NR_XIRQS;
    /** The interrupt-controller phandle QEMU uses (PHANDLE_INTC). */
    public static final int PHANDLE_INTC = 0x1111;

    private SpaprIrq() {
    }

    /** Whether a number lies in the default claimable device range [0x1000, 0x2000). */
    public static boolean isXirq(long irq) {
        return irq >= XIRQ_BASE && irq < XIRQ_BASE + NR_XIRQS;
    }

    /** Device ("XIRQ") numbers of a machine with {@code nrIrqs} interrupt numbers (QEMU's nr_xirqs). */
    public static int nrXirqs(int nrIrqs) {
        return nrIrqs - XIRQ_BASE;
    }

    /**
     * MSI numbers of a machine with {@code nrIrqs} interrupt numbers: QEMU's spapr_irq_nr_msis,
     * SPAPR_XIRQ_BASE + nr_xirqs - SPAPR_IRQ_MSI (also the PHB's {@code ibm,pe-total-#msi}).
     */
    public static int nrMsis(int nrIrqs) {
        return nrIrqs - MSI;
    }
}
