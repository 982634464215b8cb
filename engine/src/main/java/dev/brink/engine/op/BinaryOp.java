package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;

/**
 * Elementwise functions of two broadcast tensors, with their partial derivatives in tensor ops (one row per op);
 * each row names which of a, b and the output y each partial reads, and the graph keeps only those of the inputs that
 * require grad (the others are null in the partial).
 * Gradients come back in the broadcast shape; the autodiff walker sums them to each input's shape. On ties,
 * maximum and minimum split the gradient equally between the arguments (as PyTorch does).
 */
public enum BinaryOp {
    ADD("add", BinaryKernel.ADD, "", "", (a, b, y, g) -> g, (a, b, y, g) -> g),
    SUB("sub", BinaryKernel.SUB, "", "", (a, b, y, g) -> g, (a, b, y, g) -> g.neg()),
    MUL("mul", BinaryKernel.MUL, "b", "a", (a, b, y, g) -> g.mul(b), (a, b, y, g) -> g.mul(a)),
    DIV("div", BinaryKernel.DIV, "b", "ab", (a, b, y, g) -> g.div(b), (a, b, y, g) -> g.mul(a).div(b.square()).neg()),
    POW("pow", BinaryKernel.POW, "ab", "aby",
            (a, b, y, g) -> g.mul(b).mul(a.pow(b.sub(1.0))),
            (a, b, y, g) -> g.mul(y).mul(a.log())),
    MAXIMUM("maximum", BinaryKernel.MAX, "ab", "ab", (a, b, y, g) -> g.mul(share(a, b, BinaryKernel.GT)), (a, b, y, g) -> g.mul(share(b, a, BinaryKernel.GT))),
    MINIMUM("minimum", BinaryKernel.MIN, "ab", "ab", (a, b, y, g) -> g.mul(share(a, b, BinaryKernel.LT)), (a, b, y, g) -> g.mul(share(b, a, BinaryKernel.LT))),
    /**
     * {@code a} where {@code b > 0}, else 0: relu's backward in one pass (instead of a mask tensor and a product).
     * Linear in a, so its a-derivative is itself; piecewise constant in b, whose derivative is 0 (none).
     */
    MASK_POSITIVE("mask_positive", BinaryKernel.MASK_POSITIVE, "b", "", (a, b, y, g) -> maskPositive(g, b), (a, b, y, g) -> null);

    @FunctionalInterface
    interface Partial {
        Tensor apply(Tensor a, Tensor b, Tensor y, Tensor g);
    }

    private final OpDef def;
    private final BinaryKernel kernel;
    private final Partial da;
    private final Partial db;

    /** Which of a, b and y ({@code "a"}, {@code "ab"}, ...) each partial reads: only those are kept for the backward. */
    private final String daReads, dbReads;

    BinaryOp(String name, BinaryKernel kernel, String daReads, String dbReads, Partial da, Partial db) {
        this.def = OpDef.primitive(name, "elementwise " + name + " with broadcasting");
        this.kernel = kernel;
        this.daReads = daReads;
        this.dbReads = dbReads;
        this.da = da;
        this.db = db;
    }

    public OpDef def() {
        return def;
    }

    /** {@code op(a, b)} broadcast; a and b must share dtype and backend. */
    public Tensor apply(Tensor a, Tensor b) {
        String op = def.name();
        Checks.sameBackend(op, a, b);
        Checks.sameDType(op, a, b);
        Checks.floating(op, "a", a);
        int[] shape = Shape.broadcast(op, a.shape(), b.shape());
        Tensor y = Checks.allocOverwritten(a.backend(), a.dtype(), shape);
        a.backend().binary(kernel, a, b, y);
        // keep for the backward only what the partials of the inputs that require grad read (a residual add keeps
        // nothing; a product keeps the other factor)
        boolean aGrad = a.requiresGrad(), bGrad = b.requiresGrad();
        String reads = (aGrad ? daReads : "") + (bGrad ? dbReads : "");
        Tensor keptA = reads.indexOf('a') >= 0 ? a : null, keptB = reads.indexOf('b') >= 0 ? b : null;
        Tensor keptY = reads.indexOf('y') >= 0 ? y : null;
        return Autograd.record(op, y, new Tensor[] {a, b}, g -> new Tensor[] {
                Autograd.needsGrad(aGrad, 0) ? da.apply(keptA, keptB, keptY, g) : null,
                Autograd.needsGrad(bGrad, 1) ? db.apply(keptA, keptB, keptY, g) : null});
    }

    /** {@link #MASK_POSITIVE} of (g, x). */
    public static Tensor maskPositive(Tensor g, Tensor x) {
        return MASK_POSITIVE.apply(g, x);
    }

    /** 1 where {@code x rel other}, 1/2 where equal, 0 elsewhere: the share of the gradient x receives. */
    private static Tensor share(Tensor x, Tensor other, BinaryKernel rel) {
        Tensor strict = Comparison.compare(rel, x, other);
        Tensor tie = Comparison.compare(BinaryKernel.EQ, x, other).mul(0.5);
        return strict.add(tie);
    }
}
