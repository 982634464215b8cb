package dev.brink.engine.op;

import dev.brink.engine.Autograd;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.UnaryKernel;

/**
 * Elementwise functions of one tensor: the forward kernel and the derivative, written in tensor ops, side by side
 * (one row per op, like PyTorch's derivatives table). {@code x} is the input, {@code y} the output, {@code g} the
 * output gradient and {@code a} the op's scalar parameter. Subgradients at kinks are pinned: relu'(0) = 0,
 * abs'(0) = sign(0) = 0, leaky_relu'(0) = slope.
 */
public enum UnaryOp {
    NEG("neg", UnaryKernel.NEG, (x, y, g, a) -> g.neg()),
    ABS("abs", UnaryKernel.ABS, (x, y, g, a) -> g.mul(x.sign())),
    SIGN("sign", UnaryKernel.SIGN, (x, y, g, a) -> g.zerosLike().detach()),
    EXP("exp", UnaryKernel.EXP, (x, y, g, a) -> g.mul(y)),
    LOG("log", UnaryKernel.LOG, (x, y, g, a) -> g.div(x)),
    SQRT("sqrt", UnaryKernel.SQRT, (x, y, g, a) -> g.div(y.mul(2.0))),
    RECIPROCAL("reciprocal", UnaryKernel.RECIPROCAL, (x, y, g, a) -> g.mul(y.square()).neg()),
    SQUARE("square", UnaryKernel.SQUARE, (x, y, g, a) -> g.mul(x.mul(2.0))),
    RELU("relu", UnaryKernel.RELU, (x, y, g, a) -> BinaryOp.maskPositive(g, x)),
    LEAKY_RELU("leaky_relu", UnaryKernel.LEAKY_RELU, (x, y, g, a) -> g.mul(Where.where(x.gt(0.0), x.scalarLike(1.0), x.scalarLike(a)))),
    SIGMOID("sigmoid", UnaryKernel.SIGMOID, (x, y, g, a) -> g.mul(y.mul(y.neg().add(1.0)))),
    TANH("tanh", UnaryKernel.TANH, (x, y, g, a) -> g.mul(y.square().neg().add(1.0))),
    SOFTPLUS("softplus", UnaryKernel.SOFTPLUS, (x, y, g, a) -> g.mul(Where.where(x.gt(20.0), x.scalarLike(1.0), x.sigmoid()))),
    POW_SCALAR("pow_scalar", UnaryKernel.POW_SCALAR, (x, y, g, a) -> a == 0 ? g.zerosLike().detach() : g.mul(x.pow(a - 1.0).mul(a)));

    /** d(loss)/dx from x, y = f(x), g = d(loss)/dy and the parameter a; written in tensor ops. */
    @FunctionalInterface
    interface Derivative {
        Tensor apply(Tensor x, Tensor y, Tensor g, double a);
    }

    private final OpDef def;
    private final UnaryKernel kernel;
    private final Derivative derivative;

    UnaryOp(String name, UnaryKernel kernel, Derivative derivative) {
        this.def = OpDef.primitive(name, "elementwise " + name);
        this.kernel = kernel;
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
        return Autograd.record(def.name(), y, new Tensor[] {x}, g -> new Tensor[] {derivative.apply(x, y, g, a)});
    }
}
