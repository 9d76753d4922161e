package io.pseries.script.layout;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * The layout laboratory's picture: for each combination (vCPUs x sources), the VMAs and KVM
 * memory slots each ESB mapping needs, on a log scale, with KVM's user memory slot limit and
 * {@code vm.max_map_count} drawn across. A mapping that failed is drawn at what it held when it
 * failed. Written as PNG or SVG (by the file's extension), headless.
 *
 * <p>JFreeChart draws (it renders into any {@code Graphics2D} without a display); PNG goes
 * through its {@link ChartUtils}, SVG through JFreeSVG's {@link SVGGraphics2D}.
 *
 * <p>Threading: any thread (AWT is used headless, no toolkit thread).
 */
public final class LayoutChart {
    static final int WIDTH = 1000;
    static final int HEIGHT = 560;

    private LayoutChart() {
    }

    /** The chart of {@code rows}; {@code memSlots} and {@code maxMapCount} are the limits drawn. */
    public static JFreeChart chart(List<LayoutExperiment.Row> rows, long memSlots, long maxMapCount) {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        long top = Math.max(memSlots, maxMapCount);
        for (LayoutExperiment.Row r : rows) {
            top = Math.max(top, Math.max(r.vmas(), r.memslots()));
            String cat = r.cpus() + " vCPUs, " + LayoutTable.count(r.sources()) + " sources";
            ds.addValue(Math.max(1, r.vmas()), r.mapping() + ": VMAs", cat);
            ds.addValue(Math.max(1, r.memslots()), r.mapping() + ": memory slots", cat);
        }
        LogAxis y = new LogAxis("count (log scale)");
        y.setSmallestValue(1);
        // both limits stay in view, whatever the data
        y.setRange(0.8, top * 2.0);
        y.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        CategoryAxis x = new CategoryAxis("combination");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        BarRenderer br = new BarRenderer();
        br.setBarPainter(new StandardBarPainter());
        br.setShadowVisible(false);
        br.setItemMargin(0.02);
        CategoryPlot plot = new CategoryPlot(ds, x, y, br);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.addRangeMarker(limit(memSlots, "KVM_USER_MEM_SLOTS " + String.format(Locale.ROOT, "%,d", memSlots),
            new Color(0xC0, 0x20, 0x20)));
        plot.addRangeMarker(limit(maxMapCount, "vm.max_map_count " + String.format(Locale.ROOT, "%,d", maxMapCount),
            new Color(0x80, 0x40, 0xA0)));
        JFreeChart c = new JFreeChart("ESB layouts: VMAs and KVM memory slots of the VMM", JFreeChart.DEFAULT_TITLE_FONT,
            plot, true);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    private static ValueMarker limit(long v, String label, Color color) {
        ValueMarker m = new ValueMarker(v, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
            10f, new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelPaint(color);
        m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        return m;
    }

    /** Writes the chart to {@code file}: SVG for a {@code .svg} name, PNG for {@code .png}, else an error. */
    public static void write(JFreeChart c, Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
            c.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
            Files.writeString(file, g.getSVGDocument(), StandardCharsets.UTF_8);
        } else if (name.endsWith(".png")) {
            try (OutputStream out = Files.newOutputStream(file)) {
                ChartUtils.writeChartAsPNG(out, c, WIDTH, HEIGHT);
            }
        } else {
            throw new IllegalArgumentException("the chart file must end in .png or .svg: " + file);
        }
    }
}
