package dev.brink.robust.attack;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Basic iterative method, I-FGSM (Kurakin et al. 2017; Yu et al.'s "BIM": 10 iterations): FGSM repeated
 * {@code steps} times with step {@code step}, each followed by clipping to the L-inf ball and the box, from the
 * clean input (no random start, one run). PGD without the random start; see {@link GradientDescent}.
 * Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}; L-inf only.
 *
 * <p>Options: {@code steps} 10, {@code step} (absolute; empty: {@code rel-step * eps}), {@code rel-step} 2.5/steps,
 * {@code early-stop} true, {@code loss} ce.
 */
public final class Bim extends GradientDescent {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("steps", "10", "iterations"),
            new Attacks.Option("step", "", "absolute step size (empty: rel-step * eps)"),
            new Attacks.Option("rel-step", "", "step size as a fraction of eps (empty: 2.5 / steps)"),
            new Attacks.Option("early-stop", "true", "stop a sample once it is successful"),
            new Attacks.Option("loss", "ce", "ce (cross-entropy) or cw (C&W margin)"));

    public Bim(AttackLoss loss, int steps, double step) {
        super(new Config(loss, steps, step, 2.5 / steps, false, 1, true, 1));
    }

    private Bim(Config c) {
        super(c);
    }

    static Bim fromOptions(Attacks.Options o) {
        int steps = o.integer("steps");
        if (steps < 1) throw new IllegalArgumentException("bim: steps must be >= 1, got " + steps);
        return new Bim(new Config(o.loss("loss"), steps, o.has("step") ? o.real("step") : Double.NaN,
                o.has("rel-step") ? o.real("rel-step") : 2.5 / steps, false, 1, o.bool("early-stop"), 1));
    }

    @Override
    public String name() {
        return "bim";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return EnumSet.of(Norm.LINF);
    }
}
