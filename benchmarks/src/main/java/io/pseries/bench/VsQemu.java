package io.pseries.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The side-by-side of performance.md: QEMU 7.2 TCG running the bare-metal payload's self-IPI
 * loops, and this model doing the same guest operations, interleaved (A B A B) round by round.
 *
 * <p>One round, in this order:
 * <ol>
 *   <li>QEMU, {@code ic-mode=xive}: the payload's 1,000,000-interrupt XIVE loop (ESB trigger
 *       store, TIMA ACK load, EQ read, ESB EOI load, CPPR store), host time between its T0/T1 lines;</li>
 *   <li>ours, B1 {@code mmio} (JMH, one fork): the same five guest accesses through the machine's guest ABI;</li>
 *   <li>ours, the payload itself on this machine's interpreting vCPU (B10), XIVE;</li>
 *   <li>QEMU, {@code ic-mode=xics}: the payload's XICS loop (H_IPI, H_XIRR, H_IPI 0xff, H_EOI);</li>
 *   <li>ours, B3 {@code selfIpi} (JMH, one fork): the same four hcalls through the guest ABI;</li>
 *   <li>ours, the payload on the interpreter, XICS.</li>
 * </ol>
 * The JMH runs use {@code -prof gc}, so each figure also reports its allocation per op.
 *
 * <p>Usage: {@code VsQemu ELF QEMU [ROUNDS]}. Prints one {@code BENCH VSQEMU ...} line per figure:
 * medians over the rounds with min and max, QEMU's time per interrupt over ours, and the load
 * average before and after, on two clocks: {@code wall} (host time; what a user waits) and
 * {@code cpu} (CPU time used: this model's benchmark or vCPU thread, QEMU's whole process from
 * /proc), the fairer one when other work shares the cores. Same host, same window, interleaved.
 */
public final class VsQemu {
    private VsQemu() {
    }

    /** A JMH figure of one benchmark method: median, min and max ns/op over its iterations, and B/op. */
    record Jmh(double medianNs, double minNs, double maxNs, double cpuNs, double allocBytesPerOp) {
    }

    static Jmh jmh(String method) throws Exception {
        Path log = Files.createTempFile("pseries-vsqemu-jmh", ".log");
        try {
            Options o = new OptionsBuilder().include(method.replace(".", "\\.") + "$")
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class).addProfiler(CpuTimeProfiler.class)
                .jvmArgsAppend("--sun-misc-unsafe-memory-access=allow").output(log.toString()).build();
            Collection<RunResult> rr = new Runner(o).run();
            if (rr.size() != 1) {
                throw new IllegalStateException("JMH ran " + rr.size() + " benchmarks for " + method + " (see " + log + ")");
            }
            RunResult r = rr.iterator().next();
            var stats = r.getPrimaryResult().getStatistics();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            Result<?> cpu = r.getSecondaryResults().get("cpu.time.norm");
            return new Jmh(stats.getPercentile(50), stats.getMin(), stats.getMax(), cpu == null ? Double.NaN : cpu.getScore(),
                alloc == null ? Double.NaN : alloc.getScore());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "NA";
        }
    }

    static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: VsQemu ELF QEMU [ROUNDS]");
            System.exit(2);
        }
        Path elf = Path.of(args[0]);
        String qemu = args[1];
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        byte[] image = Files.readAllBytes(elf);
        String loadBefore = load();

        Map<String, List<Double>> ns = new LinkedHashMap<>();
        Map<String, List<Double>> alloc = new LinkedHashMap<>();
        Map<String, List<Double>> ratio = new LinkedHashMap<>();
        // mode, the JMH method doing the same guest operations, the figure's name, whether the
        // payload on our interpreter (B10) runs beside it (once per mode and round)
        String[][] figures = {
            {"xive", XiveEndToEndBench.class.getName() + ".mmio", "B1_mmio_vs_qemu_xive", "b10"},
            {"xive", XiveEndToEndBench.class.getName() + ".port", "B1_port_vs_qemu_xive", ""},
            {"xics", XicsEndToEndBench.class.getName() + ".selfIpi", "B3_selfIpi_vs_qemu_xics", "b10"},
        };
        for (String[] f : figures) {
            if (!f[3].isEmpty()) {
                PayloadBench.ours(image, f[0]); // the interpreter's JIT warm-up, not counted
            }
        }
        for (int round = 1; round <= rounds; round++) {
            for (String[] f : figures) {
                String mode = f[0];
                PayloadBench.Stamps qs = PayloadBench.qemu(qemu, elf, mode);
                Jmh j = jmh(f[1]);
                boolean withPayload = !f[3].isEmpty();
                PayloadBench.Stamps ps = withPayload ? PayloadBench.ours(image, mode) : null;
                double q = 1e9 / qs.rate();
                double qCpu = 1e9 / qs.cpuRate();
                double p = withPayload ? 1e9 / ps.rate() : Double.NaN;
                double pCpu = withPayload ? 1e9 / ps.cpuRate() : Double.NaN;
                System.out.printf("round %d %s: qemu-7.2-tcg %.1f ns/irq (cpu %.1f), %s %.2f ns/op (min %.2f max %.2f, cpu %.2f,"
                    + " %.4f B/op), payload on the interpreter %.1f ns/irq (cpu %.1f) (load %s)%n",
                    round, mode, q, qCpu, f[2], j.medianNs, j.minNs, j.maxNs, j.cpuNs, j.allocBytesPerOp, p, pCpu, load());
                add(ns, mode + " qemu", q);
                add(ns, mode + " qemu cpu", qCpu);
                add(ns, f[2], j.medianNs);
                add(ns, f[2] + " cpu", j.cpuNs);
                add(alloc, f[2], j.allocBytesPerOp);
                add(ratio, f[2], q / j.medianNs);
                add(ratio, f[2] + " cpu", qCpu / j.cpuNs);
                if (!withPayload) {
                    continue;
                }
                String b10 = "B10_payload_" + mode + "_vs_qemu";
                add(ns, b10, p);
                add(ns, b10 + " cpu", pCpu);
                add(ratio, b10, q / p);
                add(ratio, b10 + " cpu", qCpu / pCpu);
            }
        }
        String loadAfter = load();
        for (String[] f : figures) {
            for (String fig : f[3].isEmpty() ? List.of(f[2]) : List.of(f[2], "B10_payload_" + f[0] + "_vs_qemu")) {
                List<Double> a = alloc.get(fig);
                System.out.printf("BENCH VSQEMU %s %s %s%s rounds=%d load=%s-%s%n", fig,
                    figure("wall", ns.get(fig), ns.get(f[0] + " qemu"), ratio.get(fig)),
                    figure("cpu", ns.get(fig + " cpu"), ns.get(f[0] + " qemu cpu"), ratio.get(fig + " cpu")),
                    a == null ? "" : String.format(" p_gc_alloc_B_per_op=%.4f goal_ratio=40", PayloadBench.median(a)),
                    rounds, loadBefore, loadAfter);
            }
        }
    }

    private static void add(Map<String, List<Double>> m, String key, double v) {
        m.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }

    /** One clock's part of a figure line: ours and QEMU's ns per interrupt and the ratio, each median (min-max). */
    private static String figure(String clock, List<Double> ours, List<Double> qemu, List<Double> ratio) {
        return String.format("%s_pseries_ns=%.2f(%.2f-%.2f) %s_qemu_tcg_ns=%.1f(%.1f-%.1f) %s_ratio=%.2f(%.2f-%.2f)",
            clock, PayloadBench.median(ours), min(ours), max(ours), clock, PayloadBench.median(qemu), min(qemu), max(qemu),
            clock, PayloadBench.median(ratio), min(ratio), max(ratio));
    }
}
