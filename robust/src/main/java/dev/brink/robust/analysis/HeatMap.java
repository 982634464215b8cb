package dev.brink.robust.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * A heat map of a function on a square grid with one contour line (marching squares) and an optional polyline on
 * top, drawn with plain java.awt: a diverging blue-white-red scale centred on the contour level (for Yu et al.'s
 * decision surface: red where d &lt; 0, the wrong side) or a sequential one.
 */
final class HeatMap {
    private HeatMap() {}

    /**
     * @param axis   grid coordinates of both axes (ascending)
     * @param v      values {@code v[i][j]} at {@code (x = axis[j], y = axis[i])}
     * @param level  the contour level drawn (NaN: none)
     * @param diverging blue above the level, red below; otherwise a sequential scale from low to high
     * @param path   polyline points {@code (x, y)} drawn with markers, or null
     */
    static BufferedImage render(String title, String xLabel, String yLabel, double[] axis, double[][] v, double level, boolean diverging,
                                double[][] path, String legend) {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        int w = 640, h = 600, left = 70, top = 40, size = 460;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int n = axis.length;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] r : v) for (double x : r) if (Double.isFinite(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        double span = diverging ? Math.max(Math.abs(hi - level), Math.abs(level - lo)) : hi - lo;
        if (!(span > 0)) span = 1;
        double cell = (double) size / n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double t = diverging ? (v[i][j] - level) / span : (v[i][j] - lo) / span;
                g.setColor(diverging ? diverging(t) : sequential(t));
                int x0 = left + (int) Math.floor(j * cell), y0 = top + size - (int) Math.floor((i + 1) * cell);
                g.fillRect(x0, y0, (int) Math.ceil(cell) + 1, (int) Math.ceil(cell) + 1);
            }
        double a0 = axis[0], a1 = axis[n - 1];
        java.util.function.DoubleUnaryOperator px = x -> left + (x - a0) / (a1 - a0) * size;
        java.util.function.DoubleUnaryOperator py = y -> top + size - (y - a0) / (a1 - a0) * size;
        if (!Double.isNaN(level)) {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(2.2f));
            for (int i = 0; i + 1 < n; i++)
                for (int j = 0; j + 1 < n; j++) contourCell(g, axis, v, i, j, level, px, py);
        }
        if (path != null && path.length > 0) {
            g.setColor(new Color(0x00A000));
            g.setStroke(new BasicStroke(2f));
            for (int k = 0; k + 1 < path.length; k++)
                g.draw(new Line2D.Double(px.applyAsDouble(path[k][0]), py.applyAsDouble(path[k][1]), px.applyAsDouble(path[k + 1][0]), py.applyAsDouble(path[k + 1][1])));
            for (double[] p : path) {
                int cx = (int) px.applyAsDouble(p[0]), cy = (int) py.applyAsDouble(p[1]);
                g.fillOval(cx - 4, cy - 4, 8, 8);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, size, size);
        int cx = (int) px.applyAsDouble(0), cy = (int) py.applyAsDouble(0);
        g.drawLine(cx - 7, cy, cx + 7, cy);
        g.drawLine(cx, cy - 7, cx, cy + 7);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int k = 0; k <= 4; k++) {
            double t = a0 + (a1 - a0) * k / 4;
            String s = String.format(Locale.ROOT, "%.3g", t);
            g.drawString(s, (int) px.applyAsDouble(t) - g.getFontMetrics().stringWidth(s) / 2, top + size + 18);
            g.drawString(s, left - 8 - g.getFontMetrics().stringWidth(s), (int) py.applyAsDouble(t) + 5);
        }
        g.drawString(xLabel, left + size / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, top + size + 40);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + size / 2 + g.getFontMetrics().stringWidth(yLabel) / 2), 22);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 24);
        // colour bar
        int bx = left + size + 25, bw = 18;
        for (int k = 0; k < size; k++) {
            double t = 1 - 2.0 * k / size;
            g.setColor(diverging ? diverging(t) : sequential((t + 1) / 2));
            g.fillRect(bx, top + k, bw, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(bx, top, bw, size);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        double vt = diverging ? level + span : hi, vb = diverging ? level - span : lo;
        g.drawString(String.format(Locale.ROOT, "%.3g", vt), bx + bw + 4, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.3g", vb), bx + bw + 4, top + size);
        if (diverging) g.drawString(String.format(Locale.ROOT, "%.3g", level), bx + bw + 4, top + size / 2 + 5);
        if (legend != null) g.drawString(legend, left, top + size + 58);
        g.dispose();
        return img;
    }

    /** Marching squares on one cell: the segment(s) where the bilinear interpolant crosses the level. */
    private static void contourCell(Graphics2D g, double[] axis, double[][] v, int i, int j, double level,
                                    java.util.function.DoubleUnaryOperator px, java.util.function.DoubleUnaryOperator py) {
        double[] xs = {axis[j], axis[j + 1], axis[j + 1], axis[j]};
        double[] ys = {axis[i], axis[i], axis[i + 1], axis[i + 1]};
        double[] c = {v[i][j], v[i][j + 1], v[i + 1][j + 1], v[i + 1][j]};
        double[][] pts = new double[4][];
        int m = 0;
        for (int e = 0; e < 4; e++) {
            int f = (e + 1) % 4;
            double a = c[e] - level, b = c[f] - level;
            if ((a < 0) != (b < 0)) {
                double t = a / (a - b);
                pts[m++] = new double[] {xs[e] + t * (xs[f] - xs[e]), ys[e] + t * (ys[f] - ys[e])};
            }
        }
        for (int k = 0; k + 1 < m; k += 2)
            g.draw(new Line2D.Double(px.applyAsDouble(pts[k][0]), py.applyAsDouble(pts[k][1]), px.applyAsDouble(pts[k + 1][0]), py.applyAsDouble(pts[k + 1][1])));
    }

    /** t in [-1, 1]: red (negative) through white to blue (positive). */
    static Color diverging(double t) {
        t = Math.max(-1, Math.min(1, t));
        int a = (int) Math.round(255 * (1 - Math.abs(t)));
        return t >= 0 ? new Color(a, a, 255 - (int) (60 * t)) : new Color(255 - (int) (60 * -t), a, a);
    }

    /** t in [0, 1]: dark blue through teal to yellow. */
    static Color sequential(double t) {
        t = Math.max(0, Math.min(1, t));
        return new Color((int) (20 + 230 * t), (int) (30 + 200 * Math.sqrt(t)), (int) (120 * (1 - t) + 40));
    }
}
