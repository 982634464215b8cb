package dev.brink.robust.attack;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Projected gradient descent (Madry et al. 2018; Galloway et al., Li et al., Yu et al., Liu and Chan) in an L-inf, L2 or L1 ball: a random
 * start in the ball, then {@code steps} steps of size {@code step} along the threat norm's steepest direction
 * (sign of the gradient for L-inf, the unit-L2 gradient for L2, and for L1 a sparse step: sign of the gradient on
 * the top {@code l1-sparsity} fraction of coordinates by magnitude that can still move inside the box, scaled to
 * unit L1 — with one coordinate it is Shaham et al.'s one-pixel steepest L1 step), each followed by the projection onto
 * the ball and the box. Seed 000's "PGD (20-2-eps)" is {@code steps=20, step=2/255, random-start=true}.
 *
 * <p>Losses: cross-entropy, the C&amp;W margin, and with {@link Goal#LEAST_LIKELY} the least-likely-class targeted
 * cross-entropy (Yu et al.). Restarts keep the best iterate per sample (successful first, then highest loss); see
 * {@link GradientDescent}. Inputs {@code [N, ...]} in the box; labels int32 {@code [N]}.
 *
 * <p>Options: {@code norm} (empty: the threat model's), {@code steps} 40, {@code step} (absolute; empty: {@code rel-step * eps}),
 * {@code rel-step} 2.5/steps, {@code random-start} true, {@code restarts} 1, {@code early-stop} true, {@code loss} ce,
 * {@code l1-sparsity} 0.01.
 */
public final class Pgd extends GradientDescent {
    /** The options every PGD-like attack shares (all but norm). */
    static final List<Attacks.Option> SHARED = List.of(
            new Attacks.Option("steps", "40", "gradient steps"),
            new Attacks.Option("step", "", "absolute step size (empty: rel-step * eps)"),
            new Attacks.Option("rel-step", "", "step size as a fraction of eps (empty: 2.5 / steps, Madry et al.)"),
            new Attacks.Option("random-start", "true", "start uniformly at random in the ball"),
            new Attacks.Option("restarts", "1", "random restarts; the best per sample is kept"),
            new Attacks.Option("early-stop", "true", "stop a sample once it is successful"),
            new Attacks.Option("loss", "ce", "ce (cross-entropy) or cw (C&W margin)"),
            new Attacks.Option("l1-sparsity", "0.01", "L1 only: fraction of coordinates moved per step (at least one)"));

    /** The shared options without the L1-only one, for attacks bounded in L2 and L-inf. */
    static final List<Attacks.Option> SHARED_L2_LINF = SHARED.stream().filter(o -> !o.name().equals("l1-sparsity")).toList();

    static final List<Attacks.Option> OPTIONS = with(List.of(new Attacks.Option("norm", "", "linf, l2 or l1 (empty: the threat model's norm)")), SHARED);

    static List<Attacks.Option> with(List<Attacks.Option> a, List<Attacks.Option> b) {
        List<Attacks.Option> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private final Norm norm;

    /** PGD in the given norm (null: whichever of L-inf, L2, L1 the threat model names). */
    public Pgd(Norm norm, Config config) {
        super(config);
        if (norm != null && !EnumSet.of(Norm.LINF, Norm.L2, Norm.L1).contains(norm))
            throw new IllegalArgumentException("pgd: norm must be linf, l2 or l1, got " + norm.label());
        this.norm = norm;
    }

    /** L-inf PGD with cross-entropy, random start, one restart, step {@code rel-step * eps} = 2.5 eps / steps. */
    public Pgd(int steps) {
        this(null, new Config(AttackLoss.CROSS_ENTROPY, steps, Double.NaN, 2.5 / steps, true, 1, true, 0.01));
    }

    static Pgd fromOptions(Attacks.Options o) {
        return new Pgd(o.has("norm") ? o.norm("norm") : null, config(o, true));
    }

    /** The shared options of the gradient-descent attacks. */
    static Config config(Attacks.Options o, boolean randomStart) {
        int steps = o.integer("steps");
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        return new Config(o.loss("loss"), steps, o.has("step") ? o.real("step") : Double.NaN,
                o.has("rel-step") ? o.real("rel-step") : 2.5 / steps,
                randomStart && o.bool("random-start"), o.integer("restarts"), o.bool("early-stop"),
                o.declares("l1-sparsity") && o.has("l1-sparsity") ? o.real("l1-sparsity") : 0.01);
    }

    @Override
    public String name() {
        return norm == null ? "pgd" : "pgd-" + norm.label();
    }

    @Override
    public Set<Norm> supportedNorms() {
        return norm == null ? EnumSet.of(Norm.LINF, Norm.L2, Norm.L1) : EnumSet.of(norm);
    }
}
