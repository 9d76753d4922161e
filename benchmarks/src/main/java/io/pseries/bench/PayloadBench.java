package io.pseries.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;

/**
 * B10: the bare-metal payload's self-IPI loops (qemu-selftest: XIVE through ESB/TIMA MMIO, XICS
 * through 4 hcalls) interpreted on this machine, next to QEMU 7.2 TCG running the same binary,
 * interleaved run by run when {@code qemu-system-ppc64} is installed.
 *
 * <p>The figure is wall-clock: completed self-IPIs per second of host time between the guest's
 * {@code T0 n=1000000} and {@code T1 n=1000000} console lines, timestamped as they are written
 * (ours: the console listener; QEMU: as its stdout delivers them), as the payload's own run.sh
 * measures QEMU. The guest's own timebase figures are virtual time here and are not used.
 *
 * <p>Usage: {@code PayloadBench ELF RUNS [qemu-system-ppc64 path or "none"]}. Prints one
 * {@code BENCH B10 ...} line per mode and engine with the median over runs.
 */
public final class PayloadBench {
    private static final long N = 1_000_000;
    private static final String T0 = "T0 n=" + N;
    private static final String T1 = "T1 n=" + N;

    private PayloadBench() {
    }

    /** Host seconds between the T0 and T1 lines of the n = 1,000,000 loop in one stream of lines. */
    static final class Stamps {
        private final LongSupplier clock = System::nanoTime;
        private final LongSupplier cpuClock;
        private final StringBuilder line = new StringBuilder();
        long t0 = -1;
        long t1 = -1;
        long c0 = -1;
        long c1 = -1;

        Stamps(LongSupplier cpuClock) {
            this.cpuClock = cpuClock;
        }

        void onChar(int b) {
            if (b == '\n') {
                onLine(line.toString().replace("\r", ""));
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }

        void onLine(String l) {
            // the first T0/T1 pair for n = 1e6 is the self-IPI loop; the baseline's comes after it
            if (l.equals(T0) && t0 < 0) {
                t0 = clock.getAsLong();
                c0 = cpuClock.getAsLong();
            } else if (l.equals(T1) && t1 < 0 && t0 >= 0) {
                t1 = clock.getAsLong();
                c1 = cpuClock.getAsLong();
            }
        }

        double rate() {
            return t0 < 0 || t1 < 0 ? Double.NaN : N / ((t1 - t0) / 1e9);
        }

        /** Per second of CPU time the engine used (fairer than wall time on a busy host). */
        double cpuRate() {
            return c0 < 0 || c1 <= c0 ? Double.NaN : N / ((c1 - c0) / 1e9);
        }
    }

    static Stamps ours(byte[] elf, String mode) {
        Machine m = Machine.create(MachineConfig.builder().cpus(1).icMode(mode).memory(512L << 20).build());
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Stamps s = new Stamps(mx::getCurrentThreadCpuTime);
        m.vty().setListener(s::onChar);
        m.loadElf(elf);
        m.runGuest(600_000_000_000L);
        if (!m.console().contains("bad=0\r\nT0 n=" + N) || m.console().contains("bad=1")) {
            throw new IllegalStateException("the payload did not pass its checks:\n" + m.console());
        }
        return s;
    }

    /** A process's user + system CPU time in ns, from /proc (clock ticks of 10 ms). */
    static long processCpuNs(long pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static Stamps qemu(String qemu, Path elf, String mode) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(qemu, "-accel", "tcg", "-machine", "pseries,ic-mode=" + mode + ",x-vof=on,kernel-irqchip=off",
            "-cpu", "power9", "-smp", "1", "-m", "512M", "-nographic", "-nodefaults", "-chardev", "stdio,id=c",
            "-serial", "chardev:c", "-kernel", elf.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        long pid = p.pid();
        Stamps s = new Stamps(() -> processCpuNs(pid));
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.ISO_8859_1))) {
            String l;
            while ((l = r.readLine()) != null) {
                s.onLine(l.replace("\r", ""));
            }
        }
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return s;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        Path elfPath = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        String qemu = args.length > 2 && !args[2].equals("none") ? args[2] : null;
        byte[] elf = Files.readAllBytes(elfPath);
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (String mode : List.of("xive", "xics")) {
            ours(elf, mode); // JIT warm-up, not counted
            for (int r = 0; r < runs; r++) {
                Stamps o = ours(elf, mode);
                rates.computeIfAbsent(mode + " pseries", k -> new ArrayList<>()).add(o.rate());
                rates.computeIfAbsent(mode + " pseries cpu", k -> new ArrayList<>()).add(o.cpuRate());
                System.out.printf("run %d %s pseries      %9.0f/s wall %9.0f/s cpu%n", r + 1, mode, o.rate(), o.cpuRate());
                if (qemu != null) {
                    Stamps q = qemu(qemu, elfPath, mode);
                    rates.computeIfAbsent(mode + " qemu", k -> new ArrayList<>()).add(q.rate());
                    rates.computeIfAbsent(mode + " qemu cpu", k -> new ArrayList<>()).add(q.cpuRate());
                    System.out.printf("run %d %s qemu-7.2-tcg %9.0f/s wall %9.0f/s cpu%n", r + 1, mode, q.rate(), q.cpuRate());
                }
            }
        }
        // RESULTS.md's medians for the 1M loop on an idle host of this kind, when QEMU is not run here
        Map<String, Double> anchor = Map.of("xive", 1_023_859.0, "xics", 166_495.0);
        for (String mode : List.of("xive", "xics")) {
            double ours = median(rates.get(mode + " pseries"));
            double oursCpu = median(rates.get(mode + " pseries cpu"));
            List<Double> q = rates.get(mode + " qemu");
            double ref = q == null ? anchor.get(mode) : median(q);
            double refCpu = q == null ? Double.NaN : median(rates.get(mode + " qemu cpu"));
            System.out.printf("BENCH B10 %s self_ipi_per_s=%.0f qemu_tcg_per_s=%.0f ratio_vs_qemu=%.2f"
                + " cpu_self_ipi_per_s=%.0f qemu_cpu_per_s=%.0f cpu_ratio_vs_qemu=%.2f qemu=%s runs=%d%n", mode, ours, ref, ours / ref,
                oursCpu, refCpu, oursCpu / refCpu, q == null ? "RESULTS.md" : "measured-interleaved", runs);
        }
    }
}
