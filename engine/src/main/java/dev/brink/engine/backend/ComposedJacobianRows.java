package dev.brink.engine.backend;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.JacobianRowOps;

/**
 * The default (tensor-op) implementations of {@link Backend#rowSquaredNorms} and {@link Backend#emrPairSquaredNorms},
 * for backends without a kernel: composed under {@link GradMode#noGrad()}, so they record no graph (the op above
 * records the backward).
 */
final class ComposedJacobianRows {
    private ComposedJacobianRows() {}

    static Tensor rowSquaredNorms(Tensor rows) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int r = rows.size(0);
            if (r == 0 || rows.numel() == 0) return rows.contiguous().reshape(r).mul(0.0).contiguous();
            Tensor m = rows.contiguous().reshape(r, rows.numel() / r);
            return m.square().sum(new int[] {1}, false).contiguous();
        }
    }

    static Tensor emrPairSquaredNorms(Tensor jac, Tensor labels) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int k = jac.size(0), b = jac.size(1);
            int d = b == 0 || k == 0 ? 0 : jac.numel() / (k * b);
            Tensor j = jac.contiguous().reshape(k, b, d);
            // w_y: sum over classes c of onehot(y)[i, c] * J[c, i, :]
            Tensor sel = JacobianRowOps.oneHotColumns(labels, k, jac.dtype()); // [K, B]
            Tensor wy = j.mul(sel.reshape(k, b, 1)).sum(new int[] {0}, false); // [B, D]
            Tensor diff = j.sub(wy.reshape(1, b, d));
            return diff.square().sum(new int[] {2}, false).transpose(0, 1).contiguous(); // [B, K]
        }
    }
}
