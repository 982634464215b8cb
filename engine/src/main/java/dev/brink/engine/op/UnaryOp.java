package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.UnaryKernel;

/**
 * Elementwise functions of one tensor: the forward kernel and the derivative, written in tensor ops, side by side
 * (one row per op, like PyTorch's derivatives table). {@code x} is the input, {@code y} the output, {@code g} the
 * output gradient and {@code a} the op's scalar parameter; each row names which of x and y its derivative reads, and
 * only those are kept for the backward pass (the others are null there), as PyTorch saves only {@code self} or
 * {@code result}. Relu's derivative reads y ({@code y > 0} exactly where {@code x > 0}), so that a conv-relu-conv
 * chain keeps one tensor per layer: relu's output, which the next convolution keeps anyway. Subgradients at kinks are pinned: relu'(0) = 0,
 * abs'(0) = sign(0) = 0, leaky_relu'(0) = slope.
 */
public enum UnaryOp {
    NEG("neg", UnaryKernel.NEG, "", (x, y, g, a) -> g.neg()),
    ABS("abs", UnaryKernel.ABS, "x", (x, y, g, a) -> g.mul(x.sign())),
    SIGN("sign", UnaryKernel.SIGN, "", (x, y, g, a) -> g.zerosLike().detach()),
    EXP("exp", UnaryKernel.EXP, "y", (x, y, g, a) -> g.mul(y)),
    LOG("log", UnaryKernel.LOG, "x", (x, y, g, a) -> g.div(x)),
    SQRT("sqrt", UnaryKernel.SQRT, "y", (x, y, g, a) -> g.div(y.mul(2.0))),
    RECIPROCAL("reciprocal", UnaryKernel.RECIPROCAL, "y", (x, y, g, a) -> g.mul(y.square()).neg()),
    SQUARE("square", UnaryKernel.SQUARE, "x", (x, y, g, a) -> g.mul(x.mul(2.0))),
    RELU("relu", UnaryKernel.RELU, "y", (x, y, g, a) -> BinaryOp.maskPositive(g, y)),
    LEAKY_RELU("leaky_relu", UnaryKernel.LEAKY_RELU, "x", (x, y, g, a) -> g.mul(Where.where(x.gt(0.0), x.scalarLike(1.0), x.scalarLike(a)))),
    SIGMOID("sigmoid", UnaryKernel.SIGMOID, "y", (x, y, g, a) -> g.mul(y.mul(y.neg().add(1.0)))),
    TANH("tanh", UnaryKernel.TANH, "y", (x, y, g, a) -> g.mul(y.square().neg().add(1.0))),
    SOFTPLUS("softplus", UnaryKernel.SOFTPLUS, "x", (x, y, g, a) -> g.mul(Where.where(x.gt(20.0), x.scalarLike(1.0), x.sigmoid()))),
    POW_SCALAR("pow_scalar", UnaryKernel.POW_SCALAR, "x", (x, y, g, a) -> a == 0 ? g.zerosLike().detach() : g.mul(x.pow(a - 1.0).mul(a)));

    /** d(loss)/dx from x, y = f(x), g = d(loss)/dy and the parameter a; written in tensor ops. */
    @FunctionalInterface
    interface Derivative {
        Tensor apply(Tensor x, Tensor y, Tensor g, double a);
    }

    private final OpDef def;
    private final UnaryKernel kernel;
    private final Derivative derivative;

    /** Whether the derivative reads x and y: the graph keeps only those alive until the backward pass. */
    private final boolean readsX, readsY;

    UnaryOp(String name, UnaryKernel kernel, String reads, Derivative derivative) {
        this.def = OpDef.primitive(name, "elementwise " + name);
        this.kernel = kernel;
        this.readsX = reads.contains("x");
        this.readsY = reads.contains("y");
        this.derivative = derivative;
    }

    public OpDef def() {
        return def;
    }

    /** Applies the op to {@code x} with parameter {@code a} (ignored by ops without one). */
    public Tensor apply(Tensor x, double a) {
        Checks.floating(def.name(), "x", x);
        Tensor y = Checks.allocOverwritten(x.backend(), x.dtype(), x.shape());
        x.backend().unary(kernel, a, x, y);
        Tensor keptX = readsX ? x : null, keptY = readsY ? y : null;
        return Autograd.record(def.name(), y, new Tensor[] {x}, g -> new Tensor[] {derivative.apply(keptX, keptY, g, a)});
    }
}
