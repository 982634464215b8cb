package dev.brink.robust.analysis;

import dev.brink.robust.Registry;
import dev.brink.robust.SpecText;
import dev.brink.robust.attack.Attacks;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of analyses by name, for {@code brink analyze NAME[:KEY=VALUE,...] MODEL}: each entry has a one-line
 * summary naming its paper, its options (name, default, meaning) and a factory from the parsed options. Adding an
 * analysis is one class plus one {@link #register} line below.
 *
 * <pre>{@code
 * Analysis a = Analyses.create("margins", Map.of("bins", "40"));
 * a.run(input, new AnalysisOutput(dir, "margins", command));
 * }</pre>
 */
public final class Analyses {
    private Analyses() {}

    private static final Registry<Function<Attacks.Options, Analysis>> REGISTRY = new Registry<>("analysis");

    static {
        register("margins", "Liu and Chan's effective margins of the correctly classified points, exact through per-class Jacobian rows: mean, std, histogram (test and train)",
                MarginDistribution.OPTIONS, MarginDistribution::fromOptions);
        register("surface", "Yu et al.'s decision surface d = z_y - max_{j!=y} z_j and loss on a plane through a point: random, CE, least-likely and C&W directions, d = 0 contour, PGD trajectory (Figs. 3-7)",
                DecisionSurface.OPTIONS, DecisionSurface::fromOptions);
        register("param-surface", "loss in parameter space along filter-normalized random directions, 1-D and 2-D (Yu et al. Fig. 2, Li et al. 2018)",
                ParameterSurface.OPTIONS, ParameterSurface::fromOptions);
        register("jacobian-hessian", "input Jacobian norms and sparsity, Hessian eigenvalues by Lanczos on exact HVPs and the full spectrum, Yu et al.'s robustness-indicator bound (Sec. 4.3)",
                InputDerivatives.OPTIONS, InputDerivatives::fromOptions);
        register("certify", "certified L2 radius from layer spectral norms (margin / (sqrt 2 L)) next to CLEVER (Weng et al.), effective margins and DeepFool distances: which points are provably robust",
                CertifiedMargins.OPTIONS, CertifiedMargins::fromOptions);
        // attack diagnostics and pictures
        register("so-trace", "Li et al.'s Fig. 1: mean gradient L2 norm per iteration of PGD and the S-O attack (gradient masking shows as a vanishing norm)",
                GradientTrace.OPTIONS, GradientTrace::fromOptions);
        register("fooling-sweep", "Galloway et al.'s Fig. 9: fooling-image success rate and margin of one targeted FGSM step from noise, eps 0..255",
                FoolingSweep.OPTIONS, FoolingSweep::fromOptions);
        register("l0-curves", "Galloway et al.'s Figs. 7 and 11: accuracy against the number of features changed by extreme-weight pixels, pixel swaps and JSMA",
                L0Curves.OPTIONS, L0Curves::fromOptions);
        register("linear-weights", "Galloway et al.'s Figs. 1, 2 and 6: a linear model's weights and its FGSM perturbations as pictures",
                LinearPictures.OPTIONS, LinearPictures::fromOptions);
        register("filters", "the first layer's filters (convolution kernels, or a linear layer's rows in the input's shape) as pictures",
                FirstLayerFilters.OPTIONS, FirstLayerFilters::fromOptions);
        register("fooling-images", "fooling images per class, iterative from noise (Galloway et al., Sec. 6.1)",
                FoolingPictures.OPTIONS, FoolingPictures::fromOptions);
        register("jacobian-maps", "Yu et al.'s Figs. 8 and 10: per-class Jacobian rows dz_j/dx of a few inputs as pictures",
                JacobianMaps.OPTIONS, JacobianMaps::fromOptions);
    }

    /** Adds an analysis to the registry (names are lower case and unique). */
    public static void register(String name, String summary, List<Attacks.Option> options, Function<Attacks.Options, Analysis> factory) {
        REGISTRY.register(name, summary, options, factory);
    }

    /** Registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }

    /** The registry entry of a name (an unknown name is an error listing the known ones). */
    public static Registry.Entry<Function<Attacks.Options, Analysis>> entry(String name) {
        return REGISTRY.entry(name);
    }

    /** The analysis {@code name} with {@code options} (undeclared keys are an error naming the declared ones). */
    public static Analysis create(String name, Map<String, String> options) {
        Registry.Entry<Function<Attacks.Options, Analysis>> e = REGISTRY.entry(name);
        return e.factory().apply(e.parse(options));
    }

    /** The analysis of a spec {@code NAME[:KEY=VALUE,...]}. */
    public static Analysis parse(String spec) {
        SpecText s = SpecText.parse("analysis", spec);
        return create(s.name(), s.options());
    }

    /** {@code --help} text of every analysis. */
    public static String help() {
        return REGISTRY.help();
    }
}
