package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackFactory;
import dev.brink.robust.eval.AttackSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mixed L2 / L-inf adversarial training, as Li et al. (Sec. 5, the "Mix" columns of their Table 1) use it:
 * Madry et al.'s loss {@code CE(f(x_adv), y)} with adversarial examples that alternate between an L-inf ball of
 * radius {@code linf-eps} (0.3) and an L2 ball of radius {@code l2-eps} (4.0): L-inf on even optimizer steps and L2
 * on odd ones ({@link TrainingContext#step()}, so a resumed run alternates as the original would), or with
 * {@code mode=half}, the first half of every batch in L-inf and the rest in L2.
 *
 * <p>The attack is {@code --train-attack} without its norm and eps (it must support both norms; default PGD, 40
 * steps of 2.5 eps / 40 in each norm, random start, no early stop). An absolute {@code step=} applies to both norms;
 * prefer {@code rel-step}. During the first {@code clean-epochs} epochs the loss is the clean cross-entropy (the
 * delayed start of {@link PgdAdversarialTraining}). Options: {@code linf-eps} 0.3, {@code l2-eps} 4.0, {@code mode}
 * alternate|half, {@code clean-epochs} 0, {@code eval-mode} true.
 */
public final class MixedAdversarialTraining implements Objective {
    /** The inner attack when {@code --train-attack} is absent (its norm and eps come from this objective). */
    public static final String DEFAULT_ATTACK = "pgd:steps=40,early-stop=false";

    static final List<dev.brink.robust.attack.Attacks.Option> OPTIONS = List.of(
            new dev.brink.robust.attack.Attacks.Option("linf-eps", "0.3", "radius of the L-inf ball (Li et al.: 0.3)"),
            new dev.brink.robust.attack.Attacks.Option("l2-eps", "4.0", "radius of the L2 ball (Li et al.: 4.0)"),
            new dev.brink.robust.attack.Attacks.Option("mode", "alternate", "alternate (norm by optimizer step) or half (half of each batch per norm)"),
            new dev.brink.robust.attack.Attacks.Option("clean-epochs", "0", "epochs trained on clean data before adversarial training starts"),
            new dev.brink.robust.attack.Attacks.Option("eval-mode", "true", "run the inner attack with the model in eval mode"));

    private final Attack attack;
    private final String attackText;
    private final ThreatModel linf, l2;
    private final boolean half;
    private final boolean evalMode;
    private final int cleanEpochs;

    /**
     * @param attack   an attack supporting both L-inf and L2 (norm and eps are not its own)
     * @param linfEps  the L-inf radius
     * @param l2Eps    the L2 radius
     * @param half     half of each batch per norm instead of alternating by step
     * @param evalMode attack the model in eval mode
     */
    public MixedAdversarialTraining(Attack attack, double linfEps, double l2Eps, boolean half, boolean evalMode) {
        this(attack, linfEps, l2Eps, half, evalMode, 0);
    }

    /**
     * @param cleanEpochs epochs of clean training before the adversarial ones (>= 0)
     * @see #MixedAdversarialTraining(Attack, double, double, boolean, boolean)
     */
    public MixedAdversarialTraining(Attack attack, double linfEps, double l2Eps, boolean half, boolean evalMode, int cleanEpochs) {
        if (cleanEpochs < 0) throw new IllegalArgumentException("mixed-at: clean-epochs must be >= 0, got " + cleanEpochs);
        if (!attack.supportedNorms().contains(Norm.LINF) || !attack.supportedNorms().contains(Norm.L2))
            throw new IllegalArgumentException("mixed-at: the training attack must support linf and l2, " + attack.name() + " supports " + attack.supportedNorms());
        this.attack = attack;
        this.attackText = attack.name();
        this.linf = ThreatModel.of(Norm.LINF, linfEps);
        this.l2 = ThreatModel.of(Norm.L2, l2Eps);
        this.half = half;
        this.evalMode = evalMode;
        this.cleanEpochs = cleanEpochs;
    }

    static MixedAdversarialTraining fromOptions(dev.brink.robust.attack.Attacks.Options o, ObjectiveSetup setup) {
        AttackSpec spec = setup.attackOr(DEFAULT_ATTACK);
        Map<String, String> opts = new LinkedHashMap<>(spec.options());
        opts.remove("norm");
        opts.remove("eps");
        Attack a = AttackFactory.create(new AttackSpec(spec.name(), opts, spec.text()));
        return new MixedAdversarialTraining(a, o.real("linf-eps"), o.real("l2-eps"), o.choice("mode", "alternate", "half").equals("half"), o.bool("eval-mode"),
                o.integer("clean-epochs"));
    }

    /** The threat model of an optimizer step in alternate mode: L-inf on even steps, L2 on odd ones. */
    public ThreatModel threatAt(long step) {
        return step % 2 == 0 ? linf : l2;
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor x = batch.x(), y = batch.y();
        if (context.epoch() < cleanEpochs) {
            Tensor logits = model.forward(x);
            return new Outcome(Objective.classificationLoss(logits, y, 0), logits);
        }
        Tensor adv;
        if (!half || x.size(0) < 2) {
            adv = InnerAttack.craft(model, attack, threatAt(context.step()), x, y, context.generator(), evalMode);
        } else {
            int n = x.size(0), h = n / 2;
            Tensor a = InnerAttack.craft(model, attack, linf, x.slice(0, 0, h), y.slice(0, 0, h), context.generator(), evalMode);
            Tensor b = InnerAttack.craft(model, attack, l2, x.slice(0, h, n), y.slice(0, h, n), context.generator(), evalMode);
            adv = Tensor.concat(0, a, b);
        }
        return new Outcome(Objective.classificationLoss(model.forward(adv), y, 0), null);
    }

    @Override
    public String toString() {
        return "mixed-at(" + attackText + ", " + linf + " / " + l2 + (half ? ", half batches" : ", alternating")
                + (cleanEpochs > 0 ? ", clean-epochs=" + cleanEpochs : "") + ")";
    }
}
