package dev.brink.robust.attack;

import dev.brink.engine.F;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Fast gradient method in L2, "Fast grad L2" (Kurakin et al. 2017, Appendix A; Galloway et al. Sec. 3, Shaham et al.'s L2
 * step): one step of L2 length eps along the gradient, {@code x + eps * g / ||g||_2}. On a linear model it moves a
 * logit margin by exactly {@code eps * ||w||_2} (the worst case in the L2 ball). Threat model: L2.
 * Inputs {@code [N, ...]}; labels int32 {@code [N]}. Options: {@code loss} ce. The step is the engine's fused
 * {@link F#l2Step} (the backend's kernel).
 */
public final class FgmL2 extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(new Attacks.Option("loss", "ce", "ce (cross-entropy) or cw (C&W margin)"));

    private final AttackLoss loss;

    public FgmL2(AttackLoss loss) {
        this.loss = loss;
    }

    static FgmL2 fromOptions(Attacks.Options o) {
        return new FgmL2(o.loss("loss"));
    }

    @Override
    public String name() {
        return "fgm-l2";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.L2);
    }

    @Override
    protected Outcome perturb(Problem p) {
        int[] it = new int[p.x().size(0)];
        Arrays.fill(it, 1);
        return new Outcome(F.l2Step(p.x(), inputGradient(p, loss, p.x()), p.threat().eps()), it);
    }
}
