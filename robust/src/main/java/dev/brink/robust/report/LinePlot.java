package dev.brink.robust.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart drawn with Java2D (headless-safe, no plotting library): axes with "nice" ticks, grid lines,
 * one polyline with markers per series, a legend, a title and axis labels. NaN points break a line.
 */
public final class LinePlot {
    /** One line. A dashed series is drawn without markers (e.g. a worst-case envelope). */
    public record Series(String name, double[] x, double[] y, Color color, boolean dashed) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
        }
    }

    /** Tableau-10, the usual plotting palette. */
    public static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private double yMin = Double.NaN, yMax = Double.NaN, xMin = Double.NaN, xMax = Double.NaN;

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LinePlot add(Series s) {
        series.add(s);
        return this;
    }

    /** Adds a series in the next palette colour. */
    public LinePlot add(String name, double[] x, double[] y) {
        return add(new Series(name, x, y, PALETTE[series.size() % PALETTE.length], false));
    }

    public LinePlot yRange(double lo, double hi) {
        yMin = lo;
        yMax = hi;
        return this;
    }

    public LinePlot xRange(double lo, double hi) {
        xMin = lo;
        xMax = hi;
        return this;
    }

    public List<Series> series() {
        return List.copyOf(series);
    }

    /** The chart as an image of the given size. */
    public BufferedImage render(int width, int height) {
        Headless.ensure();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        draw(g, 0, 0, width, height);
        g.dispose();
        return img;
    }

    /** Draws the chart into a rectangle of {@code g}. */
    public void draw(Graphics2D g, int x0, int y0, int w, int h) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        float fs = Math.max(11f, Math.min(w, h) / 36f);
        int left = x0 + (int) (fs * 5.2), right = x0 + w - (int) (fs * 1.5);
        int top = y0 + (int) (fs * 2.8), bottom = y0 + h - (int) (fs * 3.8);
        double[] xr = range(true), yr = range(false);
        double[] xt = ticks(xr[0], xr[1], 8), yt = ticks(yr[0], yr[1], 6);
        // widen to the ticks when the range was automatic
        if (Double.isNaN(xMin)) {
            xr[0] = Math.min(xr[0], xt[0]);
            xr[1] = Math.max(xr[1], xt[xt.length - 1]);
        }
        if (Double.isNaN(yMin)) {
            yr[0] = Math.min(yr[0], yt[0]);
            yr[1] = Math.max(yr[1], yt[yt.length - 1]);
        }
        final double ax = xr[0], bx = xr[1], ay = yr[0], by = yr[1];
        java.util.function.DoubleUnaryOperator px = v -> left + (v - ax) / (bx - ax) * (right - left);
        java.util.function.DoubleUnaryOperator py = v -> bottom - (v - ay) / (by - ay) * (bottom - top);

        Color grid = new Color(0xE4E4E4), axis = new Color(0x333333);
        g.setStroke(new BasicStroke(1f));
        for (double t : xt) {
            if (t < ax - 1e-12 || t > bx + 1e-12) continue;
            int x = (int) Math.round(px.applyAsDouble(t));
            g.setColor(grid);
            g.drawLine(x, top, x, bottom);
            g.setColor(axis);
            g.drawLine(x, bottom, x, bottom + 4);
            Text.drawCentered(g, tick(t, xt), x, bottom + (int) (fs * 1.5), fs * 0.9f, false, axis);
        }
        for (double t : yt) {
            if (t < ay - 1e-12 || t > by + 1e-12) continue;
            int y = (int) Math.round(py.applyAsDouble(t));
            g.setColor(grid);
            g.drawLine(left, y, right, y);
            g.setColor(axis);
            g.drawLine(left - 4, y, left, y);
            Text.drawRight(g, tick(t, yt), left - 7, y + (int) (fs * 0.35), fs * 0.9f, false, axis);
        }
        g.setColor(axis);
        g.drawRect(left, top, right - left, bottom - top);
        Text.drawCentered(g, title, (left + right) / 2, y0 + (int) (fs * 1.7), fs * 1.15f, true, Color.BLACK);
        Text.drawCentered(g, xLabel, (left + right) / 2, bottom + (int) (fs * 3.0), fs, false, axis);
        Text.drawVertical(g, yLabel, x0 + (int) (fs * 1.3), (top + bottom) / 2, fs, false, axis);

        java.awt.Shape clip = g.getClip();
        g.clipRect(left - 6, top - 6, right - left + 12, bottom - top + 12);
        Stroke solid = new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        Stroke dashed = new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 6f}, 0f);
        for (Series s : series) {
            g.setColor(s.color());
            g.setStroke(s.dashed() ? dashed : solid);
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            for (int i = 0; i < s.x().length; i++) {
                double xv = s.x()[i], yv = s.y()[i];
                if (Double.isNaN(xv) || Double.isNaN(yv)) {
                    pen = false;
                    continue;
                }
                double X = px.applyAsDouble(xv), Y = py.applyAsDouble(yv);
                if (pen) path.lineTo(X, Y);
                else path.moveTo(X, Y);
                pen = true;
            }
            g.draw(path);
            if (!s.dashed()) {
                g.setStroke(new BasicStroke(1f));
                for (int i = 0; i < s.x().length; i++) {
                    if (Double.isNaN(s.x()[i]) || Double.isNaN(s.y()[i])) continue;
                    int X = (int) Math.round(px.applyAsDouble(s.x()[i])), Y = (int) Math.round(py.applyAsDouble(s.y()[i]));
                    g.fillOval(X - 3, Y - 3, 7, 7);
                }
            }
        }
        g.setClip(clip);
        legend(g, left, right, top, fs, solid, dashed);
    }

    private void legend(Graphics2D g, int left, int right, int top, float fs, Stroke solid, Stroke dashed) {
        if (series.isEmpty()) return;
        float lfs = fs * 0.85f;
        int lineH = (int) (lfs * 1.5), swatch = (int) (lfs * 2.2);
        int textW = 0;
        for (Series s : series) textW = Math.max(textW, Text.width(g, s.name(), lfs, false));
        int boxW = Math.min(swatch + textW + (int) (lfs * 1.6), (right - left) - 10);
        int boxH = lineH * series.size() + (int) (lfs * 0.8);
        int bx = right - boxW - 8, by = top + 8;
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(new Color(0xBBBBBB));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, boxW, boxH);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int cy = by + (int) (lfs * 0.4) + lineH * i + lineH / 2;
            g.setColor(s.color());
            g.setStroke(s.dashed() ? dashed : solid);
            g.drawLine(bx + 6, cy, bx + 6 + swatch - 6, cy);
            if (!s.dashed()) g.fillOval(bx + 6 + (swatch - 6) / 2 - 3, cy - 3, 7, 7);
            String name = Text.fit(g, s.name(), boxW - swatch - 12, lfs, false);
            Text.draw(g, name, bx + swatch + 6, cy + (int) (lfs * 0.35), lfs, false, Color.BLACK);
        }
    }

    private double[] range(boolean xAxis) {
        double lo = xAxis ? xMin : yMin, hi = xAxis ? xMax : yMax;
        if (!Double.isNaN(lo) && !Double.isNaN(hi)) return new double[] {lo, hi};
        double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : xAxis ? s.x() : s.y()) {
                if (Double.isNaN(v) || Double.isInfinite(v)) continue;
                mn = Math.min(mn, v);
                mx = Math.max(mx, v);
            }
        }
        if (mn == Double.POSITIVE_INFINITY) {
            mn = 0;
            mx = 1;
        }
        if (mx - mn < 1e-12) {
            double pad = Math.abs(mn) > 0 ? Math.abs(mn) * 0.1 : 1;
            mn -= pad;
            mx += pad;
        }
        return new double[] {mn, mx};
    }

    /** About {@code target} round tick values covering [lo, hi]. */
    static double[] ticks(double lo, double hi, int target) {
        double span = nice(hi - lo, false);
        double step = nice(span / Math.max(1, target - 1), true);
        double start = Math.floor(lo / step + 1e-9) * step, end = Math.ceil(hi / step - 1e-9) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[Math.max(n, 1)];
        for (int i = 0; i < t.length; i++) t[i] = start + i * step;
        return t;
    }

    private static double nice(double x, boolean round) {
        if (x <= 0) return 1;
        double e = Math.floor(Math.log10(x)), f = x / Math.pow(10, e), nf;
        if (round) nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        else nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nf * Math.pow(10, e);
    }

    private static String tick(double v, double[] ticks) {
        double step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (Math.abs(v) < step * 1e-6) v = 0;
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 8) + "f", v);
    }
}
