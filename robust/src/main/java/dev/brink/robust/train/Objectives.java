package dev.brink.robust.train;

import dev.brink.nn.train.Objective;
import dev.brink.robust.Registry;
import dev.brink.robust.SpecText;
import dev.brink.robust.attack.Attacks;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The registry of training objectives by name, for {@code brink train --objective NAME[:KEY=VALUE,...]}: each entry
 * has a one-line summary naming its paper, its options (name, default, meaning) and a factory from the parsed
 * options and the run's {@link ObjectiveSetup} (the inner attack given by {@code --train-attack}). Adding an
 * objective is one class plus one {@link #register} line below.
 *
 * <pre>{@code
 * Objective o = Objectives.create("cross-entropy", Map.of("label-smoothing", "0.1"), ObjectiveSetup.NONE);
 * }</pre>
 */
public final class Objectives {
    private Objectives() {}

    private static final Registry<BiFunction<Attacks.Options, ObjectiveSetup, Objective>> REGISTRY = new Registry<>("objective");

    static {
        register("cross-entropy", "mean cross-entropy with label smoothing and L1/L2 weight penalties (Galloway et al.)",
                CrossEntropyObjective.OPTIONS, CrossEntropyObjective::fromOptions);
        register("fgsm-at", "alpha CE(clean) + (1 - alpha) CE(adv), FGSM examples from true or predicted labels (Goodfellow et al.; Galloway et al.); default attack " + FgsmAdversarialTraining.DEFAULT_ATTACK,
                FgsmAdversarialTraining.OPTIONS, FgsmAdversarialTraining::fromOptions);
        register("robust-optimization", "one ascent step per example in an L1, L2 or L-inf ball (fgsm, fgm-l2, fgm-l1), descent on the perturbed batch (Shaham et al., Algorithm 1)",
                RobustOptimization.OPTIONS, RobustOptimization::fromOptions);
        register("pgd-at", "CE of PGD examples (Madry et al.), optionally after clean epochs (Galloway et al.'s delayed start); default attack " + PgdAdversarialTraining.DEFAULT_ATTACK,
                PgdAdversarialTraining.OPTIONS, PgdAdversarialTraining::fromOptions);
        register("mixed-at", "PGD adversarial training alternating L-inf and L2 balls (Li et al.); default attack " + MixedAdversarialTraining.DEFAULT_ATTACK + " without norm and eps",
                MixedAdversarialTraining.OPTIONS, MixedAdversarialTraining::fromOptions);
        register("ensemble-at", "adversarial examples in turn from the trained model and fixed pre-trained models (Tramer et al.; Li et al.); default attack " + PgdAdversarialTraining.DEFAULT_ATTACK,
                EnsembleAdversarialTraining.OPTIONS, EnsembleAdversarialTraining::fromOptions);
        register("atda", "adversarial training with domain adaptation of clean and adversarial logits (Song et al.; Li et al.); default attack " + PgdAdversarialTraining.DEFAULT_ATTACK,
                Atda.OPTIONS, Atda::fromOptions);
        register("input-gradient", "CE + lambda * mean ||d CE / d x||_2^2, input-gradient regularization by double backprop (Ross and Doshi-Velez)",
                InputGradientObjective.OPTIONS, InputGradientObjective::fromOptions);
        register("jacobian-reg", "CE + lambda * mean ||d (z_y - max_{j!=y} z_j) / d x||_p, Jacobian regularization of the margin (Yu et al.)",
                JacobianRegObjective.OPTIONS, JacobianRegObjective::fromOptions);
        register("emr", "CE + lambda * effective weight norm, exact or approximate effective margin regularization (Liu and Chan)",
                EmrObjective.OPTIONS, EmrObjective::fromOptions);
        register("trades", "CE(clean) + beta * KL(clean || adversarial), PGD on the KL (Zhang et al.; Liu and Chan's beta 12)",
                TradesObjective.OPTIONS, TradesObjective::fromOptions);
        register("mart", "boosted CE on adversarial examples + beta * KL weighted by 1 - p_y(clean) (Wang et al.)",
                MartObjective.OPTIONS, MartObjective::fromOptions);
        register("mail", "margin-aware instance reweighting of AT or TRADES (Wang, Liu et al.; Liu and Chan's settings)",
                MailObjective.OPTIONS, MailObjective::fromOptions);
        register("l-softmax", "large-margin softmax with integer angular margin m (Liu, Wen, Yu, Yang)",
                LargeMarginSoftmaxObjective.OPTIONS, LargeMarginSoftmaxObjective::fromOptions);
        register("hypersphere", "hypersphere embedding: normalized features and weights, scale s, angular margin m (Pang et al.)",
                HypersphereObjective.OPTIONS, HypersphereObjective::fromOptions);
    }

    /** Adds an objective to the registry (names are lower case and unique). */
    public static void register(String name, String summary, List<Attacks.Option> options,
                                BiFunction<Attacks.Options, ObjectiveSetup, Objective> factory) {
        REGISTRY.register(name, summary, options, factory);
    }

    /** Registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }

    /** The registry entry of a name; an unknown name is an error listing the known ones. */
    public static Registry.Entry<BiFunction<Attacks.Options, ObjectiveSetup, Objective>> entry(String name) {
        return REGISTRY.entry(name);
    }

    /** {@code --help} text of every objective. */
    public static String help() {
        return REGISTRY.help();
    }

    /** An objective configured from string options (unknown options are an error naming the known ones). */
    public static Objective create(String name, Map<String, String> options, ObjectiveSetup setup) {
        var e = entry(name);
        return e.factory().apply(e.parse(options), setup);
    }

    /**
     * The sum of several objectives ({@link SumObjective}: losses and regularizers add, the first one's logits are
     * reported); a single objective is returned as it is.
     */
    public static Objective sum(List<Objective> objectives) {
        return objectives.size() == 1 ? objectives.get(0) : new SumObjective(objectives);
    }

    /** The sum ({@link #sum}) of the objectives that {@code specs} name (each parsed as {@link #parse}). */
    public static Objective parseAll(List<String> specs, ObjectiveSetup setup) {
        if (specs.isEmpty()) throw new IllegalArgumentException("no objective given");
        List<Objective> parts = new java.util.ArrayList<>();
        for (String s : specs) parts.add(parse(s, setup));
        return sum(parts);
    }

    /**
     * Whether every objective {@code specs} name that runs an inner attack takes that attack's norm and eps from its
     * own options (mixed-at: {@code linf-eps} and {@code l2-eps}), so {@code --train-attack} need not give a budget.
     * False when none of them does (an attack without a budget would then be unusable).
     */
    public static boolean setOwnAttackBudget(List<String> specs) {
        boolean any = false;
        for (String s : specs) {
            String name = SpecText.parse("objective", s).name();
            if (name.equals("mixed-at")) any = true;
            else if (!name.equals("cross-entropy")) return false;
        }
        return any;
    }

    /**
     * An objective from {@code NAME[:KEY=VALUE,...]} (the attack-spec syntax), e.g.
     * {@code trades:beta=6} or {@code cross-entropy:label-smoothing=0.1,l2=5e-4}.
     */
    public static Objective parse(String spec, ObjectiveSetup setup) {
        SpecText parsed = SpecText.parse("objective", spec);
        return create(parsed.name(), parsed.options(), setup);
    }
}
