package dev.brink.engine.op;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;

/**
 * Comparison masks: 1 where the relation holds, 0 elsewhere, in the operands' dtype and broadcast shape. They
 * carry no gradient (piecewise constant), which is also what makes masks in backward rules exact at second order.
 */
public final class Comparison {
    public static final OpDef EQ = OpDef.nonDifferentiable("eq", "a == b mask");
    public static final OpDef NE = OpDef.nonDifferentiable("ne", "a != b mask");
    public static final OpDef LT = OpDef.nonDifferentiable("lt", "a < b mask");
    public static final OpDef LE = OpDef.nonDifferentiable("le", "a <= b mask");
    public static final OpDef GT = OpDef.nonDifferentiable("gt", "a > b mask");
    public static final OpDef GE = OpDef.nonDifferentiable("ge", "a >= b mask");

    private Comparison() {}

    /** The mask of {@code a rel b}; {@code rel} is one of EQ, NE, LT, LE, GT, GE. */
    public static Tensor compare(BinaryKernel rel, Tensor a, Tensor b) {
        String op = rel.name().toLowerCase();
        switch (rel) {
            case EQ, NE, LT, LE, GT, GE -> { }
            default -> throw new IllegalArgumentException("compare: " + rel + " is not a comparison");
        }
        Checks.sameBackend(op, a, b);
        Checks.sameDType(op, a, b);
        Tensor y = Checks.alloc(a.backend(), a.dtype(), Shape.broadcast(op, a.shape(), b.shape()));
        a.backend().binary(rel, a, b, y);
        return y;
    }
}
