package dev.brink.robust.report;

import dev.brink.robust.report.chart.LineChart;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.RobustEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReportTest {
    @TempDir
    Path dir;

    static RobustEvaluation.Adversarial examples(String label, int n, int c, int h, int w, long seed) {
        Tensor x = Tensor.rand(new Generator(seed), DType.FLOAT32, n, c, h, w);
        Tensor adv = x.add(Tensor.rand(new Generator(seed + 1), DType.FLOAT32, n, c, h, w).sub(0.5).mul(0.2)).clamp(0, 1);
        int[] y = new int[n], p = new int[n], idx = new int[n];
        boolean[] ok = new boolean[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            p[i] = i % 2 == 0 ? y[i] : (y[i] + 1) % 3;
            ok[i] = p[i] != y[i];
            idx[i] = i;
        }
        return new RobustEvaluation.Adversarial(label, ThreatModel.of(Norm.LINF, 0.1), x, adv, y, idx, ok, p);
    }

    @Test
    void gridHasARowPerImageKindAndReadsBack() throws Exception {
        Path f = dir.resolve("g/grid.png");
        ImageGrid.write(f, List.of(examples("fgsm", 6, 1, 28, 28, 1), examples("pgd", 6, 1, 28, 28, 1)), List.of("zero", "one", "two"), 10);
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img);
        // 1 original row + 2 rows per attack, each 84 px images plus captions
        assertTrue(img.getHeight() >= 5 * 84, "height " + img.getHeight());
        assertTrue(img.getWidth() >= 6 * 84, "width " + img.getWidth());
        assertTrue(Files.size(f) > 10_000);
    }

    @Test
    void colourImagesAndFewerColumns() {
        BufferedImage img = ImageGrid.render(List.of(examples("a", 5, 3, 32, 32, 2)), null, 3);
        assertTrue(img.getWidth() < 170 + 4 * 110, "3 columns only: " + img.getWidth());
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(), null, 3));
    }

    @Test
    void bitmapFontFallbackDrawsText() {
        boolean prev = Text.useFonts(false);
        try {
            assertFalse(Text.usesFonts());
            BufferedImage img = new LineChart("title", "eps", "accuracy").add("a", new double[] {0, 1}, new double[] {1, 0}).yRange(0, 1).render(400, 300);
            int dark = 0;
            for (int y = 0; y < 30; y++) for (int x = 0; x < 400; x++) if ((img.getRGB(x, y) & 0xFF) < 80) dark++;
            assertTrue(dark > 20, "the title is drawn with the bitmap font");
        } finally {
            Text.useFonts(prev);
        }
    }

    @Test
    void htmlReportEscapesAndLinksImages() throws Exception {
        HtmlReport h = new HtmlReport("t <1>");
        h.heading("A & B").paragraph("x < y").table(List.of("attack", "accuracy"), List.of(List.of("pgd", "0.5000"))).figure("grid.png", "the grid");
        Path f = dir.resolve("r/index.html");
        h.write(f);
        String s = Files.readString(f);
        assertTrue(s.startsWith("<!DOCTYPE html>"));
        assertTrue(s.contains("t &lt;1&gt;") && s.contains("A &amp; B") && s.contains("x &lt; y"));
        assertTrue(s.contains("<img src=\"grid.png\""));
        assertTrue(s.contains("<td class=\"n\">0.5000</td>"));
    }

    @Test
    void ticksAreRound() {
        // the chart library chooses the ticks: on [0, 0.5] the step is a round 1, 2 or 5 times a power of ten
        JFreeChart c = new LineChart("t", "eps", "accuracy").add("a", new double[] {0, 0.5}, new double[] {1, 0}).xRange(0, 0.5).chart();
        BufferedImage img = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        c.draw(g, new Rectangle2D.Double(0, 0, 400, 300));
        g.dispose();
        double step = ((NumberAxis) c.getXYPlot().getDomainAxis()).getTickUnit().getSize();
        double mantissa = step / Math.pow(10, Math.floor(Math.log10(step)));
        assertTrue(Math.abs(mantissa - 1) < 1e-9 || Math.abs(mantissa - 2) < 1e-9 || Math.abs(mantissa - 2.5) < 1e-9 || Math.abs(mantissa - 5) < 1e-9, "round tick step " + step);
        assertTrue(step >= 0.05 && step <= 0.25, "a handful of ticks on [0, 0.5]: " + step);
    }
}
