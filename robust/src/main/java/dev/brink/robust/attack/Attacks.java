package dev.brink.robust.attack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import dev.brink.robust.Registry;

/**
 * The registry of attacks by name, for the command line and sweeps: each entry has a one-line summary, the paper
 * it comes from, its options (name, default, meaning) and a factory from string options. Adding an attack is one
 * class plus one {@link #register} line below.
 *
 * <pre>{@code
 * Attack pgd = Attacks.create("pgd", Map.of("steps", "40", "step", "0.01", "loss", "ce"));
 * AttackResult r = pgd.run(model, x, y, ThreatModel.of(Norm.LINF, 0.3), Goal.UNTARGETED, new Generator(0));
 * }</pre>
 *
 * Unknown options and unparsable values are refused with the list of known options.
 */
public final class Attacks {
    private Attacks() {}

    /** One option of an attack: its name on the command line, the default (as text) and what it means. */
    public record Option(String name, String defaultValue, String description) {}

    /** A registered attack: name, summary, options and the factory from parsed options. */
    private static final Registry<Function<Options, Attack>> REGISTRY = new Registry<>("attack");

    static {
        register("fgsm", "one signed-gradient step of size eps (Goodfellow et al.; Galloway et al., Shaham et al., Yu et al.); linf", Fgsm.OPTIONS, Fgsm::fromOptions);
        register("fgm-l2", "one unit-L2 gradient step of length eps, Fast grad L2 (Kurakin et al.; Galloway et al., Shaham et al.); l2", FgmL2.OPTIONS, FgmL2::fromOptions);
        register("fgm-l1", "steepest L1 step: eps on the largest-|gradient| feature(s) (Shaham et al.); l1", FgmL1.OPTIONS, FgmL1::fromOptions);
        register("fgm-l2-x100-clip", "unit-L2 gradient times 100, clipped to +-eps (Galloway et al. Sec. 3); linf", FgmL2Clip.OPTIONS, FgmL2Clip::fromOptions);
        register("bim", "basic iterative method / I-FGSM, no random start (Kurakin et al.; Yu et al.); linf", Bim.OPTIONS, Bim::fromOptions);
        register("pgd", "projected gradient descent with random start and restarts (Madry et al.; Galloway et al., Li et al., Yu et al.); linf, l2, l1", Pgd.OPTIONS, Pgd::fromOptions);
        register("cw-l2", "Carlini-Wagner L2: tanh variables, Adam, binary search over c (Yu et al.); l2", CarliniWagnerL2.OPTIONS, CarliniWagnerL2::fromOptions);
        register("deepfool", "DeepFool: steps to the nearest linearized boundary (Moosavi-Dezfooli et al.); l2, linf", DeepFool.OPTIONS, DeepFool::fromOptions);
        register("fab", "fast adaptive boundary attack, minimal perturbation by projections onto linearized boundaries (Croce and Hein); linf, l2, l1", FastAdaptiveBoundary.OPTIONS, FastAdaptiveBoundary::fromOptions);
        register("fab-t", "FAB with targeted runs at the 9 most likely non-true classes, as in AutoAttack (Croce and Hein); linf, l2, l1", FastAdaptiveBoundary.OPTIONS_TARGETED, FastAdaptiveBoundary::fromOptions);
        register("second-order", "S-O attack: PGD on the Gaussian-smoothed gradient, the threat norm's steepest steps (L2-normalized under l2, Li et al.); l2, linf", SecondOrder.OPTIONS, SecondOrder::fromOptions);
        register("second-order-exact", "S-O attack with exact Hessian-vector power iteration (Li et al. App. A); l2, linf", SecondOrderExact.OPTIONS, SecondOrderExact::fromOptions);
        register("jsma", "Jacobian saliency map attack over feature pairs, theta = +1 (Papernot et al.; Galloway et al.); l0", Jsma.OPTIONS, Jsma::fromOptions);
        register("pixel-swap", "random swaps of a ratio of features within each channel, black box (Galloway et al. Sec. 6.3.1); l0", PixelSwap.OPTIONS, PixelSwap::fromOptions);
        register("extreme-weight", "pixels at a linear model's most negative and positive weights set to full scale (Galloway et al. Sec. 4); l0", ExtremeWeightPixels.OPTIONS, ExtremeWeightPixels::fromOptions);
        register("apgd", "Auto-PGD: step size halved at checkpoints, momentum, ce or dlr loss (Croce and Hein 2020; L1: Croce and Hein 2021); linf, l2, l1", AutoPgd.OPTIONS, AutoPgd::fromOptions);
        register("apgd-t", "APGD-T: targeted APGD on the targeted DLR loss toward the most likely other classes in turn (Croce and Hein 2020); linf, l2, l1", AutoPgd.TARGETED_OPTIONS, AutoPgd::fromOptions);
        register("square", "Square attack: black-box random search over square windows, AutoAttack's schedule (Andriushchenko et al.; Croce and Hein); linf, l2", SquareAttack.OPTIONS, SquareAttack::fromOptions);
    }

    /** Adds an attack to the registry (names are lower case and unique). */
    public static void register(String name, String summary, List<Option> options, Function<Options, Attack> factory) {
        REGISTRY.register(name, summary, options, factory);
    }

    /** Registered names, in registration order. */
    public static List<String> names() {
        return REGISTRY.names();
    }

    /** The registry entry of a name (options, summary); an unknown name is an error listing the known ones. */
    public static Registry.Entry<Function<Options, Attack>> entry(String name) {
        return REGISTRY.entry(name);
    }

    /** The options of an attack, for {@code --help}. */
    public static List<Option> options(String name) {
        return entry(name).options();
    }

    /** {@code --help} text of every attack. */
    public static String help() {
        return REGISTRY.help();
    }

    /** An attack with its default options. */
    public static Attack create(String name) {
        return create(name, Map.of());
    }

    /** An attack configured from string options (unknown options are an error). */
    public static Attack create(String name, Map<String, String> options) {
        var e = entry(name);
        return e.factory().apply(e.parse(options));
    }

    /**
     * Typed access to the options of an attack (or of anything else configured by {@code NAME:KEY=VALUE,...}, such as
     * a training objective), with the declared defaults. Errors name the owner, the option and the value.
     */
    public static final class Options {
        private final Registry.Entry<?> entry;
        private final Map<String, String> values = new TreeMap<>();

        /**
         * Options of {@code owner} (named in errors) declared by {@code declared}, set from {@code given} (keys are
         * case-insensitive; an undeclared key is an error listing the declared ones).
         */
        public Options(String owner, List<Option> declared, Map<String, String> given) {
            this.entry = new Registry.Entry<>(owner, "", List.copyOf(declared), null);
            for (Option o : entry.options()) values.put(o.name(), o.defaultValue());
            List<String> unknown = new ArrayList<>();
            for (Map.Entry<String, String> kv : given.entrySet()) {
                String k = kv.getKey().toLowerCase(Locale.ROOT);
                if (!values.containsKey(k)) unknown.add(kv.getKey());
                else values.put(k, kv.getValue());
            }
            if (!unknown.isEmpty()) {
                List<String> known = new ArrayList<>();
                for (Option o : entry.options()) known.add(o.name());
                Collections.sort(unknown);
                throw new IllegalArgumentException(entry.name() + ": unknown option(s) " + unknown + "; known: " + (known.isEmpty() ? "none" : known));
            }
        }

        /** The raw value ("" when the default is empty). */
        public String string(String name) {
            String v = values.get(name);
            if (v == null) throw new IllegalStateException(entry.name() + ": option '" + name + "' is not declared");
            return v.trim();
        }

        /** True when this attack declares the option. */
        public boolean declares(String name) {
            return values.containsKey(name);
        }

        /** True when the option has a non-empty value. */
        public boolean has(String name) {
            return !string(name).isEmpty();
        }

        public int integer(String name) {
            try {
                return Integer.parseInt(string(name));
            } catch (NumberFormatException ex) {
                throw bad(name, "an integer");
            }
        }

        public double real(String name) {
            String s = string(name);
            try {
                int slash = s.indexOf('/');
                if (slash > 0) return Double.parseDouble(s.substring(0, slash)) / Double.parseDouble(s.substring(slash + 1));
                return Double.parseDouble(s);
            } catch (NumberFormatException ex) {
                throw bad(name, "a number (or a fraction like 8/255)");
            }
        }

        public boolean bool(String name) {
            return switch (string(name).toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off" -> false;
                default -> throw bad(name, "true or false");
            };
        }

        public Norm norm(String name) {
            try {
                return Norm.parse(string(name));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(entry.name() + ": option " + name + ": " + ex.getMessage());
            }
        }

        public AttackLoss loss(String name) {
            try {
                return AttackLoss.parse(string(name));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(entry.name() + ": option " + name + ": " + ex.getMessage());
            }
        }

        /** The value must be one of {@code allowed} (case-insensitive); returns it in lower case. */
        public String choice(String name, String... allowed) {
            String v = string(name).toLowerCase(Locale.ROOT);
            for (String a : allowed) if (a.equals(v)) return v;
            throw bad(name, "one of " + String.join(", ", allowed));
        }

        private IllegalArgumentException bad(String name, String expected) {
            return new IllegalArgumentException(entry.name() + ": option " + name + " must be " + expected + ", got '" + string(name) + "'");
        }
    }
}
