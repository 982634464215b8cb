package dev.brink.nn.layer;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/** An elementwise activation: relu, tanh, sigmoid, softplus or leaky_relu (with its slope). */
public final class Activation extends Module {
    /** The supported functions, by their spec names. */
    public enum Kind { RELU, TANH, SIGMOID, SOFTPLUS, LEAKY_RELU }

    private final Kind kind;
    private final double slope;

    public Activation(Kind kind) {
        this(kind, 0.01);
    }

    public Activation(Kind kind, double slope) {
        this.kind = kind;
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case RELU -> x.relu();
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
            case SOFTPLUS -> x.softplus();
            case LEAKY_RELU -> x.leakyRelu(slope);
        };
    }

    /** The function applied. */
    public Kind kind() {
        return kind;
    }

    /** The negative-side slope of leaky_relu (unused by the others). */
    public double slope() {
        return slope;
    }

    @Override
    protected String summary() {
        return kind == Kind.LEAKY_RELU ? "LeakyReLU(" + slope + ")" : kind.name().charAt(0) + kind.name().substring(1).toLowerCase();
    }
}
