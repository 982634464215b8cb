package dev.brink.robust.train;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;

/**
 * Per-sample input gradients for double-backprop regularizers: the gradient of a per-sample quantity
 * {@code q [N]} with respect to its inputs {@code x [N, ...]}, kept differentiable (create-graph) so that a penalty
 * on it has parameter gradients. Since samples are independent (no train-mode batch norm coupling them), the
 * gradient of {@code sum_i q_i} gives every sample's own gradient in one backward pass.
 */
final class InputGradients {
    private InputGradients() {}

    /** {@code [N, ...]}: row i is {@code d q_i / d x_i}, differentiable with respect to the parameters. */
    static Tensor of(Tensor q, Tensor x) {
        return Autograd.grad(q.sum(), x, GradOptions.defaults().createGraph().allowUnused())[0];
    }

    /**
     * Yu et al.'s decision function {@code d_i = z_{i, y_i} - max_{j != y_i} z_{i, j}} of logits {@code [N, K]} (K >= 2)
     * and int32 labels {@code [N]}: {@code [N]}, positive where the sample is classified correctly.
     */
    static Tensor margin(Tensor logits, Tensor labels) {
        int k = logits.size(1);
        if (k < 2) throw new IllegalArgumentException("margin: needs at least 2 classes, got logits of " + k);
        Tensor mask = F.oneHot(labels, k, logits.dtype());
        Tensor zy = logits.mul(mask).sum(new int[] {1}, false);
        double big = logits.dtype() == DType.FLOAT64 ? 1e300 : 1e30;
        Tensor others = logits.sub(mask.mul(big)).amax(new int[] {1}, false);
        return zy.sub(others);
    }
}
