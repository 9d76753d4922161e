package io.pseries.script.layout;

import java.util.List;
import java.util.Locale;

/**
 * The layout laboratory's report as a text table: one line per combination, the figures of
 * {@link LayoutExperiment.Row}, then every failure in full under the table.
 *
 * <p>Stateless; any thread.
 */
public final class LayoutTable {
    private static final String[] HEAD = {"cpus", "sources", "mapping", "kernel", "VMAs", "memslots", "mapped",
        "faulted", "faults", "zaps", "IPIs alloc", "exits/IPI", "failed"};

    private LayoutTable() {
    }

    public static String render(List<LayoutExperiment.Row> rows) {
        String[][] cells = new String[rows.size() + 1][];
        cells[0] = HEAD;
        for (int i = 0; i < rows.size(); i++) {
            LayoutExperiment.Row r = rows.get(i);
            cells[i + 1] = new String[] {Long.toString(r.cpus()), count(r.sources()), r.mapping(), r.kernelIrqchip(),
                Long.toString(r.vmas()), Long.toString(r.memslots()), bytes(r.bytesMapped()), Long.toString(r.pagesMapped()),
                Long.toString(r.faults()), Long.toString(r.zaps()), Long.toString(r.ipisAllocated()),
                Double.isNaN(r.vmmExitsPerIpi()) ? "-" : String.format(Locale.ROOT, "%.2f", r.vmmExitsPerIpi()),
                r.failures() == 0 ? "-" : Long.toString(r.failures())};
        }
        int[] w = new int[HEAD.length];
        for (String[] row : cells) {
            for (int c = 0; c < row.length; c++) {
                w[c] = Math.max(w[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            for (int c = 0; c < cells[i].length; c++) {
                String v = cells[i][c];
                boolean left = c == 2 || c == 3;
                sb.append(c == 0 ? "" : "  ").append(left ? pad(v, w[c], false) : pad(v, w[c], true));
            }
            sb.append('\n');
            if (i == 0) {
                int total = 0;
                for (int x : w) {
                    total += x + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        for (LayoutExperiment.Row r : rows) {
            if (r.failure() != null) {
                sb.append(String.format("%d cpus, %s sources, %s: %s%s%n", r.cpus(), count(r.sources()), r.mapping(),
                    r.failure(), r.failures() > 1 ? " (and " + (r.failures() - 1) + " more sources after it)" : ""));
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int w, boolean right) {
        String p = " ".repeat(w - s.length());
        return right ? p + s : s + p;
    }

    /** 1024 -> "1K", 65536 -> "64K", else the number. */
    static String count(long n) {
        return n >= 1024 && n % 1024 == 0 ? (n / 1024) + "K" : Long.toString(n);
    }

    /** Bytes in binary units: "1.0G", "128K". */
    static String bytes(long b) {
        String[] u = {"", "K", "M", "G", "T"};
        double v = b;
        int i = 0;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? Long.toString(b) : (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f%s", v, u[i])
            : String.format(Locale.ROOT, "%.1f%s", v, u[i]));
    }
}
