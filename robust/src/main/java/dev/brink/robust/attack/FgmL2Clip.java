package dev.brink.robust.attack;

import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Seed 000's variant of Fast grad L2 (Galloway et al., Sec. 3, Figure 2): the unit-L2 gradient scaled by
 * {@code scale} = 100, then clipped elementwise to {@code [-eps, eps]}: {@code x + clip(100 g / ||g||_2, -eps, eps)}.
 * It lives in the L-inf threat model (the paper compares it with FGSM at the same L-inf eps = 0.25 on the 3-vs-7
 * logistic regression: about FGSM's error rate at less L2 distortion, 4.00% vs 4.57%): coordinates with a large
 * gradient saturate at +-eps like FGSM, small ones keep their proportion, so it interpolates between Fast grad L2
 * (scale -> 0) and FGSM (scale -> infinity). Inputs {@code [N, ...]}; labels int32 {@code [N]}.
 * Options: {@code scale} 100, {@code loss} ce.
 */
public final class FgmL2Clip extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("scale", "100", "factor on the unit-L2 gradient before clipping to +-eps"),
            new Attacks.Option("loss", "ce", "ce (cross-entropy) or cw (C&W margin)"));

    private final double scale;
    private final AttackLoss loss;

    public FgmL2Clip(double scale, AttackLoss loss) {
        if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("fgm-l2-x100-clip: scale must be finite and > 0, got " + scale);
        this.scale = scale;
        this.loss = loss;
    }

    static FgmL2Clip fromOptions(Attacks.Options o) {
        return new FgmL2Clip(o.real("scale"), o.loss("loss"));
    }

    @Override
    public String name() {
        return "fgm-l2-x100-clip";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.LINF);
    }

    @Override
    protected Outcome perturb(Problem p) {
        double eps = p.threat().eps();
        int[] it = new int[p.x().size(0)];
        Arrays.fill(it, 1);
        Tensor unit = Projections.steepestDirection(inputGradient(p, loss, p.x()), Norm.L2);
        return new Outcome(p.x().add(unit.mul(scale).clamp(-eps, eps)), it);
    }
}
