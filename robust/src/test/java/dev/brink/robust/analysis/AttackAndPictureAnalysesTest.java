package dev.brink.robust.analysis;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.nn.Module;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Conv2d;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The attack-diagnostic and picture analyses on tiny fixed models: the files they name, with known answers where there are some. */
class AttackAndPictureAnalysesTest {
    @TempDir
    Path dir;

    static final int D = 16;

    static Dataset data(int n, int classes) {
        java.util.Random r = new java.util.Random(7);
        byte[] px = new byte[n * D];
        r.nextBytes(px);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % classes;
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) names.add("c" + k);
        return Dataset.of("tiny", px, new int[] {1, 4, 4}, y, names);
    }

    /** A linear model [N, 1, 4, 4] -> [N, K] with weights W[k][i] = sin(1 + k * 16 + i) and bias 0.1 k. */
    static Module linear(int classes) {
        Module m = new Sequential(new Flatten(), new Linear(D, classes, true, new Generator(1)));
        float[] w = new float[classes * D], b = new float[classes];
        for (int k = 0; k < classes; k++) {
            b[k] = 0.1f * k;
            for (int i = 0; i < D; i++) w[k * D + i] = weight(k, i);
        }
        for (String name : m.namedParameters().keySet()) {
            if (name.endsWith("weight")) m.setParameter(name, Tensor.of(w, classes, D));
            else m.setParameter(name, Tensor.of(b, classes));
        }
        return m.eval();
    }

    static float weight(int k, int i) {
        return (float) Math.sin(1 + k * 16 + i);
    }

    AnalysisOutput run(String spec, Module model, Dataset data) throws Exception {
        Analysis a = Analyses.parse(spec);
        Path out = dir.resolve(spec.replaceAll("[^a-z0-9-]", "_"));
        Files.createDirectories(out);
        AnalysisOutput o = new AnalysisOutput(out, spec, "test");
        a.run(new AnalysisInput(model, "tiny", data, null, null, 64, 3, new PrintStream(OutputStream.nullOutputStream())), o);
        o.finish();
        for (AnalysisOutput.Item f : o.figures()) {
            BufferedImage img = ImageIO.read(out.resolve(f.file()).toFile());
            assertNotNull(img, f.file());
            int nonWhite = 0;
            for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) nonWhite++;
            assertTrue(nonWhite > 500, f.file() + " is not blank: " + nonWhite);
        }
        assertTrue(Files.isRegularFile(out.resolve("summary.json")));
        return o;
    }

    static List<String[]> csv(AnalysisOutput o, String file) throws Exception {
        List<String> lines = Files.readAllLines(o.dir().resolve(file));
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) rows.add(l.split(","));
        return rows;
    }

    static List<String> files(AnalysisOutput o) {
        List<String> f = new ArrayList<>();
        o.tables().forEach(i -> f.add(i.file()));
        o.figures().forEach(i -> f.add(i.file()));
        return f;
    }

    @Test
    void linearWeightsAreTheWeightsAndFgsmIsEpsTimesTheSignOfTheWeightDifference() throws Exception {
        Dataset d = data(4, 2);
        AnalysisOutput o = run("linear-weights:n=4,eps=0.25", linear(2), d);
        assertEquals(List.of("weights.csv", "fgsm.csv", "weights.png", "fgsm.png"), files(o));
        List<String[]> w = csv(o, "weights.csv");
        assertEquals(D, w.size());
        for (int i = 0; i < D; i++) assertEquals(weight(1, i) - weight(0, i), Double.parseDouble(w.get(i)[2]), 1e-5, "w = W_1 - W_0 at " + i);
        List<String[]> f = csv(o, "fgsm.csv");
        assertEquals(4 * D, f.size());
        for (String[] r : f) {
            int y = Integer.parseInt(r[1]), i = Integer.parseInt(r[2]), j = 1 - y;
            assertEquals(0.25 * Math.signum(weight(j, i) - weight(y, i)), Double.parseDouble(r[3]), 1e-6, "eps * sign(w_j - w_y) at sample " + r[0] + " feature " + i);
        }
        double maxAbs = 0;
        for (int i = 0; i < D; i++) maxAbs = Math.max(maxAbs, Math.abs(weight(1, i) - weight(0, i)));
        assertEquals(maxAbs, (Double) o.summary().get("weight_max_abs"), 1e-5);
    }

    @Test
    void linearWeightsRefuseANonLinearModel() {
        Module mlp = new Sequential(new Flatten(), new Linear(D, 8, true, new Generator(2)), new Activation(Activation.Kind.RELU), new Linear(8, 2, true, new Generator(3))).eval();
        NotApplicableException e = assertThrows(NotApplicableException.class, () -> run("linear-weights", mlp, data(8, 2)));
        assertTrue(e.getMessage().contains("not linear"), e.getMessage());
    }

    @Test
    void filtersOfALinearAndAConvolutionalFirstLayer() throws Exception {
        AnalysisOutput o = run("filters", linear(3), data(3, 3));
        List<String[]> rows = csv(o, "filters.csv");
        assertEquals(3, rows.size());
        double l2 = 0;
        for (int i = 0; i < D; i++) l2 += weight(2, i) * (double) weight(2, i);
        assertEquals(Math.sqrt(l2), Double.parseDouble(rows.get(2)[1]), 1e-5, "filter 2 is weight row 2");

        Module cnn = new Sequential(new Conv2d(1, 5, 3, 3, ConvGeometry.of(1, 1), true, new Generator(4)), new Flatten(), new Linear(5 * D, 2, true, new Generator(5))).eval();
        AnalysisOutput c = run("filters:columns=2", cnn, data(2, 2));
        assertEquals(5, csv(c, "filters.csv").size());
        assertTrue(((String) c.summary().get("layer")).endsWith("weight"));
    }

    @Test
    void jacobianMapsOfALinearModelAreItsWeightRows() throws Exception {
        AnalysisOutput o = run("jacobian-maps:n=2", linear(3), data(5, 3));
        List<String[]> rows = csv(o, "jacobian-norms.csv");
        assertEquals(2 * 3, rows.size());
        for (String[] r : rows) {
            int k = Integer.parseInt(r[2]);
            double l2 = 0;
            for (int i = 0; i < D; i++) l2 += weight(k, i) * (double) weight(k, i);
            assertEquals(Math.sqrt(l2), Double.parseDouble(r[4]), 1e-5, "||d z_k / dx|| = ||W_k||");
        }
    }

    @Test
    void foolingSweepAtZeroStepPredictsEachNoiseInputAsExactlyOneClass() throws Exception {
        AnalysisOutput o = run("fooling-sweep:samples=20,step=51", linear(3), data(3, 3));
        List<String[]> rows = csv(o, "fooling-sweep.csv");
        assertEquals(6, rows.size(), "eps 0, 51, ..., 255");
        double sum = 0;
        for (int k = 0; k < 3; k++) sum += Double.parseDouble(rows.get(0)[4 + k]);
        assertEquals(1, sum, 1e-9, "at eps 0 each input is 'successful' for exactly the class it is predicted as");
        assertEquals(1.0 / 3, Double.parseDouble(rows.get(0)[2]), 1e-9, "so the mean success rate over 3 targets is 1/3");
        for (String[] r : rows) {
            double s = Double.parseDouble(r[2]);
            assertTrue(s >= 0 && s <= 1);
        }
    }

    @Test
    void foolingImagesOneRowPerClass() throws Exception {
        AnalysisOutput o = run("fooling-images:trials=2,steps=10", linear(3), data(3, 3));
        assertEquals(6, csv(o, "fooling-images.csv").size());
        double rate = (Double) o.summary().get("success_rate");
        assertTrue(rate >= 0 && rate <= 1);
    }

    @Test
    void soTraceRecordsOneGradientNormPerIterationForPgdAndSecondOrder() throws Exception {
        AnalysisOutput o = run("so-trace:n=6,steps=5,eps=1", linear(2), data(6, 2));
        List<String[]> rows = csv(o, "gradient-trace.csv");
        assertEquals(2 * 5, rows.size(), "5 iterations of each attack, early stop off");
        assertEquals(5, rows.stream().filter(r -> r[0].equals("second-order")).count());
        for (String[] r : rows) assertTrue(Double.parseDouble(r[2]) > 0, "a linear model's cross-entropy gradient never vanishes");
    }

    /** Batches of 4 and 2 give the mean over all six samples (weighted by batch size), as one batch does. */
    @Test
    void soTraceInBatchesAveragesOverAllSamples() throws Exception {
        Module m = linear(2);
        Dataset d = data(6, 2);
        // a ball this small leaves every gradient at its clean value, whatever the random start
        List<String[]> one = csv(run("so-trace:n=6,batch=6,steps=3,eps=1e-7", m, d), "gradient-trace.csv");
        AnalysisOutput o = run("so-trace:n=6,batch=4,steps=3,eps=1e-7", m, d);
        List<String[]> split = csv(o, "gradient-trace.csv");
        assertEquals(one.size(), split.size());
        for (int i = 0; i < one.size(); i++) {
            double a = Double.parseDouble(one.get(i)[2]), b = Double.parseDouble(split.get(i)[2]);
            assertEquals(a, b, 1e-5 * a, "row " + i + " (" + one.get(i)[0] + ")");
        }
        assertEquals(6, ((Number) o.summary().get("samples")).intValue());
    }

    @Test
    void l0CurvesStartAtTheCleanAccuracy() throws Exception {
        Module m = linear(2);
        Dataset d = data(10, 2);
        AnalysisOutput o = run("l0-curves:attacks=extreme-weight+pixel-swap+jsma,pixels=0;1;2;6,n=10", m, d);
        List<String[]> rows = csv(o, "l0-curves.csv");
        assertEquals(12, rows.size());
        int[] pred = m.forward(d.x(0, 10)).argmax(1).toIntArray();
        int ok = 0;
        for (int i = 0; i < 10; i++) if (pred[i] == d.label(i)) ok++;
        for (String[] r : rows) {
            if (Double.parseDouble(r[1]) == 0) assertEquals(ok / 10.0, Double.parseDouble(r[3]), 1e-9, r[0] + " with no pixel changed keeps the clean accuracy");
            if (r[0].equals("jsma") && Double.parseDouble(r[1]) == 1)
                assertEquals(ok / 10.0, Double.parseDouble(r[3]), 1e-9, "jsma at one feature (no pair) keeps the clean accuracy");
            assertTrue(Double.parseDouble(r[4]) <= Double.parseDouble(r[1]) + 1e-9, r[0] + " changes at most its budget");
        }
        assertThrows(IllegalArgumentException.class, () -> Analyses.parse("l0-curves:attacks=pgd"), "pgd is not an L0 attack");
    }

    @Test
    void theNewAnalysesAreRegistered() {
        assertTrue(Analyses.names().containsAll(List.of("so-trace", "fooling-sweep", "l0-curves", "linear-weights", "filters", "fooling-images", "jacobian-maps")));
        assertTrue(Analyses.help().contains("Galloway"));
    }
}
