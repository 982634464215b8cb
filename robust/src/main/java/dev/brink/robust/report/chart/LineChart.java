package dev.brink.robust.report.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultXYDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;

/**
 * A line chart of one or more series (x, y): a polyline per series with markers where it has few points, a legend,
 * optional logarithmic axes and fixed ranges. A NaN point breaks its line; on a log axis non-positive values are
 * left out.
 *
 * <pre>{@code
 * BufferedImage img = new LineChart("S-O attack", "iteration", "gradient norm").logY()
 *         .add("sample 0", iters, norms).render(760, 500);
 * }</pre>
 */
public final class LineChart extends Chart<LineChart> {
    /**
     * One line.
     *
     * @param dashed  drawn dashed (e.g. a worst-case envelope or a reference)
     * @param markers a marker at each point
     */
    public record Series(String name, double[] x, double[] y, Color color, boolean dashed, boolean markers) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
        }

        /** A solid line in {@code color}, with markers when it has at most 60 points. */
        public Series(String name, double[] x, double[] y, Color color) {
            this(name, x, y, color, false, x.length <= 60);
        }
    }

    private final List<Series> series = new ArrayList<>();
    private boolean legend = true;

    public LineChart(String title, String xLabel, String yLabel) {
        super(title, xLabel, yLabel);
    }

    public LineChart add(Series s) {
        series.add(s);
        return this;
    }

    /** Adds a solid series in the next palette colour. */
    public LineChart add(String name, double[] x, double[] y) {
        return add(new Series(name, x, y, Palette.color(series.size())));
    }

    /** Adds a series against its index (x = 0, 1, 2, ...). */
    public LineChart add(String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) x[i] = i;
        return add(name, x, y);
    }

    /** Hides the legend (it is shown by default). */
    public LineChart noLegend() {
        legend = false;
        return this;
    }

    public List<Series> series() {
        return List.copyOf(series);
    }

    @Override
    protected JFreeChart build() {
        DefaultXYDataset data = new DefaultXYDataset();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setDrawSeriesLineAsPath(false);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double[][] xy = new double[2][s.x().length];
            for (int k = 0; k < s.x().length; k++) {
                xy[0][k] = onAxis(s.x()[k], isLogX());
                xy[1][k] = onAxis(s.y()[k], isLogY());
            }
            data.addSeries(key(i), xy);
            r.setSeriesPaint(i, s.color());
            r.setSeriesStroke(i, s.dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 5f}, 0f)
                    : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            r.setSeriesShapesVisible(i, s.markers());
            r.setSeriesShape(i, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        XYPlot p = new XYPlot(data, xAxis(), yAxis(), r);
        p.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // later series on top, as added
        return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, p, legend && !series.isEmpty());
    }

    /** Series keys must be unique in JFreeChart: a repeated name gets a suffix. */
    private String key(int i) {
        String name = series.get(i).name();
        int seen = 0;
        for (int j = 0; j < i; j++) if (series.get(j).name().equals(name)) seen++;
        return seen == 0 ? name : name + " (" + (seen + 1) + ")";
    }
}
