package dev.brink.robust.report.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ChartsTest {
    @TempDir
    Path dir;

    static int count(BufferedImage img, int rgb, int tolerance) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs(((p >> 16) & 0xFF) - ((rgb >> 16) & 0xFF)) <= tolerance && Math.abs(((p >> 8) & 0xFF) - ((rgb >> 8) & 0xFF)) <= tolerance
                        && Math.abs((p & 0xFF) - (rgb & 0xFF)) <= tolerance) n++;
            }
        return n;
    }

    static int nonWhite(BufferedImage img) {
        return img.getWidth() * img.getHeight() - count(img, 0xFFFFFF, 0);
    }

    @Test
    void lineChartRendersAtTheRequestedSizeWithItsSeriesColours() throws Exception {
        LineChart c = new LineChart("trace", "iteration", "gradient norm").logY()
                .add("a", new double[] {1, 0.1, 0.01, 0.001}).add("b", new double[] {2, 1, 0.5, 0.2});
        BufferedImage img = c.render(640, 420);
        assertEquals(640, img.getWidth());
        assertEquals(420, img.getHeight());
        assertTrue(count(img, 0x1f77b4, 10) > 100, "first series drawn in the first palette colour");
        assertTrue(count(img, 0xff7f0e, 10) > 100, "second series drawn in the second palette colour");
        assertInstanceOf(LogarithmicAxis.class, c.chart().getXYPlot().getRangeAxis(), "a logarithmic y axis");
        Path f = dir.resolve("line.png");
        c.write(f, 300, 200);
        BufferedImage back = ImageIO.read(f.toFile());
        assertEquals(300, back.getWidth());
        assertTrue(nonWhite(back) > 3000, "not blank");
    }

    @Test
    void logAxisLeavesOutNonPositiveValues() {
        LineChart c = new LineChart("t", "x", "y").logY().add("a", new double[] {0, 1, 2}, new double[] {0, 1, 10});
        XYPlot p = c.chart().getXYPlot();
        assertTrue(Double.isNaN(p.getDataset().getYValue(0, 0)), "y = 0 cannot be shown on a log axis");
        assertEquals(10, p.getDataset().getYValue(0, 2));
    }

    @Test
    void histogramCountsAndDraws() {
        double[] counts = Histogram.counts(new double[] {0.05, 0.15, 0.15, 0.95, 2, -1, Double.NaN}, 10, 0, 1);
        assertArrayEquals(new double[] {2, 2, 0, 0, 0, 0, 0, 0, 0, 2}, counts, "clamped to the end bins, NaN skipped");
        BufferedImage img = new Histogram("margins", "margin", "points").addValues("test", new double[] {0.1, 0.2, 0.2, 0.3, 0.7}, 10, 0, 1)
                .marker(0.3, "mean", Color.RED).render(500, 300);
        assertTrue(count(img, 0x1f77b4, 10) > 500, "bars drawn");
        assertThrows(IllegalArgumentException.class, () -> new Histogram("h", "x", "y").addCounts("a", new double[] {0, 1}, new double[] {1, 2}));
    }

    @Test
    void heatMapShowsColoursContourTrajectoryAndColourBar() {
        double[] x = MarchingSquaresTest.grid(-1, 1, 41), y = MarchingSquaresTest.grid(-1, 1, 41);
        double[][] z = new double[41][41];
        for (int r = 0; r < 41; r++) for (int c = 0; c < 41; c++) z[r][c] = x[c] - y[r];
        HeatMap h = new HeatMap("d", "u", "v", x, y, z).colorScale(ColorScale.symmetric(2)).valueLabel("d(x)")
                .contour(0, "d = 0", Color.BLACK).trajectory("attack", new double[] {0.5, 0, -0.5}, new double[] {-0.5, 0, 0.5}, new Color(0x00FF00))
                .point("x", 0.5, -0.5, new Color(0xFF00FF));
        BufferedImage img = h.render(700, 560);
        assertEquals(700, img.getWidth());
        assertTrue(count(img, 0xb2182b, 30) > 2000, "the positive half is red");
        assertTrue(count(img, 0x2166ac, 30) > 2000, "the negative half is blue");
        assertTrue(count(img, 0x00FF00, 20) > 50, "the trajectory is drawn");
        assertTrue(count(img, 0xFF00FF, 20) > 40, "the point is drawn");
        // the contour lies on the diagonal: along it the pixels are dark
        JFreeChart c = h.chart();
        assertEquals(2, c.getXYPlot().getDatasetCount(), "grid plus overlays");
        double[][] line = MarchingSquares.asPolyline(MarchingSquares.contour(x, y, z, 0));
        for (int i = 0; i < line[0].length; i++) if (!Double.isNaN(line[0][i])) assertEquals(line[0][i], line[1][i], 1e-12);
    }

    @Test
    void colourScales() {
        ColorScale d = ColorScale.diverging(-1, 0, 3);
        assertEquals(0xf7f7f7, d.rgb(0), "white at the centre");
        assertEquals(0x2166ac, d.rgb(-1));
        assertEquals(0xb2182b, d.rgb(3));
        assertEquals(0xb2182b, d.rgb(99), "clamped");
        ColorScale v = ColorScale.viridis(0, 1);
        assertEquals(0x440154, v.rgb(0));
        assertEquals(0xfde725, v.rgb(1));
        assertThrows(IllegalArgumentException.class, () -> ColorScale.viridis(1, 1));
    }

    @Test
    void scatterWithDiagonal() {
        BufferedImage img = new ScatterChart("bound vs margin", "DeepFool", "certified").add("points", new double[] {1, 2, 3}, new double[] {0.5, 1, 2})
                .diagonal().render(400, 400);
        assertTrue(count(img, 0x1f77b4, 60) > 30, "markers drawn");
        assertThrows(IllegalArgumentException.class, () -> new ScatterChart("s", "x", "y").add("a", new double[] {1}, new double[] {}));
    }

    @Test
    void tinySizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LineChart("t", "x", "y").render(8, 300));
    }

    @Test
    void emptyChartStillRenders() throws Exception {
        BufferedImage img = new LineChart("nothing yet", "x", "y").render(300, 200);
        assertTrue(nonWhite(img) > 500, "axes and title");
        assertTrue(Files.notExists(dir.resolve("x")));
    }
}
