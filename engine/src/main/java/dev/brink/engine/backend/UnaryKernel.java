package dev.brink.engine.backend;

/**
 * Elementwise functions of one argument that a backend computes in {@link Backend#unary}. {@code alpha} is the
 * parameter where the function has one (the slope of {@link #LEAKY_RELU}, the exponent of {@link #POW_SCALAR}).
 */
public enum UnaryKernel {
    NEG, ABS, SIGN, EXP, LOG, SQRT, RECIPROCAL, SQUARE,
    /** max(x, 0). */
    RELU,
    /** x for x > 0, alpha * x otherwise. */
    LEAKY_RELU,
    /** 1 / (1 + exp(-x)), computed without overflow. */
    SIGMOID,
    TANH,
    /** log(1 + exp(x)), computed stably; x itself for x > 20 (PyTorch's threshold). */
    SOFTPLUS,
    /** x^alpha. */
    POW_SCALAR
}
