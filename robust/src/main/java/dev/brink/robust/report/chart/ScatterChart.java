package dev.brink.robust.report.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultXYDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;

/**
 * A scatter plot: one marker per point, a colour per series, and optionally the diagonal y = x as a reference
 * (e.g. a certified bound against the margin an attack finds: every point below the line).
 */
public final class ScatterChart extends Chart<ScatterChart> {
    private record Points(String name, double[] x, double[] y, Color color) {}

    private final List<Points> points = new ArrayList<>();
    private boolean diagonal;

    public ScatterChart(String title, String xLabel, String yLabel) {
        super(title, xLabel, yLabel);
    }

    public ScatterChart add(String name, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("scatter " + name + ": " + x.length + " x values, " + y.length + " y values");
        points.add(new Points(name, x.clone(), y.clone(), Palette.color(points.size())));
        return this;
    }

    /** Draws the dashed diagonal y = x across the data's range. */
    public ScatterChart diagonal() {
        diagonal = true;
        return this;
    }

    @Override
    protected JFreeChart build() {
        DefaultXYDataset data = new DefaultXYDataset();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < points.size(); i++) {
            Points s = points.get(i);
            double[][] xy = new double[2][s.x().length];
            for (int k = 0; k < xy[0].length; k++) {
                xy[0][k] = onAxis(s.x()[k], isLogX());
                xy[1][k] = onAxis(s.y()[k], isLogY());
                for (double v : new double[] {xy[0][k], xy[1][k]}) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            }
            data.addSeries(s.name() + " ".repeat(i > 0 && dup(i) ? i : 0), xy);
            Color c = s.color();
            r.setSeriesPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
            r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        XYPlot p = new XYPlot(data, xAxis(), yAxis(), r);
        if (diagonal && lo < hi)
            p.addAnnotation(new XYLineAnnotation(lo, lo, hi, hi,
                    new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f), Color.DARK_GRAY));
        return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, p, points.size() > 1);
    }

    private boolean dup(int i) {
        for (int j = 0; j < i; j++) if (points.get(j).name().equals(points.get(i).name())) return true;
        return false;
    }
}
