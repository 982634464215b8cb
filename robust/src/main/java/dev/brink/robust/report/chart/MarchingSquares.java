package dev.brink.robust.report.chart;

import java.util.ArrayList;
import java.util.List;

/**
 * Contour lines of a function sampled on a rectangular grid, by marching squares: in each cell the level crosses
 * the edges whose end values lie on opposite sides, at the linearly interpolated point; a cell with the level
 * crossing all four edges (a saddle) is resolved by the mean of its corners. The result is exact for a function
 * linear along the grid lines (a plane's level line comes out on the line). Cells with a NaN corner are skipped.
 */
public final class MarchingSquares {
    private MarchingSquares() {}

    /** One piece of a contour line, from (x0, y0) to (x1, y1). */
    public record Segment(double x0, double y0, double x1, double y1) {
        public double length() {
            return Math.hypot(x1 - x0, y1 - y0);
        }
    }

    /**
     * The segments of the level set {@code z = level}.
     *
     * @param x increasing grid coordinates of the columns (length nx)
     * @param y increasing grid coordinates of the rows (length ny)
     * @param z values {@code z[row][column]} at ({@code x[column]}, {@code y[row]}), ny rows of nx values
     */
    public static List<Segment> contour(double[] x, double[] y, double[][] z, double level) {
        check(x, y, z);
        List<Segment> out = new ArrayList<>();
        for (int r = 0; r + 1 < y.length; r++) {
            for (int c = 0; c + 1 < x.length; c++) {
                // corners counter-clockwise from the bottom left: a (c, r), b (c+1, r), d (c+1, r+1), e (c, r+1)
                double a = z[r][c], b = z[r][c + 1], d = z[r + 1][c + 1], e = z[r + 1][c];
                if (Double.isNaN(a) || Double.isNaN(b) || Double.isNaN(d) || Double.isNaN(e)) continue;
                boolean ia = a >= level, ib = b >= level, id = d >= level, ie = e >= level;
                // crossing points on the edges bottom (a-b), right (b-d), top (e-d), left (a-e); null where none
                double[] bottom = ia != ib ? point(x[c], y[r], x[c + 1], y[r], a, b, level) : null;
                double[] right = ib != id ? point(x[c + 1], y[r], x[c + 1], y[r + 1], b, d, level) : null;
                double[] top = ie != id ? point(x[c], y[r + 1], x[c + 1], y[r + 1], e, d, level) : null;
                double[] left = ia != ie ? point(x[c], y[r], x[c], y[r + 1], a, e, level) : null;
                int n = (bottom != null ? 1 : 0) + (right != null ? 1 : 0) + (top != null ? 1 : 0) + (left != null ? 1 : 0);
                if (n == 2) {
                    double[][] p = new double[2][];
                    int k = 0;
                    for (double[] q : new double[][] {bottom, right, top, left}) if (q != null) p[k++] = q;
                    out.add(new Segment(p[0][0], p[0][1], p[1][0], p[1][1]));
                } else if (n == 4) {
                    // saddle: a and d on one side, b and e on the other; the centre decides which pair is joined
                    boolean centre = (a + b + d + e) / 4 >= level;
                    if (centre == ia) {
                        // a and d connected through the centre: cut off corners b and e
                        out.add(seg(bottom, right));
                        out.add(seg(top, left));
                    } else {
                        out.add(seg(left, bottom));
                        out.add(seg(right, top));
                    }
                }
            }
        }
        return out;
    }

    /** The segments of a level as one polyline array {x, y} with NaN between segments (for a chart series). */
    public static double[][] asPolyline(List<Segment> segments) {
        int n = segments.size();
        double[][] xy = new double[2][Math.max(0, 3 * n - 1)];
        for (int i = 0; i < n; i++) {
            Segment s = segments.get(i);
            xy[0][3 * i] = s.x0();
            xy[1][3 * i] = s.y0();
            xy[0][3 * i + 1] = s.x1();
            xy[1][3 * i + 1] = s.y1();
            if (i + 1 < n) {
                xy[0][3 * i + 2] = Double.NaN;
                xy[1][3 * i + 2] = Double.NaN;
            }
        }
        return xy;
    }

    private static Segment seg(double[] p, double[] q) {
        return new Segment(p[0], p[1], q[0], q[1]);
    }

    private static double[] point(double x0, double y0, double x1, double y1, double v0, double v1, double level) {
        double t = (level - v0) / (v1 - v0);
        return new double[] {x0 + t * (x1 - x0), y0 + t * (y1 - y0)};
    }

    static void check(double[] x, double[] y, double[][] z) {
        if (x.length < 2 || y.length < 2) throw new IllegalArgumentException("grid needs at least 2x2 points, got " + x.length + "x" + y.length);
        if (z.length != y.length) throw new IllegalArgumentException("grid values have " + z.length + " rows for " + y.length + " y coordinates");
        for (int r = 0; r < z.length; r++)
            if (z[r].length != x.length) throw new IllegalArgumentException("grid row " + r + " has " + z[r].length + " values for " + x.length + " x coordinates");
        for (int i = 1; i < x.length; i++) if (!(x[i] > x[i - 1])) throw new IllegalArgumentException("grid x coordinates must increase (index " + i + ")");
        for (int i = 1; i < y.length; i++) if (!(y[i] > y[i - 1])) throw new IllegalArgumentException("grid y coordinates must increase (index " + i + ")");
    }
}
