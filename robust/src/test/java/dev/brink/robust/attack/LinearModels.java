package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;

/** Linear classifiers with known geometry, the fixtures of the known-answer attack tests. */
final class LinearModels {
    private LinearModels() {}

    /** A linear model {@code z = x W^T + b} over flattened inputs, with W {@code [K, D]}. */
    record Linear(Tensor w, Tensor b) {
        Classifier classifier() {
            return new Classifier(x -> x.reshape(x.size(0), -1).matmul(w.transpose(0, 1)).add(b));
        }

        double[] row(int k) {
            return w.slice(0, k, k + 1).toDoubleArray();
        }
    }

    static Linear random(long seed, int k, int d, DType dtype) {
        Generator g = new Generator(seed);
        return new Linear(Tensor.randn(g, dtype, k, d), Tensor.randn(g, dtype, k).mul(0.1));
    }

    /** Inputs in the middle of the box, [0.3, 0.7], so small perturbations never touch its faces. */
    static Tensor midBox(long seed, DType dtype, int... shape) {
        return Tensor.rand(new Generator(seed), dtype, shape).mul(0.4).add(0.3);
    }
}
