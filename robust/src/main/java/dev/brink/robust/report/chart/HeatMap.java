package dev.brink.robust.report.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYDataset;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * A heat map of a function sampled on an evenly spaced grid (a decision or loss surface on a plane), with a colour
 * bar, contour lines at given levels (by {@link MarchingSquares}, e.g. the decision boundary d = 0), and overlaid
 * polylines with markers (an attack's trajectory) and single marked points (the clean input).
 *
 * <pre>{@code
 * new HeatMap("decision surface", "direction 1", "direction 2", u, v, d)
 *         .colorScale(ColorScale.symmetric(maxAbs)).valueLabel("d(x)")
 *         .contour(0, "d = 0", Color.BLACK).trajectory("PGD", tu, tv, Color.MAGENTA).point("x", 0, 0, Color.BLACK)
 *         .render(760, 600);
 * }</pre>
 */
public final class HeatMap extends Chart<HeatMap> {
    private record Line(String name, double[] x, double[] y, Color color, boolean lines, boolean markers, float width) {}

    private final double[] x, y;
    private final double[][] z;
    private ColorScale scale;
    private String valueLabel = "";
    private final List<Line> overlays = new ArrayList<>();

    /**
     * @param x evenly spaced increasing column coordinates (nx)
     * @param y evenly spaced increasing row coordinates (ny)
     * @param z values {@code z[row][column]} at ({@code x[column]}, {@code y[row]}); NaN is drawn gray
     */
    public HeatMap(String title, String xLabel, String yLabel, double[] x, double[] y, double[][] z) {
        super(title, xLabel, yLabel);
        MarchingSquares.check(x, y, z);
        even("x", x);
        even("y", y);
        this.x = x.clone();
        this.y = y.clone();
        this.z = new double[z.length][];
        for (int r = 0; r < z.length; r++) this.z[r] = z[r].clone();
    }

    /** The colour scale (default: viridis over the finite values' range). */
    public HeatMap colorScale(ColorScale s) {
        scale = s;
        return this;
    }

    /** The label of the colour bar (what the colours mean, with units). */
    public HeatMap valueLabel(String label) {
        valueLabel = label == null ? "" : label;
        return this;
    }

    /** The contour line z = {@code level}, named in the legend. */
    public HeatMap contour(double level, String name, Color color) {
        double[][] xy = MarchingSquares.asPolyline(MarchingSquares.contour(x, y, z, level));
        overlays.add(new Line(name, xy[0], xy[1], color, true, false, 2.2f));
        return this;
    }

    /** A polyline with a marker at each point (an attack's iterates projected onto the plane). */
    public HeatMap trajectory(String name, double[] tx, double[] ty, Color color) {
        if (tx.length != ty.length) throw new IllegalArgumentException("trajectory " + name + ": " + tx.length + " x values, " + ty.length + " y values");
        overlays.add(new Line(name, tx.clone(), ty.clone(), color, true, true, 1.8f));
        return this;
    }

    /** One marked point. */
    public HeatMap point(String name, double px, double py, Color color) {
        overlays.add(new Line(name, new double[] {px}, new double[] {py}, color, false, true, 1f));
        return this;
    }

    /** The colour scale in use: the one set, or viridis over the data's finite range. */
    public ColorScale scale() {
        if (scale != null) return scale;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] row : z) for (double v : row) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (lo == Double.POSITIVE_INFINITY) { lo = 0; hi = 1; }
        if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
        return ColorScale.viridis(lo, hi);
    }

    @Override
    protected JFreeChart build() {
        int nx = x.length, ny = y.length;
        double dx = (x[nx - 1] - x[0]) / (nx - 1), dy = (y[ny - 1] - y[0]) / (ny - 1);
        double[][] cells = new double[3][nx * ny];
        for (int r = 0; r < ny; r++)
            for (int c = 0; c < nx; c++) {
                cells[0][r * nx + c] = x[c];
                cells[1][r * nx + c] = y[r];
                cells[2][r * nx + c] = z[r][c];
            }
        DefaultXYZDataset grid = new DefaultXYZDataset();
        grid.addSeries("values", cells);
        ColorScale s = scale();
        XYBlockRenderer blocks = new XYBlockRenderer();
        blocks.setBlockWidth(dx);
        blocks.setBlockHeight(dy);
        blocks.setPaintScale(s);
        blocks.setDefaultSeriesVisibleInLegend(false);

        ValueAxis xa = xAxis(), ya = yAxis();
        if (xa.isAutoRange()) xa.setRange(x[0] - dx / 2, x[nx - 1] + dx / 2);
        if (ya.isAutoRange()) ya.setRange(y[0] - dy / 2, y[ny - 1] + dy / 2);
        XYPlot p = new XYPlot(grid, xa, ya, blocks);

        DefaultXYDataset lines = new DefaultXYDataset();
        XYLineAndShapeRenderer lr = new XYLineAndShapeRenderer(true, true);
        lr.setDrawSeriesLineAsPath(false);
        for (int i = 0; i < overlays.size(); i++) {
            Line l = overlays.get(i);
            lines.addSeries(l.name() + " ".repeat(dupes(i)), new double[][] {l.x(), l.y()});
            lr.setSeriesPaint(i, l.color());
            lr.setSeriesLinesVisible(i, l.lines());
            lr.setSeriesShapesVisible(i, l.markers());
            lr.setSeriesStroke(i, new BasicStroke(l.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Shape m = l.lines() ? new Ellipse2D.Double(-3, -3, 6, 6) : new Rectangle2D.Double(-5, -5, 10, 10);
            lr.setSeriesShape(i, m);
        }
        if (!overlays.isEmpty()) {
            p.setDataset(1, lines);
            p.setRenderer(1, lr);
        }
        p.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        p.setDomainGridlinesVisible(false);
        p.setRangeGridlinesVisible(false);

        JFreeChart c = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, p, !overlays.isEmpty());
        NumberAxis bar = new NumberAxis(valueLabel);
        bar.setRange(s.getLowerBound(), s.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(s, bar);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setStripWidth(14);
        legend.setMargin(new RectangleInsets(8, 6, 8, 8));
        legend.setSubdivisionCount(128);
        legend.setBackgroundPaint(Color.WHITE);
        c.addSubtitle(legend);
        return c;
    }

    private int dupes(int i) {
        int n = 0;
        for (int j = 0; j < i; j++) if (overlays.get(j).name().equals(overlays.get(i).name())) n++;
        return n;
    }

    private static void even(String axis, double[] v) {
        double step = (v[v.length - 1] - v[0]) / (v.length - 1);
        for (int i = 1; i < v.length; i++)
            if (Math.abs(v[i] - v[i - 1] - step) > 1e-6 * Math.abs(step) + 1e-12)
                throw new IllegalArgumentException("heat map " + axis + " coordinates must be evenly spaced (step " + step + ", index " + i + " differs)");
    }
}
