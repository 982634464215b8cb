package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * Matrix product with NumPy/PyTorch semantics: {@code [..., m, k] @ [..., k, n] -> [..., m, n]} with broadcast
 * batch dimensions; a 1-D left operand is a row vector and a 1-D right operand a column vector (the added
 * dimension is removed from the result).
 */
public final class MatMul {
    public static final OpDef DEF = OpDef.primitive("matmul", "batched matrix product with broadcast batch dimensions");

    private MatMul() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        String op = DEF.name();
        if (a.dim() == 0 || b.dim() == 0)
            throw new IllegalArgumentException(op + ": operands must have rank >= 1, got " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(b.dim() == 1 ? 0 : -2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        Checks.sameBackend(op, a, b);
        Checks.sameDType(op, a, b);
        Checks.floating(op, "a", a);
        int[] as = a.shape(), bs = b.shape();
        int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != k2)
            throw new IllegalArgumentException(op + ": inner dimensions differ: " + Shape.str(as) + " @ " + Shape.str(bs) + " (" + k + " vs " + k2 + ")");
        int[] batch = Shape.broadcast(op, java.util.Arrays.copyOf(as, as.length - 2), java.util.Arrays.copyOf(bs, bs.length - 2));
        int[] out = java.util.Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m;
        out[batch.length + 1] = n;
        Tensor y = Checks.allocOverwritten(a.backend(), a.dtype(), out);
        a.backend().matmul(a, b, y);
        boolean aGrad = a.requiresGrad(), bGrad = b.requiresGrad();
        // da reads b, db reads a (and b's layout only): keep each only for the other's gradient
        Tensor bForA = aGrad ? b : null, aForB = bGrad ? a : null;
        boolean bTransposedRowMajor = transposedRowMajor(a, b);
        return Autograd.record(op, y, new Tensor[] {a, b}, g -> new Tensor[] {
                Autograd.needsGrad(aGrad, 0) ? g.matmul(bForA.transpose(-1, -2)) : null,
                Autograd.needsGrad(bGrad, 1) ? rightGrad(aForB, bTransposedRowMajor, g) : null});
    }

    /**
     * The gradient {@code a^T g} for the right operand, laid out as b is: when b is a transposed view of a
     * row-major matrix (a linear layer's {@code weight.transpose(0, 1)}) it is computed as {@code (g^T a)^T}, so
     * that after the transpose's own backward the weight's gradient is row-major, and the many contributions a
     * weight collects in a double backward (exact EMR: one per class) share one layout and add in memory order.
     */
    private static Tensor rightGrad(Tensor a, boolean bTransposedRowMajor, Tensor g) {
        if (bTransposedRowMajor) return g.transpose(-1, -2).matmul(a).transpose(-1, -2);
        return a.transpose(-1, -2).matmul(g);
    }

    /** Whether a and b are matrices and b a transposed view of a row-major matrix (see rightGrad). */
    private static boolean transposedRowMajor(Tensor a, Tensor b) {
        return b.dim() == 2 && a.dim() == 2 && b.size(0) > 1 && b.size(1) > 1 && b.strides()[0] == 1 && b.strides()[1] == b.size(0);
    }
}
