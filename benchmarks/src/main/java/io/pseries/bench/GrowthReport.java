package io.pseries.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pseries.script.layout.LayoutChart;

/**
 * {@code benchmarks/growth.sh}'s report: reads JMH's JSON results ({@code -rf json}) of the growth
 * sweeps and {@link GrowthMemory}'s JSON, and writes a markdown table per axis (vCPUs, sources)
 * with each figure's median (min-max) at every point, the ratio of the figure at the largest point
 * to the one at the smallest (wall time and, where JMH measured it, CPU time) and the log-log
 * slope, and an SVG chart of the same figures relative to their smallest point, log-scale on both
 * axes, drawn by JFreeChart and written with {@link LayoutChart#write}.
 *
 * <p>Usage: {@code GrowthReport OUT.md OUT.svg HEADER [--vcpus F.json...] [--sources F.json...]
 * [--memory F.json]}; a file belongs to the axis named before it.
 */
public final class GrowthReport {
    private GrowthReport() {
    }

    /** One measured value: median, fastest and slowest iteration, CPU-time median (NaN if none). */
    record Point(double median, double min, double max, double cpu) {
    }

    /** One line of the table and of the chart. */
    static final class Series {
        final String figure;
        final String mode;
        final String unit;
        final TreeMap<Integer, Point> points = new TreeMap<>();

        Series(String figure, String mode, String unit) {
            this.figure = figure;
            this.mode = mode;
            this.unit = unit;
        }

        String name() {
            return figure + ", " + mode;
        }

        double ratio(boolean cpu) {
            if (points.size() < 2) {
                return Double.NaN;
            }
            Point a = points.firstEntry().getValue();
            Point b = points.lastEntry().getValue();
            double r = cpu ? b.cpu() / a.cpu() : b.median() / a.median();
            return Double.isFinite(r) ? r : Double.NaN;
        }

        /** k in cost ~ n^k between the smallest and the largest point. */
        double slope() {
            return Math.log(ratio(false)) / Math.log(points.lastKey() / (double) points.firstKey());
        }
    }

    /** The series of one axis, in the order met. */
    static final class Axis {
        final String title;
        final Map<String, Series> series = new LinkedHashMap<>();

        Axis(String title) {
            this.title = title;
        }

        Series series(String figure, String mode, String unit) {
            return series.computeIfAbsent(figure + "\0" + mode, k -> new Series(figure, mode, unit));
        }

        TreeSet<Integer> xs() {
            TreeSet<Integer> xs = new TreeSet<>();
            series.values().forEach(s -> xs.addAll(s.points.keySet()));
            return xs;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: GrowthReport OUT.md OUT.svg HEADER [--vcpus F.json...] [--sources F.json...] [--memory F.json]");
            System.exit(2);
        }
        Axis vcpus = new Axis("vCPUs");
        Axis sources = new Axis("sources");
        ObjectMapper json = new ObjectMapper();
        String kind = null;
        for (int i = 3; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                kind = a;
                continue;
            }
            JsonNode root = json.readTree(Path.of(a).toFile());
            switch (kind == null ? "" : kind) {
                case "--vcpus" -> readJmh(root, vcpus, "cpus");
                case "--sources" -> readJmh(root, sources, null);
                case "--memory" -> readMemory(root, vcpus, sources);
                default -> throw new IllegalArgumentException("a result file needs --vcpus, --sources or --memory before it: " + a);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(args[2]).append("\n\n");
        table(md, vcpus);
        table(md, sources);
        Files.writeString(Path.of(args[0]), md.toString(), StandardCharsets.UTF_8);
        LayoutChart.write(chart(vcpus, sources), Path.of(args[1]));
    }

    // ---------------------------------------------------------------- reading

    private static void readJmh(JsonNode root, Axis axis, String xParam) {
        for (JsonNode r : root) {
            String[] name = r.path("benchmark").asText().split("\\.");
            String bench = name[name.length - 2] + "." + name[name.length - 1];
            JsonNode params = r.path("params");
            JsonNode pm = r.path("primaryMetric");
            JsonNode pct = pm.path("scorePercentiles");
            String unit = pm.path("scoreUnit").asText();
            JsonNode cpuNode = r.path("secondaryMetrics").path("cpu.time.norm").path("scorePercentiles").path("50.0");
            double cpuNs = cpuNode.isNumber() ? cpuNode.asDouble() : Double.NaN;
            double med = pct.path("50.0").asDouble();
            double lo = pct.path("0.0").asDouble();
            double hi = pct.path("100.0").asDouble();
            double[] its = iterationMedians(pm.path("rawDataHistogram"));
            if (its.length > 0) {
                // sampled time: the extremes of single calls are a collection or a wait for a core;
                // min and max are the fastest and slowest iteration's median, as iterations elsewhere
                lo = its[0];
                hi = its[its.length - 1];
            }
            String figure;
            String mode;
            String shown;
            Point p;
            switch (bench) {
                case "GuestIpiBench.ipi" -> {
                    // throughput (ops/s): the fastest iteration is the highest rate
                    figure = "IPI through the guest model (B4)";
                    mode = params.path("mode").asText();
                    shown = "ns per IPI";
                    p = new Point(1e9 / med, 1e9 / hi, 1e9 / lo, cpuNs);
                }
                case "GrowthPicBench.pic" -> {
                    int active = params.path("active").asInt(0);
                    figure = active > 0 ? "pic(), " + active + " sources active (B7)" : "pic(), 1 % of the numbers active (B7)";
                    mode = params.path("mode").asText();
                    shown = "\u00b5s per call";
                    double k = toNs(unit) / 1e3;
                    p = new Point(med * k, lo * k, hi * k, cpuNs / 1e3);
                }
                case "RandomSourcesBench.internal", "RandomSourcesBench.mmio" -> {
                    figure = "random-source interrupt, " + name[name.length - 1] + " (B2)";
                    mode = "xive";
                    shown = "ns per interrupt";
                    double k = toNs(unit);
                    p = new Point(med * k, lo * k, hi * k, cpuNs);
                }
                case "XicsRandomSourcesBench.device" -> {
                    figure = "random-source interrupt, device (B2)";
                    mode = "xics";
                    shown = "ns per interrupt";
                    double k = toNs(unit);
                    p = new Point(med * k, lo * k, hi * k, cpuNs);
                }
                default -> {
                    continue;
                }
            }
            String xName = xParam != null ? xParam : params.has("sources") ? "sources" : "nrIrqs";
            int x = params.path(xName).asInt();
            axis.series(figure, mode, shown).points.put(x, p);
        }
    }

    /**
     * The median of each iteration of a sampled-time result ({@code rawDataHistogram}: forks, then
     * iterations, then [value, count] pairs), sorted; empty for the other modes.
     */
    static double[] iterationMedians(JsonNode hist) {
        List<Double> out = new ArrayList<>();
        for (JsonNode fork : hist) {
            for (JsonNode it : fork) {
                TreeMap<Double, Long> counts = new TreeMap<>();
                long total = 0;
                for (JsonNode pair : it) {
                    long n = pair.path(1).asLong();
                    counts.merge(pair.path(0).asDouble(), n, Long::sum);
                    total += n;
                }
                long seen = 0;
                for (Map.Entry<Double, Long> e : counts.entrySet()) {
                    seen += e.getValue();
                    if (seen * 2 >= total) {
                        out.add(e.getKey());
                        break;
                    }
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static double toNs(String unit) {
        return switch (unit.split("/")[0]) {
            case "s" -> 1e9;
            case "ms" -> 1e6;
            case "us" -> 1e3;
            default -> 1;
        };
    }

    private static void readMemory(JsonNode root, Axis vcpus, Axis sources) {
        for (JsonNode r : root) {
            Axis axis = r.path("axis").asText().equals("cpus") ? vcpus : sources;
            String unit = axis == vcpus ? "bytes per vCPU" : "bytes per number";
            Series s = axis.series(r.path("figure").asText() + " (B5)", r.path("mode").asText(), unit);
            s.points.put(r.path("x").asInt(), new Point(r.path("median").asDouble(), r.path("min").asDouble(),
                r.path("max").asDouble(), Double.NaN));
        }
    }

    // ---------------------------------------------------------------- the table

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.01) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    /** min-max, or "min to max" where a dash would read as a minus sign. */
    static String range(double min, double max) {
        return num(min) + (min < 0 || max < 0 ? " to " : "-") + num(max);
    }

    private static void table(StringBuilder md, Axis axis) {
        if (axis.series.isEmpty()) {
            return;
        }
        // points less than 1 % apart share a column (B2's 1,043,712 claimed MSIs and the 2^20 numbers)
        List<List<Integer>> cols = new ArrayList<>();
        for (int x : axis.xs()) {
            if (!cols.isEmpty() && x < cols.get(cols.size() - 1).get(0) * 1.01) {
                cols.get(cols.size() - 1).add(x);
            } else {
                cols.add(new ArrayList<>(List.of(x)));
            }
        }
        md.append("| figure | IC | unit |");
        for (List<Integer> c : cols) {
            md.append(' ').append(String.join(" / ", c.stream().map(x -> String.format(Locale.ROOT, "%,d", x)).toList()))
                .append(' ').append(axis.title).append(" |");
        }
        md.append(" largest / smallest | same, CPU time | slope k (cost ~ n^k) |\n|---|---|---|");
        cols.forEach(c -> md.append("---|"));
        md.append("---|---|---|\n");
        for (Series s : axis.series.values()) {
            md.append("| ").append(s.figure).append(" | ").append(s.mode).append(" | ").append(s.unit).append(" |");
            for (List<Integer> c : cols) {
                Point p = c.stream().map(s.points::get).filter(q -> q != null).findFirst().orElse(null);
                md.append(' ').append(p == null ? "-" : num(p.median()) + " (" + range(p.min(), p.max()) + ")").append(" |");
            }
            double r = s.ratio(false);
            double rc = s.ratio(true);
            double k = s.slope();
            md.append(' ').append(Double.isNaN(r) ? "-" : "**" + num(r) + "x**").append(" | ")
                .append(Double.isNaN(rc) ? "" : num(rc) + "x").append(" | ")
                .append(Double.isNaN(k) ? "-" : String.format(Locale.ROOT, "%.2f", k)).append(" |\n");
        }
        md.append('\n');
    }

    // ---------------------------------------------------------------- the chart

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22),
    };

    static JFreeChart chart(Axis... axes) {
        System.setProperty("java.awt.headless", "true");
        LogAxis y = new LogAxis("cost relative to the smallest size (log scale; flat = O(1))");
        y.setSmallestValue(1e-3);
        // ticks at whole powers of two (..., 0.5, 1, 2, 4, ...), so every label is a round number
        y.setBase(2);
        y.setTickUnit(new NumberTickUnit(1));
        y.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
        CombinedRangeXYPlot combined = new CombinedRangeXYPlot(y);
        combined.setGap(16);
        Map<String, Color> colors = new LinkedHashMap<>();
        LegendItemCollection legend = new LegendItemCollection();
        for (Axis axis : axes) {
            if (axis.series.isEmpty()) {
                continue;
            }
            XYSeriesCollection ds = new XYSeriesCollection();
            XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
            List<Series> drawn = new ArrayList<>();
            for (Series s : axis.series.values()) {
                if (s.points.isEmpty()) {
                    continue;
                }
                XYSeries xy = new XYSeries(s.name());
                double base = s.points.firstEntry().getValue().median();
                s.points.forEach((x, p) -> xy.add(x.doubleValue(), p.median() / base));
                ds.addSeries(xy);
                drawn.add(s);
            }
            // a reference: a cost proportional to the size (O(n)), from the smallest point
            TreeSet<Integer> xs = axis.xs();
            XYSeries linear = new XYSeries("proportional to the size (reference)");
            linear.add(xs.first().doubleValue(), 1.0);
            linear.add(xs.last().doubleValue(), xs.last() / (double) xs.first());
            ds.addSeries(linear);
            for (int i = 0; i < drawn.size(); i++) {
                Color c = colors.computeIfAbsent(drawn.get(i).name(), k -> PALETTE[colors.size() % PALETTE.length]);
                r.setSeriesPaint(i, c);
                r.setSeriesStroke(i, new BasicStroke(2f));
            }
            int ref = drawn.size();
            r.setSeriesPaint(ref, Color.GRAY);
            r.setSeriesShapesVisible(ref, false);
            r.setSeriesStroke(ref, new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            LogAxis x = new LogAxis(axis.title + " (log scale)");
            x.setBase(4);
            x.setTickUnit(new NumberTickUnit(1));
            x.setNumberFormatOverride(new DecimalFormat("#,##0"));
            x.setRange(xs.first() / 1.5, xs.last() * 1.5);
            XYPlot plot = new XYPlot(ds, x, null, r);
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            combined.add(plot);
            for (int i = 0; i < ds.getSeriesCount(); i++) {
                LegendItem item = r.getLegendItem(0, i);
                if (item != null && !listed(legend, item.getLabel())) {
                    legend.add(item);
                }
            }
        }
        combined.setFixedLegendItems(legend);
        JFreeChart c = new JFreeChart("How cost grows with vCPUs and with sources", JFreeChart.DEFAULT_TITLE_FONT, combined, true);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    private static boolean listed(LegendItemCollection legend, String label) {
        for (int i = 0; i < legend.getItemCount(); i++) {
            if (legend.get(i).getLabel().equals(label)) {
                return true;
            }
        }
        return false;
    }
}
