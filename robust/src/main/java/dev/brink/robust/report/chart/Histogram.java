package dev.brink.robust.report.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.xy.DefaultIntervalXYDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * A histogram of one or more distributions on shared axes (overlaid, semi-transparent), from raw values binned
 * here or from counts binned elsewhere, with optional vertical markers (a mean, a threshold).
 *
 * <pre>{@code
 * new Histogram("effective margins", "margin (L2)", "points").addValues("test", margins, 40, 0, max).render(760, 500);
 * }</pre>
 */
public final class Histogram extends Chart<Histogram> {
    private record Bars(String name, double[] edges, double[] counts, Color color) {}

    private record Marker(double x, String label, Color color) {}

    private final List<Bars> bars = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    public Histogram(String title, String xLabel, String yLabel) {
        super(title, xLabel, yLabel);
    }

    /**
     * Adds counts already binned: bin {@code i} spans [{@code edges[i]}, {@code edges[i+1]}).
     *
     * @param edges increasing bin edges, one more than {@code counts}
     */
    public Histogram addCounts(String name, double[] edges, double[] counts) {
        if (edges.length != counts.length + 1)
            throw new IllegalArgumentException("histogram " + name + ": " + edges.length + " edges for " + counts.length + " bins (need bins + 1)");
        for (int i = 1; i < edges.length; i++)
            if (!(edges[i] > edges[i - 1])) throw new IllegalArgumentException("histogram " + name + ": edges must increase, edge " + i + " is " + edges[i] + " after " + edges[i - 1]);
        bars.add(new Bars(name, edges.clone(), counts.clone(), Palette.color(bars.size())));
        return this;
    }

    /** Bins {@code values} into {@code bins} equal bins over [lo, hi] (values outside go to the end bins; NaN is skipped). */
    public Histogram addValues(String name, double[] values, int bins, double lo, double hi) {
        return addCounts(name, edges(bins, lo, hi), counts(values, bins, lo, hi));
    }

    /** A vertical line at {@code x} in the legend colour {@code color}, labelled unless {@code label} is empty. */
    public Histogram marker(double x, String label, Color color) {
        markers.add(new Marker(x, label, color));
        return this;
    }

    /** {@code bins + 1} equal-width edges over [lo, hi] (a degenerate range is widened to width 1). */
    public static double[] edges(int bins, double lo, double hi) {
        if (bins < 1) throw new IllegalArgumentException("histogram: bins must be at least 1, got " + bins);
        if (!(hi > lo)) hi = lo + 1;
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) e[i] = lo + (hi - lo) * i / bins;
        return e;
    }

    /** Counts of {@code values} in {@code bins} equal bins over [lo, hi], out-of-range values clamped to the end bins. */
    public static double[] counts(double[] values, int bins, double lo, double hi) {
        if (bins < 1) throw new IllegalArgumentException("histogram: bins must be at least 1, got " + bins);
        if (!(hi > lo)) hi = lo + 1;
        double[] c = new double[bins];
        for (double v : values) {
            if (Double.isNaN(v)) continue;
            int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
            c[Math.max(0, Math.min(bins - 1, b))]++;
        }
        return c;
    }

    @Override
    protected JFreeChart build() {
        DefaultIntervalXYDataset data = new DefaultIntervalXYDataset();
        XYBarRenderer r = new XYBarRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(true);
        for (int i = 0; i < bars.size(); i++) {
            Bars b = bars.get(i);
            int n = b.counts().length;
            double[][] d = new double[6][n];
            for (int k = 0; k < n; k++) {
                d[0][k] = (b.edges()[k] + b.edges()[k + 1]) / 2;
                d[1][k] = b.edges()[k];
                d[2][k] = b.edges()[k + 1];
                d[3][k] = b.counts()[k];
                d[4][k] = 0;
                d[5][k] = b.counts()[k];
            }
            data.addSeries(b.name() + (names(i) > 0 ? " (" + (names(i) + 1) + ")" : ""), d);
            Color c = b.color();
            r.setSeriesPaint(i, bars.size() > 1 ? new Color(c.getRed(), c.getGreen(), c.getBlue(), 140) : c);
            r.setSeriesOutlinePaint(i, c.darker());
            r.setSeriesOutlineStroke(i, new BasicStroke(0.6f));
        }
        XYPlot p = new XYPlot(data, xAxis(), yAxis(), r);
        for (Marker m : markers) {
            ValueMarker v = new ValueMarker(m.x(), m.color(), new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
            if (m.label() != null && !m.label().isEmpty()) v.setLabel(m.label());
            v.setLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
            v.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
            v.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);
            p.addDomainMarker(v);
        }
        return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, p, bars.size() > 1);
    }

    private int names(int i) {
        int seen = 0;
        for (int j = 0; j < i; j++) if (bars.get(j).name().equals(bars.get(i).name())) seen++;
        return seen;
    }
}
