package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/** concat and stack; the backward of concat hands each input its slice of the gradient. */
public final class Join {
    public static final OpDef CONCAT = OpDef.primitive("concat", "join tensors along an existing axis");
    public static final OpDef STACK = OpDef.composite("stack", "join tensors along a new axis");

    private Join() {}

    /** Joins tensors of equal shape except along {@code axis}. */
    public static Tensor concat(int axis, Tensor... xs) {
        String op = CONCAT.name();
        if (xs.length == 0) throw new IllegalArgumentException("concat: no tensors given");
        Tensor first = xs[0];
        int ax = Shape.axis(op, axis, first.dim());
        int total = 0;
        for (int i = 0; i < xs.length; i++) {
            Tensor t = xs[i];
            Checks.sameBackend(op, first, t);
            Checks.sameDType(op, first, t);
            if (t.dim() != first.dim()) throw new IllegalArgumentException(op + ": tensor " + i + " has shape " + Shape.str(t.shape()) + ", rank differs from tensor 0's " + Shape.str(first.shape()));
            for (int d = 0; d < t.dim(); d++)
                if (d != ax && t.size(d) != first.size(d))
                    throw new IllegalArgumentException(op + ": tensor " + i + " has shape " + Shape.str(t.shape()) + ", which differs from tensor 0's " + Shape.str(first.shape()) + " outside axis " + ax);
            total += t.size(ax);
        }
        int[] shape = Shape.with(first.shape(), ax, total);
        Tensor out = Checks.alloc(first.backend(), first.dtype(), shape);
        int[] cs = Shape.contiguousStrides(shape);
        int[] starts = new int[xs.length];
        int pos = 0;
        for (int i = 0; i < xs.length; i++) {
            starts[i] = pos;
            if (xs[i].numel() > 0)
                first.backend().copy(xs[i], Tensor.fromStorage(out.storage(), xs[i].shape(), cs, pos * cs[ax]));
            pos += xs[i].size(ax);
        }
        // the backward slices g: it reads the inputs' sizes and flags, not the inputs
        boolean[] wants = new boolean[xs.length];
        for (int i = 0; i < xs.length; i++) wants[i] = xs[i].requiresGrad();
        int n = xs.length, length = total;
        return Autograd.record(op, out, xs.clone(), g -> {
            Tensor[] gs = new Tensor[n];
            for (int i = 0; i < n; i++) {
                int end = i + 1 < n ? starts[i + 1] : length;
                if (Autograd.needsGrad(wants[i], i)) gs[i] = g.slice(ax, starts[i], end, 1);
            }
            return gs;
        });
    }

    /** Joins tensors of identical shape along a new axis {@code axis} (0..rank). */
    public static Tensor stack(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("stack: no tensors given");
        int r = xs[0].dim();
        int ax = axis < 0 ? axis + r + 1 : axis;
        if (ax < 0 || ax > r) throw new IllegalArgumentException("stack: axis " + axis + " is out of range for rank " + r + " inputs");
        Tensor[] us = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!java.util.Arrays.equals(xs[i].shape(), xs[0].shape()))
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(xs[i].shape()) + ", tensor 0 has " + Shape.str(xs[0].shape()));
            us[i] = xs[i].unsqueeze(ax);
        }
        return concat(ax, us);
    }
}
