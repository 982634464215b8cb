package dev.brink.robust.attack;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;

import java.util.Set;

/**
 * Fast gradient sign method (Goodfellow et al. 2015; Galloway et al., Shaham et al., Yu et al., Liu and Chan): one step of size eps along the
 * sign of the input gradient of the loss, {@code x + eps * sign(grad)}, in the L-inf ball. On a linear model it
 * is the exact worst case: it moves every logit margin by exactly {@code eps * ||w||_1}. The step is the engine's
 * fused {@link F#signStep} (the backend's kernel).
 */
public final class Fgsm extends Attack {
    /** Registry options. */
    static final java.util.List<Attacks.Option> OPTIONS = java.util.List.of(
            new Attacks.Option("loss", "ce", "attack loss: ce (cross-entropy) or cw (Carlini-Wagner margin)"));

    private final AttackLoss loss;

    static Fgsm fromOptions(Attacks.Options o) {
        return new Fgsm(o.loss("loss"));
    }

    public Fgsm() {
        this(AttackLoss.CROSS_ENTROPY);
    }

    public Fgsm(AttackLoss loss) {
        this.loss = loss;
    }

    @Override
    public String name() {
        return "fgsm";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.LINF);
    }

    @Override
    protected Outcome perturb(Problem p) {
        Tensor g = inputGradient(p, loss, p.x());
        int[] it = new int[p.x().size(0)];
        java.util.Arrays.fill(it, 1);
        return new Outcome(F.signStep(p.x(), g, p.threat().eps()), it);
    }
}
