package dev.brink.robust.analysis;

import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;

import java.util.function.Function;

/**
 * The scalar functions of the input that the analyses differentiate and draw, for a model in eval mode: Yu et al.'s
 * decision function {@code d(x) = z_y - max_{j != y} z_j} and the cross-entropy loss, both summed over a batch
 * (samples do not interact in eval mode, so per-sample gradients and Hessian blocks come out of one call).
 */
final class InputFunctions {
    private InputFunctions() {}

    /** The first {@code n} samples of {@code data} (all when it has fewer) as one batch. */
    static Batch first(Dataset data, int n) {
        int k = Math.min(n, data.size());
        if (k < 1) throw new IllegalArgumentException("data set " + data.name() + " is empty");
        Dataset d = k == data.size() ? data : data.subset(java.util.stream.IntStream.range(0, k).toArray());
        return DataLoader.builder(d).batchSize(k).shuffle(false).build().epoch(0).iterator().next();
    }

    /** Logits of a batch as a host array {@code [N][K]}, without recording a graph. */
    static double[][] logits(Module model, Tensor x) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor z = model.forward(x);
            int n = z.size(0), k = z.size(1);
            double[] flat = z.toDoubleArray();
            double[][] out = new double[n][k];
            for (int i = 0; i < n; i++) System.arraycopy(flat, i * k, out[i], 0, k);
            return out;
        }
    }

    /** {@code d = z_y - max_{j != y} z_j} of one logit row. */
    static double decision(double[] z, int y) {
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < z.length; j++) if (j != y) best = Math.max(best, z[j]);
        return z[y] - best;
    }

    /** The runner-up class {@code argmax_{j != y} z_j} of one logit row. */
    static int runnerUp(double[] z, int y) {
        int best = -1;
        for (int j = 0; j < z.length; j++) if (j != y && (best < 0 || z[j] > z[best])) best = j;
        return best;
    }

    /** Softmax cross-entropy of one logit row (natural log), computed stably. */
    static double crossEntropy(double[] z, int y) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) m = Math.max(m, v);
        double s = 0;
        for (double v : z) s += Math.exp(v - m);
        return m + Math.log(s) - z[y];
    }

    /**
     * {@code x -> sum_n (z[n, y_n] - z[n, j_n])} with {@code j_n} each sample's runner-up class at the point the
     * function is built for: Yu et al.'s decision function on the linear piece of its maximum (its gradient and
     * Hessian there are the decision function's wherever the runner-up is unique).
     */
    static Function<Tensor, Tensor> decisionSum(Module model, Tensor x, int[] labels) {
        double[][] z = logits(model, x);
        int n = z.length, k = z[0].length;
        double[] mask = new double[n * k];
        for (int i = 0; i < n; i++) {
            mask[i * k + labels[i]] = 1;
            mask[i * k + runnerUp(z[i], labels[i])] = -1;
        }
        Tensor m = x.newTensor(mask, n, k);
        return t -> model.forward(t).mul(m).sum();
    }

    /** {@code x -> sum_n CE(z[n], y_n)}: the summed cross-entropy loss. */
    static Function<Tensor, Tensor> lossSum(Module model, Tensor labels) {
        return t -> F.crossEntropy(model.forward(t), labels, 0.0, Loss.Reduction.SUM);
    }
}
