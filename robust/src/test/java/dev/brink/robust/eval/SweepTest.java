package dev.brink.robust.eval;

import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.report.SweepPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sweeps with FGSM on the threshold classifier of {@link RobustEvaluationTest}: sample i sits at distance d_i from
 * the decision threshold in x0, so FGSM (which moves x0 by exactly eps towards it) fools it iff eps > d_i, and the
 * accuracy at each eps is known.
 */
class SweepTest {
    @TempDir
    Path dir;

    static final float[] D = {0.05f, 0.15f, 0.25f, 0.35f, 0.05f, 0.15f, 0.25f, 0.35f};

    static Tensor[] data() {
        int n = D.length;
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[2 * i] = y[i] == 1 ? 0.5f + D[i] : 0.5f - D[i];
            x[2 * i + 1] = 0.5f;
        }
        return new Tensor[] {Tensor.of(x, n, 2), Tensor.ofInts(y, n)};
    }

    static List<Sweep.SweepAttack> attacks() {
        return List.of(new Sweep.SweepAttack("fgsm", Attacks.create("fgsm", Map.of()), Norm.LINF),
                new Sweep.SweepAttack("fgsm-cw", Attacks.create("fgsm", Map.of("loss", "cw")), Norm.LINF));
    }

    @Test
    void accuracyFallsAsKnownAndUntilZeroExtendsTheRange() throws Exception {
        Tensor[] d = data();
        Sweep.Config cfg = Sweep.Config.of(EpsRange.parse("0:0.2:0.1"), true, 3, 0);
        List<Sweep.Row> rows = Sweep.run(RobustEvaluationTest.threshold(), d[0], d[1], attacks(), cfg, null);
        // eps 0, 0.1, 0.2 in range; 0.3 and 0.4 by extension; stops at 0.4 where accuracy is zero
        assertEquals(5 * 3, rows.size(), rows.toString());
        double[] expected = {1, 0.75, 0.5, 0.25, 0};
        double[] eps = {0, 0.1, 0.2, 0.3, 0.4};
        for (int k = 0; k < 5; k++) {
            for (String a : new String[] {"fgsm", "fgsm-cw", Sweep.WORST_CASE}) {
                Sweep.Row r = find(rows, a, eps[k]);
                assertEquals(expected[k], r.accuracy(), 1e-12, a + " at " + eps[k]);
                assertEquals(8, r.samples());
                assertEquals(1.0, r.cleanAccuracy(), 1e-12);
            }
        }
        Sweep.Row r = find(rows, "fgsm", 0.2);
        assertEquals(0.5, r.successRate(), 1e-12);
        assertEquals(0.2, r.meanLinf(), 1e-6, "FGSM moves every feature it changes by eps");
        assertEquals(0.2, r.meanL2(), 1e-6, "only x0 changes");
        assertTrue(find(rows, "fgsm", 0).modelCalls() == 0, "eps 0 costs no attack");

        Path csv = dir.resolve("out/sweep.csv");
        SweepCsv.write(csv, rows);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(SweepCsv.HEADER, lines.get(0));
        assertTrue(lines.get(0).startsWith("attack,eps,accuracy,success_rate,mean_l2,mean_linf"));
        assertEquals(16, lines.size());
        assertTrue(lines.contains(lines.stream().filter(l -> l.startsWith("fgsm,0.2,0.5,0.5,0.2,0.2,")).findFirst().orElse("missing")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("worst-case,0.4,0,1,,,")), lines.toString());
        List<Sweep.Row> back = SweepCsv.read(csv);
        assertEquals(rows.size(), back.size());
        assertEquals(rows.get(4).accuracy(), back.get(4).accuracy(), 1e-6);
        assertEquals(rows.get(4).attack(), back.get(4).attack());

        Path png = dir.resolve("out/sweep.png");
        SweepPlot.write(png, rows, "threshold model");
        assertTrue(Files.size(png) > 5_000, "a real plot, not an empty image: " + Files.size(png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO reads the PNG back");
        assertEquals(SweepPlot.PANEL_WIDTH, img.getWidth());
        assertTrue(countColor(img, 0x1f77b4) > 20, "the first series (under the others: equal curves) shows in the legend in the first palette colour");
        assertTrue(countColor(img, 0xff7f0e) > 200, "the second series is drawn");
    }

    @Test
    void withoutUntilZeroTheRangeIsKept() {
        Tensor[] d = data();
        List<Sweep.Row> rows = Sweep.run(RobustEvaluationTest.threshold(), d[0], d[1], attacks().subList(0, 1),
                Sweep.Config.of(EpsRange.parse("0,0.1"), false, 8, 0), null);
        assertEquals(2, rows.size(), "one attack, no worst-case rows");
        assertEquals(0.1, rows.get(1).eps(), 1e-12);
    }

    @Test
    void maxEpsCapsTheExtension() {
        Tensor[] d = data();
        List<Sweep.Row> rows = Sweep.run(RobustEvaluationTest.threshold(), d[0], d[1], attacks().subList(0, 1),
                Sweep.Config.of(EpsRange.parse("0:0.1:0.1"), true, 8, 0).withMaxEps(0.25), null);
        assertEquals(0.2, rows.get(rows.size() - 1).eps(), 1e-12);
        assertEquals(3, rows.size());
    }

    @Test
    void plotsSeveralNormsInPanels() throws Exception {
        List<Sweep.Row> rows = List.of(
                new Sweep.Row("a", Norm.LINF, 0, 10, 1, 1, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0),
                new Sweep.Row("a", Norm.LINF, 0.1, 10, 1, 0.5, 0.5, 3, 2, 1, 0.1, 10, 0.1),
                new Sweep.Row("b", Norm.L2, 0, 10, 1, 1, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0),
                new Sweep.Row("b", Norm.L2, 2, 10, 1, 0.2, 0.8, 30, 20, 1.9, 0.4, 10, 0.1));
        BufferedImage img = SweepPlot.render(rows, "two norms");
        assertEquals(2 * SweepPlot.PANEL_WIDTH, img.getWidth());
    }

    static Sweep.Row find(List<Sweep.Row> rows, String attack, double eps) {
        return rows.stream().filter(r -> r.attack().equals(attack) && Math.abs(r.eps() - eps) < 1e-9).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + attack + " " + eps + " in " + rows));
    }

    static int countColor(BufferedImage img, int rgb) {
        int c = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int dr = ((p >> 16) & 0xFF) - ((rgb >> 16) & 0xFF), dg = ((p >> 8) & 0xFF) - ((rgb >> 8) & 0xFF), db = (p & 0xFF) - (rgb & 0xFF);
                if (dr * dr + dg * dg + db * db < 30 * 30) c++;
            }
        return c;
    }

}
