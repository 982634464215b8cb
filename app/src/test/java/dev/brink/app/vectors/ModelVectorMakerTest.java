package dev.brink.app.vectors;

import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFileException;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ModelVectorMaker} (what {@code brink vectors make} runs): every zoo model, in float64 and float32, makes a
 * case that {@link ModelVectorCheck} passes; the input Hessian has its closed form on a linear model and equals the
 * engine's own Hessian helpers.
 */
class ModelVectorMakerTest {
    @TempDir
    Path tmp;

    /** A small variant of every zoo model: name, width, input shape (with 2 samples each). */
    private record Small(String name, double width, int[] input) {}

    private static final List<Small> ZOO = List.of(
            new Small("logreg", 1, new int[] {1, 6, 6}),
            new Small("mlp-4x1024", 1.0 / 64, new int[] {1, 6, 6}),
            new Small("shaham-mnist", 1.0 / 16, new int[] {1, 12, 12}),
            new Small("madry-mnist", 1.0 / 16, new int[] {1, 8, 8}),
            new Small("yu-mnist", 1.0 / 16, new int[] {1, 8, 8}),
            new Small("galloway-cifar", 1.0 / 16, new int[] {3, 28, 28}),
            new Small("emr-cnn", 1.0 / 16, new int[] {1, 18, 18}),
            new Small("yu-cifar", 1.0 / 16, new int[] {3, 8, 8}),
            new Small("vgg-cifar", 1.0 / 32, new int[] {3, 32, 32}),
            new Small("vgg16-cifar", 1.0 / 32, new int[] {3, 32, 32}),
            new Small("resnet18", 1.0 / 32, new int[] {3, 4, 4}),
            new Small("wrn-34-10", 1.0 / 80, new int[] {3, 4, 4}),
            new Small("wrn-28-10", 1.0 / 80, new int[] {3, 4, 4}),
            new Small("wrn-32-10", 1.0 / 80, new int[] {3, 4, 4}));

    @Test
    void theListCoversTheZoo() {
        assertEquals(Zoo.names(), ZOO.stream().map(Small::name).toList(), "add the new zoo model to ZOO");
    }

    @Test
    void everyZooModelRoundTripsInFloat64AndFloat32() throws IOException {
        List<String> timings = new ArrayList<>();
        for (Small z : ZOO) {
            int k = z.name().equals("logreg") ? 1 : 4;
            SpecModel m = Zoo.build(z.name(), Zoo.Options.DEFAULT.withWidth(z.width()).withInput(z.input()).withClasses(k), new Generator(7));
            Generator g = new Generator(z.name().hashCode());
            int n = 2;
            int[] xs = ModelQuantities.prepend(z.input(), n);
            Tensor x = Tensor.rand(g, DType.FLOAT32, xs);
            Tensor y = Tensor.ofInts(new int[] {1 % Math.max(k, 2), 0}, n);
            List<String> q = ModelVectorMaker.defaultQuantities(z.input());
            for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                long t0 = System.nanoTime();
                Path dir = tmp.resolve(z.name() + "-" + dt.label());
                ModelVectorMaker.Made made = ModelVectorMaker.make(
                        new ModelVectorMaker.Request(m, x, y, null, 11, q, dt, Map.of("zoo", z.name())), dir, false);
                ModelVectorCheck.Result r = ModelVectorCheck.check(dir);
                assertTrue(r.pass(), z.name() + " " + dt.label() + ": " + r.quantities());
                assertEquals(q, r.quantities().stream().map(ModelVectorCheck.Quantity::name).toList());
                for (ModelVectorCheck.Quantity d : r.quantities())
                    assertTrue(d.error() <= (dt == DType.FLOAT64 ? 1e-12 : 1e-6), z.name() + " " + dt.label() + " " + d);
                Map<String, String> meta = SafeTensors.readHeader(dir.resolve(ModelVectorCheck.EXPECTED)).metadata();
                assertEquals(String.join(",", q), meta.get("quantities"));
                assertEquals(dt.label(), meta.get("dtype"));
                for (String name : made.shapes().keySet())
                    assertEquals(dt, SafeTensors.read(dir.resolve(ModelVectorCheck.EXPECTED)).tensors().get(name).dtype(), name);
                for (String quantity : q) {
                    double tol = Double.parseDouble(meta.get("tolerance.float32." + quantity));
                    double err = Double.parseDouble(meta.get("float32_error." + quantity));
                    assertTrue(tol >= ModelVectorMaker.FLOAT32_TOLERANCE_FLOOR && tol >= 10 * err * 0.999, quantity + ": " + tol + " vs " + err);
                }
                String readme = Files.readString(dir.resolve(ModelVectorMaker.README));
                for (String name : made.shapes().keySet())
                    if (!name.contains(".grad.") && !name.startsWith("grad.")) assertTrue(readme.contains("`" + name + "`"), name + " missing in README");
                timings.add(String.format("%s %s %.1f s", z.name(), dt.label(), (System.nanoTime() - t0) / 1e9));
                if (z.name().equals("logreg")) // one logit: the binary cross-entropy, not the (zero) cross-entropy of one class
                    assertTrue(SafeTensors.read(dir.resolve(ModelVectorCheck.EXPECTED)).tensors().get("loss").item() > 0.1);
            }
        }
        System.out.println("round trips: " + String.join("; ", timings));
    }

    /** L = mean CE of logits x W^T + b: the Hessian of sample n is (1/N) W^T (diag(p) - p p^T) W. */
    @Test
    void theInputHessianOfALinearModelIsItsClosedForm() throws IOException {
        String spec = "{\"input\": [1, 2, 2], \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"linear\", \"out\": 3, \"bias\": true}]}";
        SpecModel m = ModelSpec.build(spec, new Generator(3));
        m.to(DType.FLOAT64);
        double[] w = {0.5, -1, 0.25, 2, -0.75, 0.3, 1.5, -0.2, 0.1, 0.9, -1.2, 0.4};
        double[] b = {0.1, -0.3, 0.2};
        try (GradMode.Scope s = GradMode.noGrad()) {
            m.trainableParameters().get("layers.1.weight").assign(Tensor.of(w, 3, 4));
            m.trainableParameters().get("layers.1.bias").assign(Tensor.of(b, 3));
        }
        double[] xv = {0.2, 0.9, 0.4, 0.1, 0.7, 0.3, 0.5, 0.8};
        Tensor x = Tensor.of(xv, 2, 1, 2, 2);
        Tensor y = Tensor.ofInts(new int[] {2, 0}, 2);
        Tensor v = Tensor.of(new double[] {1, -2, 0.5, 0.25, -1, 1, 2, -0.5}, 2, 1, 2, 2);
        m.eval();
        Map<String, Tensor> got = ModelQuantities.compute(m, x, y, v, List.of("hessian_x", "hvp_x"));
        double[] h = got.get("hessian_x").toDoubleArray();
        assertArrayEquals(new int[] {2, 4, 4}, got.get("hessian_x").shape());
        for (int n = 0; n < 2; n++) {
            double[] z = new double[3], p = new double[3];
            double zmax = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < 3; k++) {
                z[k] = b[k];
                for (int i = 0; i < 4; i++) z[k] += w[k * 4 + i] * xv[n * 4 + i];
                zmax = Math.max(zmax, z[k]);
            }
            for (int k = 0; k < 3; k++) sum += p[k] = Math.exp(z[k] - zmax);
            for (int k = 0; k < 3; k++) p[k] /= sum;
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    double e = 0;
                    for (int k = 0; k < 3; k++)
                        for (int l = 0; l < 3; l++) e += w[k * 4 + i] * ((k == l ? p[k] : 0) - p[k] * p[l]) * w[l * 4 + j];
                    assertEquals(e / 2, h[n * 16 + i * 4 + j], 1e-14, "sample " + n + " [" + i + ", " + j + "]");
                }
        }
        // hvp_x[n] = hessian_x[n] v[n]
        double[] hv = got.get("hvp_x").toDoubleArray(), vv = v.toDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 4; i++) {
                double e = 0;
                for (int j = 0; j < 4; j++) e += h[n * 16 + i * 4 + j] * vv[n * 4 + j];
                assertEquals(e, hv[n * 4 + i], 1e-14);
            }
    }

    /** The batched hessian_x equals Derivatives.sampleHessians and the diagonal blocks of Derivatives.hessian. */
    @Test
    void theBatchedInputHessianEqualsTheEngineHelpers() {
        SpecModel m = Zoo.build("yu-mnist", Zoo.Options.DEFAULT.withWidth(1.0 / 16).withInput(1, 5, 5).withClasses(3), new Generator(5));
        m.to(DType.FLOAT64);
        m.eval();
        Tensor x = Tensor.rand(new Generator(9), DType.FLOAT64, 3, 1, 5, 5);
        Tensor y = Tensor.ofInts(new int[] {0, 2, 1}, 3);
        Tensor batched = ModelQuantities.inputHessian(m, x, y);
        Tensor plain = Derivatives.sampleHessians(t -> ModelQuantities.loss(m.forward(t), y), x);
        assertArrayEquals(plain.toDoubleArray(), batched.toDoubleArray(), 1e-13);
        double[] full = Derivatives.hessian(t -> ModelQuantities.loss(m.forward(t), y), x).reshape(75, 75).toDoubleArray();
        double[] blocks = batched.toDoubleArray();
        double max = 0;
        for (int a = 0; a < 75; a++)
            for (int c = 0; c < 75; c++) {
                int na = a / 25, nc = c / 25;
                double want = na == nc ? blocks[na * 625 + (a % 25) * 25 + c % 25] : 0;
                assertEquals(want, full[a * 75 + c], 1e-13);
                max = Math.max(max, Math.abs(want));
            }
        assertTrue(max > 1e-6, "the Hessian should not vanish: " + max);
    }

    /** The checker holds a made case to its 'quantities' entry; a one-logit model's loss is the binary cross-entropy. */
    @Test
    void theCheckerHoldsACaseToItsQuantitiesEntry() throws IOException {
        SpecModel m = Zoo.build("logreg", Zoo.Options.DEFAULT.withInput(1, 3, 3).withClasses(1), new Generator(1));
        Tensor x = Tensor.rand(new Generator(4), DType.FLOAT32, 2, 1, 3, 3);
        Path dir = tmp.resolve("logreg");
        ModelVectorMaker.make(new ModelVectorMaker.Request(m, x, Tensor.ofInts(new int[] {1, 0}, 2), null, 0,
                List.of("logits", "loss", "hessian_x"), DType.FLOAT64, Map.of()), dir, false);
        ModelVectorCheck.Result r = ModelVectorCheck.check(dir);
        assertTrue(r.pass(), r.quantities().toString());
        assertEquals(List.of("logits", "loss", "hessian_x"), r.quantities().stream().map(ModelVectorCheck.Quantity::name).toList());
        Map<String, Tensor> e = SafeTensors.read(dir.resolve(ModelVectorCheck.EXPECTED)).tensors();
        double[] z = e.get("logits").toDoubleArray();
        double bce = (Math.log1p(Math.exp(-z[0])) + Math.log1p(Math.exp(z[1]))) / 2; // labels 1 and 0
        assertEquals(bce, e.get("loss").item(), 1e-15);

        Path expected = dir.resolve(ModelVectorCheck.EXPECTED);
        SafeTensors.Contents c = SafeTensors.read(expected);
        Map<String, Tensor> fewer = new java.util.LinkedHashMap<>(c.tensors());
        fewer.remove("hessian_x");
        SafeTensors.write(expected, fewer, c.metadata());
        ModelFileException missing = assertThrows(ModelFileException.class, () -> ModelVectorCheck.check(dir));
        assertTrue(missing.getMessage().contains(expected.toString()) && missing.getMessage().contains("missing tensor 'hessian_x'"), missing.getMessage());
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("quantities", "logits,loss,bogus");
        SafeTensors.write(expected, c.tensors(), meta);
        ModelFileException bogus = assertThrows(ModelFileException.class, () -> ModelVectorCheck.check(dir));
        assertTrue(bogus.getMessage().contains("metadata 'quantities': unknown quantity 'bogus'"), bogus.getMessage());
        SafeTensors.write(expected, c.tensors(), c.metadata());

        Path data = dir.resolve(ModelVectorCheck.DATA);
        SafeTensors.Contents d = SafeTensors.read(data);
        Map<String, Tensor> t = new java.util.LinkedHashMap<>(d.tensors());
        t.put("y", Tensor.ofInts(new int[] {2, 0}, 2));
        SafeTensors.write(data, t, d.metadata());
        ModelFileException label = assertThrows(ModelFileException.class, () -> ModelVectorCheck.check(dir));
        assertTrue(label.getMessage().contains("y holds label 2, not 0 or 1 for a one-logit (binary) model"), label.getMessage());
    }

    @Test
    void badRequestsAreRefusedWithTheProblemNamed() throws IOException {
        SpecModel m = Zoo.build("mlp-4x1024", Zoo.Options.DEFAULT.withWidth(1.0 / 64).withInput(1, 4, 4).withClasses(3), new Generator(1));
        Tensor x = Tensor.rand(new Generator(2), DType.FLOAT32, 2, 1, 4, 4);
        Tensor y = Tensor.ofInts(new int[] {0, 1}, 2);
        List<String> q = ModelQuantities.ALL;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelVectorMaker.make(
                new ModelVectorMaker.Request(m, Tensor.rand(new Generator(2), DType.FLOAT32, 2, 1, 5, 5), y, null, 0, q, DType.FLOAT64, Map.of()), tmp.resolve("a"), false));
        assertTrue(e.getMessage().contains("the data's samples are [1, 5, 5]") && e.getMessage().contains("the model takes [1, 4, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelVectorMaker.make(
                new ModelVectorMaker.Request(m, x, Tensor.ofInts(new int[] {0, 3}, 2), null, 0, q, DType.FLOAT64, Map.of()), tmp.resolve("b"), false));
        assertTrue(e.getMessage().contains("sample 1 has label 3, outside [0, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelVectorMaker.make(
                new ModelVectorMaker.Request(m, x, y, Tensor.zeros(2, 16), 0, q, DType.FLOAT64, Map.of()), tmp.resolve("c"), false));
        assertTrue(e.getMessage().contains("v has shape [2, 16]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelQuantities.parse("logits,hessian,grad"));
        assertTrue(e.getMessage().contains("unknown quantity 'hessian'"), e.getMessage());
        assertEquals(List.of("logits", "grad.*", "emr.grad.*"), ModelQuantities.parse("emr.grad, grad,logits"));
        assertEquals(ModelQuantities.ALL, ModelQuantities.parse("all"));
        assertEquals(ModelQuantities.DEFAULT, ModelVectorMaker.defaultQuantities(new int[] {1, 28, 28}));
        assertEquals(ModelQuantities.ALL, ModelVectorMaker.defaultQuantities(new int[] {3, 8, 8}));

        Path full = tmp.resolve("full");
        Files.createDirectories(full);
        Files.writeString(full.resolve("keep.txt"), "mine");
        IOException io = assertThrows(IOException.class, () -> ModelVectorMaker.make(
                new ModelVectorMaker.Request(m, x, y, null, 0, List.of("logits"), DType.FLOAT64, Map.of()), full, false));
        assertTrue(io.getMessage().contains("exists and is not empty (holds keep.txt)"), io.getMessage());
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
    }
}
