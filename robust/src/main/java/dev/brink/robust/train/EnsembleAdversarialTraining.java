package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.io.ModelFileException;
import dev.brink.nn.io.ModelLoader;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.eval.AttackSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ensemble adversarial training (Tramer et al. 2018; one of Li et al.'s four defenses): adversarial examples come in
 * turn from the model being trained and from fixed, pre-trained models, which decouples crafting from training
 * (against Tramer et al.'s "degenerate global minimum"). On optimizer step {@code s} ({@link TrainingContext#step()})
 * the source is number {@code s mod (k + 1)} of [the trained model, the k static models]; the loss is
 * {@code alpha * CE(f(x), y) + (1 - alpha) * CE(f(x_adv), y)} (Tramer et al. replace half of each batch:
 * {@code alpha} 0.5). The static models are model files ({@code models=a.safetensors;b.safetensors}, separated by
 * {@code ;}), loaded once with {@link ModelFile}, frozen, in eval mode.
 *
 * <p>Attack: {@code --train-attack}, default L-inf PGD as for {@code pgd-at} (Li et al. train every defense with
 * L2, L-inf or mixed PGD; Tramer et al. used single-step attacks, e.g. {@code --train-attack fgsm:eps=0.3}).
 * Options: {@code models} (required), {@code alpha} 0.5, {@code eval-mode} true (for the trained model).
 */
public final class EnsembleAdversarialTraining implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("models", "", "the static pre-trained model files, separated by ';' (required)"),
            new Attacks.Option("alpha", "0.5", "weight of the clean loss, in [0, 1]"),
            new Attacks.Option("eval-mode", "true", "attack the trained model in eval mode (static models always are)"),
            NormMix.OPTION);

    private final InnerAttack inner;
    private final InnerAttack mixInner;
    private final List<Module> statics;
    private final double alpha;

    /**
     * @param inner   the attack (and its threat model) used on every source
     * @param statics the fixed pre-trained models (at least one), used in eval mode, never updated
     * @param alpha   weight of the clean loss in [0, 1]
     */
    public EnsembleAdversarialTraining(InnerAttack inner, List<? extends Module> statics, double alpha) {
        this(inner, null, statics, alpha);
    }

    /**
     * @param inner    the attack (and its threat model) used on every source
     * @param mixInner the attack of every other round of sources (Li et al.'s Mix), or null
     * @param statics  the fixed pre-trained models (at least one), used in eval mode, never updated
     * @param alpha    weight of the clean loss in [0, 1]
     */
    public EnsembleAdversarialTraining(InnerAttack inner, InnerAttack mixInner, List<? extends Module> statics, double alpha) {
        if (statics.isEmpty()) throw new IllegalArgumentException("ensemble-at: give at least one static model, e.g. models=a.safetensors;b.safetensors");
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("ensemble-at: alpha must be in [0, 1], got " + alpha);
        this.inner = inner;
        this.mixInner = mixInner;
        this.statics = List.copyOf(statics);
        for (Module m : this.statics) m.freeze().eval();
        this.alpha = alpha;
    }

    static EnsembleAdversarialTraining fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        if (!o.has("models")) throw new IllegalArgumentException("ensemble-at: option models is required (static model files separated by ';')");
        List<SpecModel> ms = new ArrayList<>();
        for (String f : o.string("models").split(";")) if (!f.isBlank()) ms.add(load(Path.of(f.trim())));
        AttackSpec spec = setup.attackOr(PgdAdversarialTraining.DEFAULT_ATTACK), second = NormMix.second(spec, o.string("mix"), "ensemble-at");
        boolean eval = o.bool("eval-mode");
        return new EnsembleAdversarialTraining(InnerAttack.of(spec, eval), second == null ? null : InnerAttack.of(second, eval), ms, o.real("alpha"));
    }

    /** A model file (architecture and weights) as a model. */
    static SpecModel load(Path file) {
        try {
            ModelLoader.Loaded loaded = ModelLoader.load(file);  // names and shapes checked on the header first
            if (loaded.nonFinite() != null)
                throw new ModelFileException(file, "the model is broken: " + loaded.nonFinite().describe());
            return loaded.model();
        } catch (IOException e) {
            throw new UncheckedIOException("ensemble-at: cannot load static model " + file + ": " + e.getMessage(), e);
        }
    }

    /** The source of step {@code step}: 0 for the trained model, {@code i >= 1} for static model {@code i - 1}. */
    public int sourceAt(long step) {
        return (int) (step % (statics.size() + 1));
    }

    /** The attack of step {@code step}: with {@code mix}, the second ball on every other round of sources. */
    public InnerAttack innerAt(long step) {
        return NormMix.at(inner, mixInner, step / (statics.size() + 1));
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        int source = sourceAt(context.step());
        InnerAttack attack = innerAt(context.step());
        Tensor adv;
        if (source == 0) {
            adv = attack.craft(model, batch.x(), batch.y(), context.generator());
        } else {
            Module m = statics.get(source - 1);
            DType want = batch.x().dtype();
            Tensor p0 = m.namedParameters().values().stream().findFirst().orElse(null);
            if (p0 != null && p0.dtype() != want) m.to(want).freeze().eval(); // the batch's precision, once
            adv = InnerAttack.craft(m, attack.attack(), attack.threat(), batch.x(), batch.y(), context.generator(), true);
        }
        Tensor advLoss = Objective.classificationLoss(model.forward(adv), batch.y(), 0);
        if (alpha == 0) return new Outcome(advLoss, null);
        Tensor logits = model.forward(batch.x());
        return new Outcome(Objective.classificationLoss(logits, batch.y(), 0).mul(alpha).add(advLoss.mul(1 - alpha)), logits);
    }

    @Override
    public String toString() {
        return "ensemble-at(" + statics.size() + " static models, alpha=" + alpha + ", attack " + inner + ")";
    }
}
