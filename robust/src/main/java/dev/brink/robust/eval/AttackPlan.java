package dev.brink.robust.eval;

import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The attacks of a command: parsed specs, command-wide options applied to the attacks that declare them, each
 * attack built and its norm chosen, all before any work, so a bad name, option or norm is reported at once.
 */
public final class AttackPlan {
    private AttackPlan() {}

    /** A built attack with its spec and norm. */
    public record Planned(AttackSpec spec, Attack attack, Norm norm) {
        public String label() {
            return spec.label();
        }
    }

    /**
     * @param specs      the {@code --attack} texts
     * @param norm       the command's {@code --norm} (null: each attack's own)
     * @param common     command-wide attack options (e.g. {@code steps} from {@code --steps}); each goes to the
     *                   attacks that declare it (the spec text wins); an option no attack declares is an error
     */
    public static List<Planned> plan(List<String> specs, Norm norm, Map<String, String> common) {
        if (specs == null || specs.isEmpty()) throw new IllegalArgumentException("give at least one --attack (known: " + String.join(", ", Attacks.names()) + ")");
        List<AttackSpec> parsed = new ArrayList<>();
        for (String s : specs) parsed.add(AttackSpec.parse(s));
        Set<String> used = new HashSet<>();
        List<Planned> out = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (AttackSpec s : parsed) {
            Set<String> declared = new HashSet<>();
            for (Attacks.Option o : Attacks.entry(s.name()).options()) declared.add(o.name());
            for (Map.Entry<String, String> e : common.entrySet()) {
                if (e.getValue() == null) continue;
                if (declared.contains(e.getKey())) {
                    s = s.withDefault(e.getKey(), e.getValue());
                    used.add(e.getKey());
                }
            }
            Attack a = AttackFactory.create(s);
            Norm n = AttackFactory.normFor(s, a, norm, parsed.size() == 1);
            if (!labels.add(s.label())) throw new IllegalArgumentException("attack '" + s.label() + "' given twice (add label=NAME to tell them apart)");
            out.add(new Planned(s, a, n));
        }
        for (Map.Entry<String, String> e : common.entrySet()) {
            if (e.getValue() != null && !used.contains(e.getKey()))
                throw new IllegalArgumentException("option " + e.getKey() + "=" + e.getValue() + " is taken by none of the attacks " + parsed
                        + " (see brink attack --help for each attack's options)");
        }
        return out;
    }

    /** Parses {@code KEY=VALUE} texts (from {@code -O}) into a map, keys lower case. */
    public static Map<String, String> keyValues(List<String> kvs) {
        Map<String, String> m = new LinkedHashMap<>();
        if (kvs == null) return m;
        for (String kv : kvs) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1) throw new IllegalArgumentException("-O " + kv + ": expected KEY=VALUE");
            m.put(kv.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT), kv.substring(eq + 1).trim());
        }
        return m;
    }
}
