package dev.brink.cluster;

import dev.brink.robust.attack.Norm;
import dev.brink.robust.autoattack.AutoAttackVersion;
import dev.brink.robust.eval.AttackFactory;
import dev.brink.robust.eval.AttackPlan;
import dev.brink.robust.eval.AttackSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An attack of a cluster evaluation: a registry attack spec ({@code pgd:steps=10}, as {@code brink sweep} takes
 * it) or {@code autoattack[:version=standard|plus|rand,norm=NORM,label=NAME]}, Croce and Hein's ensemble run by
 * {@link dev.brink.robust.autoattack.AutoAttack} on each shard, so a point one component breaks is not attacked by
 * the next.
 *
 * @param spec  the spec as written
 * @param label the name in results (the spec's {@code label=}, else its text)
 * @param norm  the norm eps is measured in
 */
public record AttackChoice(String spec, String label, Norm norm) implements Serializable {
    /** The name of the AutoAttack ensemble among attack specs. */
    public static final String AUTOATTACK = "autoattack";

    /** The AutoAttack version of an {@code autoattack} spec (default standard). */
    public AutoAttackVersion version() {
        String v = AttackSpec.parse(spec).options().getOrDefault("version", "standard");
        AutoAttackVersion parsed = AutoAttackVersion.parse(v);
        if (parsed == AutoAttackVersion.CUSTOM)
            throw new IllegalArgumentException(spec + ": version=custom is brink autoattack's; give the attacks as separate --attack specs instead");
        return parsed;
    }

    /**
     * Parses the {@code --attack} specs, builds every registry attack once (a bad name, option or norm fails here,
     * before any work) and picks each one's norm as {@code brink sweep} does ({@link AttackPlan}).
     *
     * @param norm the command's {@code --norm} (null: each attack's own; AutoAttack's default is linf)
     */
    public static List<AttackChoice> plan(List<String> specs, Norm norm) {
        if (specs == null || specs.isEmpty()) throw new IllegalArgumentException("give at least one --attack");
        List<String> registry = new ArrayList<>();
        for (String s : specs) if (!AttackSpec.parse(s).name().equals(AUTOATTACK)) registry.add(s);
        Map<String, AttackPlan.Planned> planned = new java.util.HashMap<>();
        if (!registry.isEmpty())
            for (AttackPlan.Planned p : AttackPlan.plan(registry, norm, Map.of())) planned.put(p.spec().text(), p);
        List<AttackChoice> out = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (String s : specs) {
            AttackSpec spec = AttackSpec.parse(s);
            AttackChoice c;
            if (spec.name().equals(AUTOATTACK)) {
                for (String k : spec.options().keySet())
                    if (!Set.of("version", "norm", "label").contains(k))
                        throw new IllegalArgumentException(s + ": autoattack takes version, norm and label, not " + k);
                Norm n = spec.norm() != null ? spec.norm() : norm != null ? norm : Norm.LINF;
                c = new AttackChoice(spec.text(), spec.label(), n);
                c.version().components(n).forEach(dev.brink.robust.autoattack.Component::attack); // unknown norm or attack fails now
            } else {
                AttackPlan.Planned p = planned.get(spec.text());
                if (p.spec().eps() != null) throw new IllegalArgumentException(s + ": eps= has no place here (--eps sets it)");
                c = new AttackChoice(spec.text(), p.label(), p.norm());
            }
            if (!labels.add(c.label())) throw new IllegalArgumentException("attack '" + c.label() + "' given twice (add label=NAME to tell them apart)");
            out.add(c);
        }
        return out;
    }

    /** A new registry attack for this spec (not for {@code autoattack}). */
    public dev.brink.robust.attack.Attack create() {
        return AttackFactory.create(AttackSpec.parse(spec));
    }
}
