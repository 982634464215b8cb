package dev.brink.nn.layer;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/** Inverted dropout with probability p in training mode, drawing from the model's generator; identity in eval. */
public final class Dropout extends Module {
    private final double p;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), generator());
    }

    @Override
    protected String summary() {
        return "Dropout(p " + p + ")";
    }
}
