package dev.brink.robust.eval;

import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds attacks from {@link AttackSpec}s through the attack registry ({@link Attacks}) and picks each attack's norm. */
public final class AttackFactory {
    private AttackFactory() {}

    /**
     * A new attack for the spec. The evaluation keys ({@code eps}, {@code label}) are not passed on; {@code norm}
     * is passed on only to attacks that declare a {@code norm} option.
     */
    public static Attack create(AttackSpec spec) {
        Map<String, String> opts = new LinkedHashMap<>(spec.attackOptions());
        if (spec.options().containsKey("norm") && declares(spec.name(), "norm")) opts.put("norm", spec.options().get("norm"));
        return Attacks.create(spec.name(), opts);
    }

    private static boolean declares(String attack, String option) {
        for (Attacks.Option o : Attacks.options(attack)) if (o.name().equals(option)) return true;
        return false;
    }

    /** The registered attack names. */
    public static List<String> names() {
        return Attacks.names();
    }

    /**
     * The norm to attack in: the spec's {@code norm=} option, else {@code fallback} (the command's --norm) when the
     * attack supports it, else the attack's natural one (L-inf if it supports it, else L2, L1, L0 in that order).
     * In a list of attacks, a command-wide --norm that an attack of a single norm cannot use gives way to that norm
     * (e.g. an L0 attack in a list of L-inf attacks).
     *
     * @throws IllegalArgumentException when the spec's norm is not one the attack supports, or --norm is not and the
     *                                  attack supports several
     */
    public static Norm normFor(AttackSpec spec, Attack attack, Norm fallback) {
        return normFor(spec, attack, fallback, false);
    }

    /** {@link #normFor(AttackSpec, Attack, Norm)}; when {@code strict}, a --norm the attack lacks is always an error. */
    public static Norm normFor(AttackSpec spec, Attack attack, Norm fallback, boolean strict) {
        Set<Norm> ok = attack.supportedNorms();
        if (spec.norm() != null) {
            if (!ok.contains(spec.norm()))
                throw new IllegalArgumentException(spec.label() + ": norm " + spec.norm().label() + " is not supported (supported: " + labels(ok) + ")");
            return spec.norm();
        }
        if (fallback != null && ok.contains(fallback)) return fallback;
        if (fallback != null && (strict || ok.size() > 1))
            throw new IllegalArgumentException(spec.label() + ": norm " + fallback.label() + " is not supported (supported: " + labels(ok)
                    + "); give the norm in the spec, e.g. " + spec.name() + ":norm=" + natural(ok).label());
        return natural(ok);
    }

    private static Norm natural(Set<Norm> ok) {
        for (Norm c : new Norm[] {Norm.LINF, Norm.L2, Norm.L1, Norm.L0}) if (ok.contains(c)) return c;
        throw new IllegalStateException("attack supports no norm");
    }

    private static String labels(Set<Norm> s) {
        return s.stream().sorted().map(Norm::label).reduce((a, b) -> a + ", " + b).orElse("none");
    }
}
