package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * {@code where(cond, a, b)}: a where cond is nonzero, b elsewhere, all broadcast. The gradient flows to the
 * selected branch only; cond (a mask, usually from a comparison) gets none. Beware that a branch that is
 * infinite or NaN where not selected still poisons gradients of ops *before* where; guard its input instead.
 */
public final class Where {
    public static final OpDef DEF = OpDef.primitive("where", "select a where cond != 0, else b");
    public static final OpDef CLAMP = OpDef.composite("clamp", "clip into [min, max]; gradient passes where min <= x <= max");

    private Where() {}

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        String op = DEF.name();
        Checks.sameBackend(op, cond, a, b);
        Checks.sameDType(op, a, b);
        Checks.floating(op, "a", a);
        if (cond.dtype() != a.dtype()) cond = cond.to(a.dtype());
        int[] shape = Shape.broadcast(op, Shape.broadcast(op, cond.shape(), a.shape()), b.shape());
        Tensor y = Checks.alloc(a.backend(), a.dtype(), shape);
        a.backend().where(cond, a, b, y);
        Tensor c = cond.detach();
        return Autograd.record(op, y, new Tensor[] {cond, a, b}, g -> {
            Tensor zero = g.scalarLike(0.0);
            return new Tensor[] {null,
                    Autograd.needsGrad(a, 1) ? where(c, g, zero) : null,
                    Autograd.needsGrad(b, 2) ? where(c, zero, g) : null};
        });
    }

    /**
     * Clips x into [min, max] (either bound may be NaN-free infinity to leave that side open). The gradient is 1
     * where {@code min <= x <= max} (boundaries included, as in PyTorch) and 0 elsewhere.
     */
    public static Tensor clamp(Tensor x, double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        Tensor lo = x.scalarLike(min);
        Tensor hi = x.scalarLike(max);
        Tensor below = x.lt(lo);
        Tensor above = x.gt(hi);
        return where(below, lo, where(above, hi, x));
    }

    /** Clips x elementwise into [min, max] given as tensors broadcastable to x. */
    public static Tensor clamp(Tensor x, Tensor min, Tensor max) {
        return where(x.lt(min), min, where(x.gt(max), max, x));
    }
}
