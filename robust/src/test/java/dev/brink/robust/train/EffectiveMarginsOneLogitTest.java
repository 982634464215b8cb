package dev.brink.robust.train;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.layer.Linear;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A one-logit model (binary logistic regression, class 1 where z > 0) has effective margin (2y - 1) z / ||w||: its
 * exact signed distance to the boundary z = 0, as the attacks' two-logit view (0, z) makes it.
 */
class EffectiveMarginsOneLogitTest {
    @Test
    void binaryLogisticRegressionMarginIsTheSignedDistanceToItsBoundary() {
        Linear m = new Linear(5, 1, true, new Generator(3));
        double[] w = m.namedParameters().get("weight").toDoubleArray();
        double b = m.namedParameters().get("bias").toDoubleArray()[0];
        double norm = 0;
        for (double v : w) norm += v * v;
        norm = Math.sqrt(norm);
        Tensor x = Tensor.randn(new Generator(4), dev.brink.engine.DType.FLOAT32, 6, 5);
        int[] labels = {0, 1, 0, 1, 1, 0};
        double[] margins = EffectiveMargins.of(m, x, Tensor.ofInts(labels, 6));
        double[] xs = x.toDoubleArray();
        for (int i = 0; i < 6; i++) {
            double z = b;
            for (int d = 0; d < 5; d++) z += w[d] * xs[i * 5 + d];
            assertEquals((2 * labels[i] - 1) * z / norm, margins[i], 1e-5, "sample " + i);
        }
    }
}
