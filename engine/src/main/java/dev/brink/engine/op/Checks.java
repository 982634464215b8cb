package dev.brink.engine.op;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;

/** Argument checks shared by the ops; every message names the op, the argument and the shapes or values. */
final class Checks {
    private Checks() {}

    static Backend sameBackend(String op, Tensor... ts) {
        Backend b = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            if (b == null) b = t.backend();
            else if (t.backend() != b)
                throw new IllegalArgumentException(op + ": tensors live on different backends (" + b.name() + " and " + t.backend().name() + ")");
        }
        return b;
    }

    static void sameDType(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype())
            throw new IllegalArgumentException(op + ": dtypes differ: " + a.dtype().label() + " " + Shape.str(a.shape())
                    + " vs " + b.dtype().label() + " " + Shape.str(b.shape()) + " (convert one with to(dtype))");
    }

    static void floating(String op, String arg, Tensor t) {
        if (!t.dtype().isFloating())
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be floating point, got " + t.dtype().label() + " " + Shape.str(t.shape()));
    }

    static void integer(String op, String arg, Tensor t) {
        if (t.dtype() != DType.INT32)
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be int32 (indices or labels), got " + t.dtype().label() + " " + Shape.str(t.shape()));
    }

    static void rank(String op, String arg, Tensor t, int rank) {
        if (t.dim() != rank)
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must have rank " + rank + ", got shape " + Shape.str(t.shape()));
    }

    static Tensor alloc(Backend b, DType dtype, int[] shape) {
        return Tensor.empty(b, dtype, shape);
    }

    /** An output whose kernel writes every element: its memory is not cleared first ({@link Tensor#uninitialized}). */
    static Tensor allocOverwritten(Backend b, DType dtype, int[] shape) {
        return Tensor.uninitialized(b, dtype, shape);
    }
}
