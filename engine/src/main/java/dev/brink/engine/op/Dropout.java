package dev.brink.engine.op;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;

/**
 * Inverted dropout with a seeded generator: in training mode each element is zeroed with probability p and the
 * rest scaled by 1/(1-p); the mask is a constant, so gradients (of every order) are masked and scaled alike.
 * Identity in evaluation mode or for p = 0.
 */
public final class Dropout {
    public static final OpDef DEF = OpDef.composite("dropout", "zero elements with probability p, scale the rest by 1/(1-p)");

    private Dropout() {}

    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0) return x;
        Tensor u = Tensor.random(x.backend(), RandomKind.UNIFORM, gen, x.dtype(), x.shape());
        Tensor keep = u.ge(u.scalarLike(p)).mul(1.0 / (1.0 - p));
        return x.mul(keep);
    }
}
