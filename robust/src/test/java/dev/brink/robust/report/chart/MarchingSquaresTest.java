package dev.brink.robust.report.chart;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MarchingSquaresTest {
    static double[] grid(double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * i / (n - 1);
        return v;
    }

    @Test
    void planeZeroLineLiesExactlyOnTheLine() {
        double[] x = grid(-1, 1, 21), y = grid(-1, 1, 17);
        double[][] z = new double[y.length][x.length];
        for (int r = 0; r < y.length; r++) for (int c = 0; c < x.length; c++) z[r][c] = x[c] + 2 * y[r] - 0.3;
        List<MarchingSquares.Segment> s = MarchingSquares.contour(x, y, z, 0);
        assertFalse(s.isEmpty());
        double length = 0;
        for (MarchingSquares.Segment g : s) {
            assertEquals(0, g.x0() + 2 * g.y0() - 0.3, 1e-12, "start on the line: " + g);
            assertEquals(0, g.x1() + 2 * g.y1() - 0.3, 1e-12, "end on the line: " + g);
            length += g.length();
        }
        // the line x + 2y = 0.3 inside the square: from y = -1 (x = 2.3, outside) ... clipped: x in [-1, 1] gives y in [-0.35, 0.65]
        assertEquals(Math.hypot(2, 1), length, 1e-9, "the segments cover the line across the square once");
    }

    @Test
    void circleIsClosedAndHasTheRightRadiusAndLength() {
        double[] x = grid(-1, 1, 81), y = grid(-1, 1, 81);
        double rad = 0.6;
        double[][] z = new double[y.length][x.length];
        for (int r = 0; r < y.length; r++) for (int c = 0; c < x.length; c++) z[r][c] = x[c] * x[c] + y[r] * y[r] - rad * rad;
        List<MarchingSquares.Segment> s = MarchingSquares.contour(x, y, z, 0);
        double length = 0;
        Map<String, Integer> ends = new HashMap<>();
        for (MarchingSquares.Segment g : s) {
            assertEquals(rad, Math.hypot(g.x0(), g.y0()), 2e-3, "on the circle: " + g);
            assertEquals(rad, Math.hypot(g.x1(), g.y1()), 2e-3, "on the circle: " + g);
            length += g.length();
            ends.merge(key(g.x0(), g.y0()), 1, Integer::sum);
            ends.merge(key(g.x1(), g.y1()), 1, Integer::sum);
        }
        assertEquals(2 * Math.PI * rad, length, 0.01, "perimeter");
        for (Map.Entry<String, Integer> e : ends.entrySet()) assertEquals(2, e.getValue(), "closed: every end point joins two segments, " + e.getKey());
    }

    @Test
    void otherLevelsAndNoCrossing() {
        double[] x = grid(0, 1, 5), y = grid(0, 1, 5);
        double[][] z = new double[5][5];
        for (int r = 0; r < 5; r++) for (int c = 0; c < 5; c++) z[r][c] = x[c];
        for (MarchingSquares.Segment g : MarchingSquares.contour(x, y, z, 0.6)) {
            assertEquals(0.6, g.x0(), 1e-12);
            assertEquals(0.6, g.x1(), 1e-12);
        }
        assertEquals(4, MarchingSquares.contour(x, y, z, 0.6).size(), "one segment per row of cells");
        assertTrue(MarchingSquares.contour(x, y, z, 2).isEmpty(), "a level above every value has no contour");
    }

    @Test
    void saddleGivesTwoSegmentsThatDoNotCross() {
        double[] x = {0, 1}, y = {0, 1};
        double[][] z = {{1, -1}, {-1, 1}};
        List<MarchingSquares.Segment> s = MarchingSquares.contour(x, y, z, 0.1);
        assertEquals(2, s.size());
    }

    @Test
    void badGridsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MarchingSquares.contour(new double[] {0, 1, 2}, new double[] {0, 1}, new double[][] {{0, 1, 2}, {0, 1}}, 0));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarchingSquares.contour(new double[] {1, 0}, new double[] {0, 1}, new double[][] {{0, 1}, {0, 1}}, 0));
    }

    @Test
    void polylineSeparatesSegmentsWithNaN() {
        List<MarchingSquares.Segment> s = List.of(new MarchingSquares.Segment(0, 0, 1, 1), new MarchingSquares.Segment(2, 2, 3, 3));
        double[][] p = MarchingSquares.asPolyline(s);
        assertEquals(5, p[0].length);
        assertTrue(Double.isNaN(p[0][2]));
        assertEquals(3, p[1][4]);
    }

    private static String key(double x, double y) {
        return Math.round(x * 1e9) + "," + Math.round(y * 1e9);
    }
}
