package dev.brink.robust.train;

import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.AttackSpec;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code mix} option of the adversarial objectives with one inner attack (TRADES, ATDA, ensemble adversarial
 * training): Li et al.'s "Mix" training for them, as {@code mixed-at} does it for Madry et al.'s loss. With
 * {@code mix=NORM:EPS} (e.g. {@code l2:4.0}) the objective crafts its adversarial batch in the ball of
 * {@code --train-attack} on even optimizer steps ({@link TrainingContext#step()}, so a resumed run alternates as the
 * original would) and in the second ball on odd ones: the same attack spec with its norm and eps replaced (a
 * {@code rel-step} scales with the new eps; an absolute {@code step} applies to both balls, as in {@code mixed-at}).
 * {@code mix=none} (the default): one ball. Ensemble adversarial training, whose source model already changes with
 * every step, switches the ball once per round of its sources, so that every source is attacked in both balls.
 */
final class NormMix {
    /** The option, for the objectives' option lists. */
    static final Attacks.Option OPTION = new Attacks.Option("mix", "none",
            "alternate the training attack's ball, by optimizer step, with a second one given as NORM:EPS (e.g. l2:4.0; Li et al.'s Mix), or none");

    private NormMix() {}

    /**
     * The attack spec of the second ball: {@code spec} with norm and eps from {@code mix} ({@code NORM:EPS}), or null
     * for {@code none}; a clear error naming {@code objective} for anything else.
     */
    static AttackSpec second(AttackSpec spec, String mix, String objective) {
        String m = mix.trim().toLowerCase(Locale.ROOT);
        if (m.equals("none")) return null;
        int colon = m.indexOf(':');
        if (colon < 0) throw bad(objective, mix);
        Norm norm;
        double eps;
        try {
            norm = Norm.parse(m.substring(0, colon));
            eps = Double.parseDouble(m.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw bad(objective, mix);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) throw bad(objective, mix);
        Map<String, String> o = new LinkedHashMap<>(spec.options());
        o.remove("label");
        o.put("norm", norm.label());
        o.put("eps", Double.toString(eps));
        StringBuilder text = new StringBuilder(spec.name()).append(':');
        o.forEach((k, v) -> text.append(k).append('=').append(v).append(','));
        text.setLength(text.length() - 1);
        return AttackSpec.parse(text.toString());
    }

    /** {@code first} on even optimizer steps; {@code second} on odd ones where it is not null. */
    static <T> T at(T first, T second, TrainingContext context) {
        return at(first, second, context.step());
    }

    /** {@code first} where {@code index} is even; {@code second} where it is odd and not null. */
    static <T> T at(T first, T second, long index) {
        return second == null || index % 2 == 0 ? first : second;
    }

    private static IllegalArgumentException bad(String objective, String mix) {
        return new IllegalArgumentException(objective + ": mix must be none or NORM:EPS with a norm the attack supports and eps > 0 (e.g. l2:4.0), got '" + mix + "'");
    }
}
