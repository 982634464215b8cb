package dev.brink.robust.autoattack;

import dev.brink.robust.attack.Norm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The attack lists of Croce and Hein's AutoAttack, with the reference implementation's parameters per version and
 * norm. Each attack runs only on the points that every earlier attack left correctly classified.
 * <ul>
 *   <li>{@code standard}: APGD-CE (1 restart; L1: 5), APGD-T over the 9 most likely wrong classes (L1: 5) with the
 *       targeted DLR loss, FAB-T over 9 target classes, Square with 5000 queries (L-inf and L2 only: Brink has no
 *       L1 Square); 100 iterations each.</li>
 *   <li>{@code plus}: APGD-CE and APGD-DLR with 5 restarts, FAB with 5 restarts, Square, APGD-T, FAB-T.</li>
 *   <li>{@code rand}: for randomized models, APGD-CE and APGD-DLR with the gradient averaged over 20 draws
 *       (expectation over transformation).</li>
 *   <li>{@code custom}: a list given by the caller ({@link #custom}).</li>
 * </ul>
 */
public enum AutoAttackVersion {
    STANDARD, PLUS, RAND, CUSTOM;

    /** Parses standard, plus, rand or custom. */
    public static AutoAttackVersion parse(String s) {
        for (AutoAttackVersion v : values()) if (v.label().equals(s.toLowerCase(Locale.ROOT))) return v;
        throw new IllegalArgumentException("unknown AutoAttack version '" + s + "'; expected standard, plus, rand or custom");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The components of this version under {@code norm} (linf, l2 or l1); {@link #CUSTOM} has none of its own. */
    public List<Component> components(Norm norm) {
        if (norm != Norm.LINF && norm != Norm.L2 && norm != Norm.L1)
            throw new IllegalArgumentException("AutoAttack runs in linf, l2 or l1, not " + norm.label());
        boolean l1 = norm == Norm.L1;
        return switch (this) {
            case STANDARD -> {
                List<Component> c = new ArrayList<>();
                c.add(named("apgd-ce", l1 ? 5 : 1));
                c.add(new Component("apgd-t", "apgd-t:loss=dlr,targets=" + (l1 ? 5 : 9) + ",restarts=1,steps=100"));
                c.add(named("fab-t", 1));
                if (!l1) c.add(named("square", 1));
                yield List.copyOf(c);
            }
            case PLUS -> List.of(named("apgd-ce", 5), named("apgd-dlr", 5), named("fab", 5), named("square", 1),
                    named("apgd-t", 1), named("fab-t", 1));
            case RAND -> List.of(new Component("apgd-ce", "apgd:loss=ce,restarts=1,steps=100,eot-iter=20"),
                    new Component("apgd-dlr", "apgd:loss=dlr,restarts=1,steps=100,eot-iter=20"));
            case CUSTOM -> List.of();
        };
    }

    /**
     * A custom list: each entry is a reference name ({@code apgd-ce}, {@code apgd-dlr}, {@code apgd-t}, {@code fab},
     * {@code fab-t}, {@code square}, with the standard version's parameters) or any attack spec of the registry
     * ({@code pgd:steps=100}), reported under its text.
     */
    public static List<Component> custom(List<String> entries) {
        if (entries.isEmpty()) throw new IllegalArgumentException("autoattack: the custom version needs a list of attacks");
        List<Component> out = new ArrayList<>();
        for (String e : entries) {
            String s = e.trim();
            Component c = switch (s) {
                case "apgd-ce", "apgd-dlr", "fab", "fab-t", "square" -> named(s, 1);
                case "apgd-t" -> new Component("apgd-t", "apgd-t:loss=dlr,targets=9,restarts=1,steps=100");
                default -> new Component(s, s);
            };
            for (Component o : out)
                if (o.name().equals(c.name())) throw new IllegalArgumentException("autoattack: attack " + c.name() + " is listed twice");
            out.add(c);
        }
        return List.copyOf(out);
    }

    /** A reference attack with the given restarts (FAB-T and APGD-T: one run per target class). */
    private static Component named(String name, int restarts) {
        return switch (name) {
            case "apgd-ce" -> new Component(name, "apgd:loss=ce,restarts=" + restarts + ",steps=100");
            case "apgd-dlr" -> new Component(name, "apgd:loss=dlr,restarts=" + restarts + ",steps=100");
            case "apgd-t" -> new Component(name, "apgd-t:loss=dlr,targets=9,restarts=1,steps=100");
            case "fab" -> new Component(name, "fab:restarts=" + restarts + ",steps=100");
            case "fab-t" -> new Component(name, "fab-t:targets=9,restarts=1,steps=100");
            case "square" -> new Component(name, "square:queries=5000,p-init=0.8,restarts=" + restarts);
            default -> throw new IllegalArgumentException("no reference attack " + name);
        };
    }
}
