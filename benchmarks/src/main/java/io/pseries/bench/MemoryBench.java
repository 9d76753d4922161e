package io.pseries.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.sun.management.HotSpotDiagnosticMXBean;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;

/**
 * B5: the heap a machine keeps, per vCPU and per configured interrupt number, and the time to
 * build the B5 machine (4096 vCPUs, 2^20 interrupt numbers). A workload benchmark, not JMH: each
 * figure is the retained heap (after full collections, with the machine still referenced)
 * of machines that differ in one dimension only, so the difference divided by the difference in
 * count is the cost of one more vCPU or one more interrupt number; guest RAM is sparse and holds
 * no event-queue pages here (none is configured), as performance.md asks. Each measurement is
 * repeated {@code rounds} times and the median is printed, with min and max.
 *
 * <pre>
 *  per vCPU     cpus 1024 vs 4096, nrIrqs default (0x2000)      goal <= 512 B
 *               (xive-queues: after CAS, every vCPU's priority-6 queue configured, as Linux leaves it)
 *  per source   nrIrqs 2^16 vs 2^20, 4 vCPUs                     goal <= 12 B
 *  build        Machine.create(cpus 4096, nrIrqs 2^20)           goal <= 100 ms
 * </pre>
 *
 * Run with a serial collector that compacts fully: {@code benchmarks/memory.sh}. The serial
 * collector's full collection may leave dead objects where they lie, as filler, when the dead space
 * in a region is below {@code -XX:MarkSweepDeadRatio} (5 % by default); that space still counts as
 * used, so a dropped machine could read as kept and a kept one as nothing. Both mains refuse to run
 * unless that ratio is 0 ({@link #requireExactHeap}).
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    /** The machine being measured, in a static field so that no compiler can find it unreachable. */
    private static volatile Machine held;

    private static long used() {
        var mx = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            long u = mx.getHeapMemoryUsage().getUsed();
            if (Math.abs(u - last) < 1024) {
                return u;
            }
            last = u;
        }
        return last;
    }

    /**
     * Exits with a message unless the collector is the serial one and every full collection
     * compacts everything ({@code -XX:MarkSweepDeadRatio=0}), so that the used heap after
     * {@code System.gc()} is exactly what is reachable.
     */
    static void requireExactHeap(String who) {
        var hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String serial = hs.getVMOption("UseSerialGC").getValue();
        String dead = hs.getVMOption("MarkSweepDeadRatio").getValue();
        if (!"true".equals(serial) || !"0".equals(dead)) {
            System.err.println(who + ": needs -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0 (have UseSerialGC="
                + serial + ", MarkSweepDeadRatio=" + dead + "): otherwise a full collection may leave dead"
                + " objects in place and the used heap is not what a machine keeps; run it with benchmarks/memory.sh");
            System.exit(2);
        }
    }

    private static Machine build(String mode, int cpus, int nrIrqs) {
        boolean configured = mode.endsWith("-queues");
        String ic = configured ? mode.substring(0, mode.length() - "-queues".length()) : mode;
        MachineConfig.Builder b = MachineConfig.builder().cpus(cpus).icMode(ic);
        if (nrIrqs > 0) {
            b.nrIrqs(nrIrqs);
        }
        Machine m = Machine.create(b.build());
        if (configured) {
            // what a booted Linux leaves: every vCPU's priority-6 queue configured (the pages are
            // guest RAM, never written here, so they cost nothing on the heap)
            m.cas(GuestOv5.linuxVector(0x40));
            long qpages = m.memory().alloc((long) cpus << 12, 1 << 16);
            for (int c = 0; c < cpus; c++) {
                long rc = m.hcall(c, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, c, 6, qpages + ((long) c << 12), 12).rc();
                if (rc != PaprRc.H_SUCCESS) {
                    throw new IllegalStateException("B5 set-up: H_INT_SET_QUEUE_CONFIG answered " + rc);
                }
            }
        }
        return m;
    }

    /**
     * The heap one machine keeps: used with it referenced, minus used once it is dropped and a
     * 1-vCPU machine was built after it (so that whatever the last machine built is remembered
     * by is released too; that machine's size cancels out of every difference below).
     */
    static long size(String mode, int cpus, int nrIrqs) {
        held = build(mode, cpus, nrIrqs);
        long with = used();
        held = null;
        held = build(mode, 1, 0);
        long without = used();
        if (Boolean.getBoolean("b5.verbose")) {
            System.out.printf(Locale.ROOT, "  %s cpus %d irqs %d: %d B%n", mode, cpus, nrIrqs, with - without);
        }
        return with - without;
    }

    /** Retained bytes of machine(a) minus machine(b). */
    private static long delta(String mode, int cpusA, int irqsA, int cpusB, int irqsB) {
        return size(mode, cpusA, irqsA) - size(mode, cpusB, irqsB);
    }

    private static String stats(double[] v, String unit) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "median_%s=%.1f min_%s=%.1f max_%s=%.1f samples=%d", unit, s[s.length / 2], unit, s[0],
            unit, s[s.length - 1], s.length);
    }

    public static void main(String[] args) {
        requireExactHeap("MemoryBench");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (String mode : List.of("xive", "xive-queues", "xics")) {
            double[] perCpu = new double[rounds];
            double[] perIrq = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                perCpu[r] = delta(mode, 4096, 0, 1024, 0) / 3072.0;
                perIrq[r] = delta(mode, 4, 1 << 20, 4, 1 << 16) / (double) ((1 << 20) - (1 << 16));
            }
            System.out.println("BENCH B5 " + mode + " per_vcpu " + stats(perCpu, "B") + " goal_B=512");
            System.out.println("BENCH B5 " + mode + " per_irq " + stats(perIrq, "B") + " goal_B=12");
        }
        for (String mode : List.of("xive", "xics")) {
            build(mode, 4096, 1 << 20);                       // warm-up
            double[] ms = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                Machine m = build(mode, 4096, 1 << 20);
                ms[r] = (System.nanoTime() - t0) / 1e6;
                if (m.cpus().size() != 4096) {
                    throw new AssertionError("built " + m.cpus().size() + " vCPUs");
                }
            }
            System.out.println("BENCH B5 " + mode + " build_4096_cpus_1M_irqs " + stats(ms, "ms") + " goal_ms=100");
        }
    }
}
