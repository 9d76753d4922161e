package io.pseries.core.cpu;

/**
 * A virtual POWER9 CPU (one thread) as the interrupt controllers see it: an identity, a
 * run state, and its two interrupt inputs.
 *
 * <ul>
 *   <li>{@link #index()}: position in the machine (cpu_index), 0-based.</li>
 *   <li>{@link #vcpuId()}: the id the guest sees ({@code ibm,ppc-interrupt-server#s}, the XIVE
 *       target, the XICS server); it equals the index with one thread per core and the default
 *       VSMT mode, as on QEMU with {@code -smp N}, and follows {@link CpuTopology} otherwise.</li>
 *   <li>The OS external-interrupt input (POWER9_INPUT_INT) and the hypervisor input
 *       (POWER9_INPUT_HINT), driven by the active interrupt controller.</li>
 * </ul>
 *
 * <p>A rising OS input is reported to the {@link Listener} (the guest model, which schedules
 * the exception) and traced as an {@code irq} event.
 */
public final class VCpu {

    /** Receives the CPU's input changes. */
    public interface Listener {
        void osInterruptChanged(VCpu cpu, boolean level);

        default void hvInterruptChanged(VCpu cpu, boolean level) {
        }
    }

    private final int index;
    private final int vcpuId;
    private boolean running;
    private boolean osIrq;
    private boolean hvIrq;
    private Listener listener;
    private long osRaises;

    public VCpu(int index, int vcpuId) {
        this.index = index;
        this.vcpuId = vcpuId;
    }

    public int index() {
        return index;
    }

    public int vcpuId() {
        return vcpuId;
    }

    /** Whether the CPU executes guest code (the boot CPU after reset, secondaries after start-cpu). */
    public boolean running() {
        return running;
    }

    public void setRunning(boolean running) {
        this.running = running;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    public boolean osInterrupt() {
        return osIrq;
    }

    public boolean hvInterrupt() {
        return hvIrq;
    }

    /** How many times the OS input went from low to high. */
    public long osInterruptRaises() {
        return osRaises;
    }

    public void setOsInterrupt(boolean level) {
        if (level == osIrq) {
            return;
        }
        osIrq = level;
        if (level) {
            osRaises++;
        }
        if (listener != null) {
            listener.osInterruptChanged(this, level);
        }
    }

    public void setHvInterrupt(boolean level) {
        if (level == hvIrq) {
            return;
        }
        hvIrq = level;
        if (listener != null) {
            listener.hvInterruptChanged(this, level);
        }
    }

    /** Restores the raise counter of a snapshot (the inputs themselves are re-derived). */
    public void restoreOsInterruptRaises(long raises) {
        osRaises = raises;
    }

    /** CPU reset: inputs low, stopped unless it is the boot CPU. */
    public void reset() {
        osIrq = false;
        hvIrq = false;
        running = index == 0;
    }

    @Override
    public String toString() {
        return "vCPU " + index;
    }
}
