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

    /**
     * This component for a model with {@code classes} outputs, as the reference's class checks would have it run:
     * target classes capped at {@code classes - 1}; null (skip) where the DLR loss cannot be formed (untargeted DLR
     * needs 3 classes, targeted DLR 4). Each change adds a line to {@code notes}.
     */
    public Component forClasses(int classes, java.util.List<String> notes) {
        AttackSpec s = AttackSpec.parse(spec);
        java.util.Map<String, String> opts = new java.util.LinkedHashMap<>(s.options());
        int targets = 0;
        if (opts.containsKey("targets")) targets = Integer.parseInt(opts.get("targets").trim());
        else if (s.name().endsWith("-t")) targets = defaultTargets(s.name());
        boolean dlr = "dlr".equalsIgnoreCase(opts.getOrDefault("loss", s.name().equals("apgd-t") ? "dlr" : ""));
        if (dlr && (classes < 3 || (targets > 0 && classes < 4))) {
            notes.add(name + " skipped: the " + (targets > 0 ? "targeted " : "") + "DLR loss needs at least " + (targets > 0 ? 4 : 3) + " classes, the model has " + classes);
            return null;
        }
        if (targets > classes - 1) {
            opts.put("targets", Integer.toString(classes - 1));
            notes.add(name + ": " + targets + " target classes asked, the model has " + (classes - 1) + " wrong classes; using " + (classes - 1));
            StringBuilder t = new StringBuilder(s.name());
            String sep = ":";
            for (var e : opts.entrySet()) {
                t.append(sep).append(e.getKey()).append('=').append(e.getValue());
                sep = ",";
            }
            return new Component(name, t.toString());
        }
        return this;
    }

    private static int defaultTargets(String attack) {
        for (var o : dev.brink.robust.attack.Attacks.options(attack))
            if (o.name().equals("targets") && !o.defaultValue().isEmpty()) return Integer.parseInt(o.defaultValue());
        return 0;
    }

    @Override
    public String toString() {
        return name + " = " + spec;
    }
}
