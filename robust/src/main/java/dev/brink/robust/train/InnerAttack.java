package dev.brink.robust.train;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackSpec;

/**
 * The inner maximization of an adversarial-training objective: an attack of the registry with its threat model,
 * run on the model being trained (in evaluation mode when {@code evalMode}, as Madry et al. and most papers do,
 * the model's training mode restored afterwards), returning detached adversarial examples.
 *
 * @param spec     the attack spec it was built from (for summaries and errors)
 * @param attack   the attack
 * @param threat   its norm, eps and the pixel box [0, 1]
 * @param evalMode whether to switch the model to evaluation mode while attacking
 */
public record InnerAttack(AttackSpec spec, Attack attack, ThreatModel threat, boolean evalMode) {
    /** The attack and threat model a spec names (its {@code eps} is required). */
    public static InnerAttack of(AttackSpec spec, boolean evalMode) {
        return new InnerAttack(spec, ObjectiveSetup.attack(spec), ObjectiveSetup.threat(spec), evalMode);
    }

    /** {@code --train-attack} where the run gave one, else {@code fallback}. */
    public static InnerAttack of(ObjectiveSetup setup, String fallback, boolean evalMode) {
        return of(setup.attackOr(fallback), evalMode);
    }

    /**
     * Adversarial examples for inputs {@code x [N, ...]} in [0, 1] against int32 labels {@code [N]}, crafted on
     * {@code model} with the random stream {@code gen} (the run's generator: random starts stay reproducible on
     * resume); detached, same shape and dtype as x.
     */
    public Tensor craft(Module model, Tensor x, Tensor labels, Generator gen) {
        return craft(model, attack, threat, x, labels, gen, evalMode);
    }

    /** As {@link #craft(Module, Tensor, Tensor, Generator)} with an explicit attack and threat model. */
    public static Tensor craft(Module model, Attack attack, ThreatModel threat, Tensor x, Tensor labels, Generator gen, boolean evalMode) {
        boolean wasTraining = model.isTraining();
        try {
            if (evalMode) model.eval();
            Classifier c = new Classifier(model::forward);
            return attack.run(c, x.detach(), labels, threat, Goal.UNTARGETED, gen).adversarial().detach();
        } finally {
            if (wasTraining) model.train();
            else model.eval();
        }
    }

    @Override
    public String toString() {
        return spec.text() + (evalMode ? " (model in eval mode)" : " (model in train mode)");
    }
}
