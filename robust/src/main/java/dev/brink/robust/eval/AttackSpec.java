package dev.brink.robust.eval;

import dev.brink.robust.SpecText;

import dev.brink.robust.attack.Norm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An attack as written on the command line: {@code NAME[:KEY=VALUE,KEY=VALUE...]}, e.g. {@code fgsm},
 * {@code pgd:steps=40,step=0.01}, {@code pgd:norm=l2,steps=20,step=0.1,restarts=2}, {@code cw:kappa=0}.
 *
 * <p>Three keys belong to the evaluation rather than to the attack: {@code norm} (the threat model's norm, else the
 * command's {@code --norm}, else the attack's own default), {@code eps} (overrides the command's epsilon in
 * {@code brink attack}) and {@code label} (the name in tables, plots and file names; default: the spec text). All
 * other keys are handed to the attack's factory ({@link AttackFactory}), which rejects the ones it does not know.
 *
 * @param name    the attack's registry name, lower case
 * @param options every KEY=VALUE pair in order of appearance (keys lower case)
 * @param text    the spec as written
 */
public record AttackSpec(String name, Map<String, String> options, String text) {
    /** Keys consumed by the evaluation, not passed to the attack. */
    public static final java.util.Set<String> EVAL_KEYS = java.util.Set.of("norm", "eps", "label");

    public AttackSpec {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Parses {@code NAME[:KEY=VALUE,...]}; a clear error names the bad part. */
    public static AttackSpec parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty attack spec; expected NAME[:KEY=VALUE,...], e.g. pgd:steps=40,step=0.01");
        SpecText parsed = SpecText.parse("attack spec", text);
        AttackSpec s = new AttackSpec(parsed.name(), parsed.options(), text.trim());
        s.norm(); // validate early
        s.eps();
        return s;
    }

    /** This spec with an option added, unless the spec already sets it (the spec text wins over command options). */
    public AttackSpec withDefault(String key, String value) {
        if (value == null || options.containsKey(key)) return this;
        Map<String, String> m = new LinkedHashMap<>(options);
        m.put(key, value);
        return new AttackSpec(name, m, text);
    }

    /** The norm the spec asks for, or null. */
    public Norm norm() {
        String n = options.get("norm");
        try {
            return n == null ? null : Norm.parse(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("attack spec '" + text + "': " + e.getMessage());
        }
    }

    /** The epsilon the spec asks for, or null. */
    public Double eps() {
        String e = options.get("eps");
        if (e == null) return null;
        double v;
        try {
            v = EpsRange.number(e);
        } catch (IllegalArgumentException ex) {
            v = Double.NaN;
        }
        if (!(v >= 0) || Double.isInfinite(v))
            throw new IllegalArgumentException("attack spec '" + text + "': eps must be a finite number >= 0 (or a fraction like 8/255), got '" + e + "'");
        return v;
    }

    /** The name in tables, plots and file names: the {@code label} option, else the spec text. */
    public String label() {
        String l = options.get("label");
        return l != null ? l : text;
    }

    /** The options for the attack's factory: all but {@link #EVAL_KEYS}. */
    public Map<String, String> attackOptions() {
        Map<String, String> m = new LinkedHashMap<>(options);
        m.keySet().removeAll(EVAL_KEYS);
        return Collections.unmodifiableMap(m);
    }

    /** A file-name-safe form of the label. */
    public String fileStem() {
        return label().replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("_+$", "");
    }

    @Override
    public String toString() {
        return text;
    }
}
