package dev.brink.robust.autoattack;

import dev.brink.robust.attack.Attack;
import dev.brink.robust.eval.AttackFactory;
import dev.brink.robust.eval.AttackSpec;

/**
 * One attack of an AutoAttack run: the name it is reported under (the reference's {@code apgd-ce}, {@code apgd-t},
 * {@code fab-t}, {@code square}, ...) and the registry spec that configures it ({@code apgd:loss=ce,restarts=1}).
 * The threat model (norm, eps) is the run's, not the spec's.
 */
public record Component(String name, String spec) {
    public Component {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("autoattack: a component needs a name");
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("autoattack: component " + name + " needs an attack spec");
    }

    /** The configured attack (unknown attacks or options are errors naming the component). */
    public Attack attack() {
        try {
            return AttackFactory.create(AttackSpec.parse(spec));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("autoattack component " + name + " (" + spec + "): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " = " + spec;
    }
}
