package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Evaluation;
import dev.brink.nn.zoo.Zoo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpertInitializationTest {
    static SpecModel logreg(int c, int h, int w) {
        return ModelSpec.build("{\"input\":[" + c + "," + h + "," + w + "],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":1}]}", new Generator(3));
    }

    @Test
    void weightsAreTheDifferenceOfClassMeansAndTheBiasTheMidpoint() {
        // 2x2 images: class 0 = {a, b}, class 1 = {c}
        byte[] px = {(byte) 255, 0, 0, 51, /* a */ (byte) 153, 0, 102, 51, /* b */ 0, (byte) 255, (byte) 255, 0 /* c */};
        Dataset d = Dataset.of("toy", px, new int[] {1, 2, 2}, new int[] {0, 0, 1}, List.of("3", "7"));
        SpecModel m = logreg(1, 2, 2);
        ExpertInitialization.apply(m, d, true);
        double[] m0 = {(1 + 0.6) / 2, 0, 0.4 / 2, 0.2}, m1 = {0, 1, 1, 0};
        double[] w = new double[4];
        double b = 0;
        for (int j = 0; j < 4; j++) {
            w[j] = m1[j] - m0[j];
            b -= w[j] * (m0[j] + m1[j]) / 2;
        }
        assertArrayEquals(w, m.trainableParameters().get("layers.1.weight").toDoubleArray(), 1e-6);
        assertEquals(b, m.trainableParameters().get("layers.1.bias").item(), 1e-6);
        ExpertInitialization.apply(m, d);
        assertArrayEquals(w, m.trainableParameters().get("layers.1.weight").toDoubleArray(), 1e-6);
        assertEquals(0, m.trainableParameters().get("layers.1.bias").item(), "Galloway et al. initialize the weights only");
        assertTrue(m.trainableParameters().get("layers.1.weight").requiresGrad());
        assertThrows(IllegalArgumentException.class, () -> ExpertInitialization.apply(ObjectiveTestKit.tinyConvNet(1, DType.FLOAT32), d));
    }

    /** On MNIST 3 vs 7 the expert initialization alone is a good but underfitting classifier (Galloway et al.: about 5.2% error). */
    @Test
    void expertInitializedLogisticRegressionClassifiesMnist3v7() throws Exception {
        Path dir = null;
        for (Path q = Paths.get("").toAbsolutePath(); q != null && dir == null; q = q.getParent())
            if (Files.isRegularFile(q.resolve("data/mnist/train-images-idx3-ubyte")) || Files.isRegularFile(q.resolve("data/mnist/train-images-idx3-ubyte.gz"))) dir = q.resolve("data");
        Assumptions.assumeTrue(dir != null, "MNIST not found (make data)");
        Dataset train = Datasets.load("mnist-3v7", dir, true), test = Datasets.load("mnist-3v7", dir, false);
        SpecModel m = Zoo.build("logreg", Zoo.Options.DEFAULT, new Generator(0));
        ExpertInitialization.apply(m, train);
        m.eval();
        double acc = Evaluation.accuracy(m, test, 512, null);
        ExpertInitialization.apply(m, train, true);
        double midpoint = Evaluation.accuracy(m, test, 512, null);
        System.out.printf("expert initialization, mnist-3v7 test accuracy %.4f (midpoint bias: %.4f)%n", acc, midpoint);
        assertEquals(0.948, acc, 0.01, "Galloway et al.: about 5.2% error");
        assertTrue(midpoint > acc, "the midpoint bias fits better: " + midpoint);
    }
}
