package io.pseries.core.guest;

/**
 * The guest kernel's view of one interrupt (Linux's irq_desc + irq_data, reduced): the
 * hardware number, the kernel's virtual number, its kind, the CPU it targets, and a slot for
 * the driver's per-interrupt data (ESB page addresses, for instance).
 */
public final class IrqDesc {
    private final int hwirq;
    private final int virq;
    private final boolean lsi;
    private final boolean ipi;
    private String name;
    private int target = -1;
    private boolean started;
    private Object driverData;

    public IrqDesc(int hwirq, int virq, boolean lsi, boolean ipi, String name) {
        this.hwirq = hwirq;
        this.virq = virq;
        this.lsi = lsi;
        this.ipi = ipi;
        this.name = name;
    }

    /** The hardware interrupt number: a LISN under XIVE, a source number under XICS. */
    public int hwirq() {
        return hwirq;
    }

    /** The kernel's interrupt number (what XIVE carries as EISN). */
    public int virq() {
        return virq;
    }

    public boolean lsi() {
        return lsi;
    }

    public boolean ipi() {
        return ipi;
    }

    /** The name the kernel shows for it: the action of whoever requested it, until then the mapper's. */
    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** The vCPU this interrupt is routed to, or -1 before start-up. */
    public int target() {
        return target;
    }

    public void setTarget(int cpu) {
        this.target = cpu;
    }

    public boolean started() {
        return started;
    }

    public void setStarted(boolean s) {
        this.started = s;
    }

    @SuppressWarnings("unchecked")
    public <T> T driverData() {
        return (T) driverData;
    }

    public void setDriverData(Object o) {
        this.driverData = o;
    }
}
