package io.pseries.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * B5 as a function of size, for {@code benchmarks/growth.sh}: the heap one more vCPU or one more
 * interrupt number costs, at each point of an axis. With {@link MemoryBench#size} (the heap a
 * machine retains), the figure at point x_k is the marginal cost {@code (size(x_k) - size(x_k-1)) /
 * (x_k - x_k-1)}, so a cost that stays the same along the axis means the heap grows linearly, and
 * the first point of an axis has no figure. vCPUs are swept at the default interrupt numbers,
 * interrupt numbers ({@code nrIrqs}) at 4 vCPUs, in XIVE and XICS mode. Each size is measured
 * {@code rounds} times; the median with min and max is written as JSON:
 * {@code [{figure, mode, axis, x, median, min, max, unit, samples}]}.
 *
 * <p>Usage: {@code GrowthMemory ROUNDS OUT.json CPUS,... NRIRQS,...}; run with a serial collector
 * that compacts fully and a fixed heap, as {@code memory.sh} does (see {@link MemoryBench}).
 */
public final class GrowthMemory {
    private GrowthMemory() {
    }

    static int[] list(String s) {
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: GrowthMemory ROUNDS OUT.json CPUS,... NRIRQS,...");
            System.exit(2);
        }
        MemoryBench.requireExactHeap("GrowthMemory");
        int rounds = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        int[] cpus = list(args[2]);
        int[] irqs = list(args[3]);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String mode : List.of("xive", "xics")) {
            // one unmeasured pass: classes loaded and caches filled before the first figure
            for (int x : cpus) {
                MemoryBench.size(mode, x, 0);
            }
            rows.addAll(axis(mode, "cpus", cpus, rounds, x -> MemoryBench.size(mode, x, 0)));
            rows.addAll(axis(mode, "nrIrqs", irqs, rounds, x -> MemoryBench.size(mode, 4, x)));
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), rows);
    }

    private interface Size {
        long of(int x);
    }

    private static List<Map<String, Object>> axis(String mode, String axis, int[] xs, int rounds, Size size) {
        double[][] per = new double[xs.length][rounds];
        for (int r = 0; r < rounds; r++) {
            long prev = size.of(xs[0]);
            for (int k = 1; k < xs.length; k++) {
                long s = size.of(xs[k]);
                per[k][r] = (s - prev) / (double) (xs[k] - xs[k - 1]);
                prev = s;
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        String figure = axis.equals("cpus") ? "heap per vCPU" : "heap per interrupt number";
        for (int k = 1; k < xs.length; k++) {
            double[] v = per[k].clone();
            Arrays.sort(v);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("figure", figure);
            row.put("mode", mode);
            row.put("axis", axis);
            row.put("x", xs[k]);
            row.put("median", v[v.length / 2]);
            row.put("min", v[0]);
            row.put("max", v[v.length - 1]);
            row.put("unit", "B");
            row.put("samples", v.length);
            rows.add(row);
            System.out.printf(Locale.ROOT, "BENCH growth %s %s %s=%d median_B=%.1f min_B=%.1f max_B=%.1f samples=%d%n",
                figure.replace(' ', '_'), mode, axis, xs[k], v[v.length / 2], v[0], v[v.length - 1], v.length);
        }
        return rows;
    }
}
