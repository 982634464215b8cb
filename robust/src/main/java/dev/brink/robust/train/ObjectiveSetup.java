package dev.brink.robust.train;

import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackFactory;
import dev.brink.robust.eval.AttackSpec;

/**
 * What a run gives its objective beyond the objective's own options: the inner attack of adversarial methods
 * ({@code --train-attack SPEC}, e.g. {@code pgd:steps=7,eps=0.3,norm=linf}), or null where none was given (an
 * adversarial objective then uses its own default attack and says so in its summary).
 */
public record ObjectiveSetup(AttackSpec trainAttack) {
    /** No inner attack given. */
    public static final ObjectiveSetup NONE = new ObjectiveSetup(null);

    /** The inner attack: {@code --train-attack} where given, else {@code fallback} (an attack spec text). */
    public AttackSpec attackOr(String fallback) {
        return trainAttack != null ? trainAttack : AttackSpec.parse(fallback);
    }

    /** The attack a spec names, with its registry options. */
    public static Attack attack(AttackSpec spec) {
        return AttackFactory.create(spec);
    }

    /**
     * The threat model of a spec: its {@code norm} (else the attack's default norm) and its {@code eps} (required:
     * an inner maximization without a budget is an error naming the spec).
     */
    public static ThreatModel threat(AttackSpec spec) {
        Attack a = attack(spec);
        Norm norm = AttackFactory.normFor(spec, a, a.defaultNorm());
        Double eps = spec.eps();
        if (eps == null) throw new IllegalArgumentException("training attack '" + spec.text() + "': give its budget, e.g. eps=0.3");
        return ThreatModel.of(norm, eps);
    }
}
