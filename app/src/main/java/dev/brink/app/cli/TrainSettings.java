package dev.brink.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.train.Objective;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.train.ObjectiveSetup;
import dev.brink.robust.train.Objectives;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code brink train} trains with beyond model and optimizer: the objective specs (summed), the inner attack
 * ({@code --train-attack}), the validation split ({@code --validation}) and its attack ({@code --val-attack}). They
 * are checked before any data loads, stored in the checkpoint's metadata ({@link #into}) and taken from it on
 * {@code --resume} ({@link #forResume}), where an option that differs from the checkpoint's is an error.
 *
 * @param objectives  objective specs {@code NAME[:KEY=VALUE,...]}; empty: not given
 * @param trainAttack the {@code --train-attack} spec, or null
 * @param validation  the {@code --validation} value as given (a count or a fraction in (0, 1)), or null
 * @param valAttack   the {@code --val-attack} spec, {@code none}, or null (not given: derived from the train attack)
 */
record TrainSettings(List<String> objectives, String trainAttack, String validation, String valAttack) {
    /** Checkpoint metadata keys. */
    static final String OBJECTIVES_KEY = "brink.train.objectives", ATTACK_KEY = "brink.train.attack",
            VALIDATION_KEY = "brink.train.validation", VAL_ATTACK_KEY = "brink.train.val-attack";
    private static final ObjectMapper JSON = new ObjectMapper();

    TrainSettings {
        objectives = List.copyOf(objectives);
        if (validation != null) validationCount(validation, Integer.MAX_VALUE);
        AttackSpec ta = trainAttack == null ? null : parseAttack("--train-attack", trainAttack);
        // its eps is required, except by objectives that set the attack's norm and eps themselves (mixed-at)
        if (ta != null && !(ta.eps() == null && Objectives.setOwnAttackBudget(objectives))) ObjectiveSetup.threat(ta);
        if (valAttack != null && !valAttack.equals("none")) {
            AttackSpec va = parseAttack("--val-attack", valAttack);
            if (va.eps() == null) throw new IllegalArgumentException("--val-attack " + valAttack + ": give its budget, e.g. " + valAttack + (valAttack.contains(":") ? "," : ":") + "eps=0.3");
            ObjectiveSetup.threat(va);
        }
        if (!objectives.isEmpty()) Objectives.parseAll(objectives, new ObjectiveSetup(ta));  // names and options checked here
    }

    /**
     * The settings as given on the command line (nothing defaulted yet). {@code --label-smoothing X} (deprecated)
     * stands for {@code --objective cross-entropy:label-smoothing=X} and cannot be combined with {@code --objective}.
     */
    static TrainSettings fromOptions(List<String> objectives, Double labelSmoothing, String trainAttack, String validation, String valAttack) {
        List<String> o = new ArrayList<>();
        for (String s : objectives) o.add(s.trim());
        if (labelSmoothing != null) {
            if (!o.isEmpty())
                throw new IllegalArgumentException("--label-smoothing cannot be combined with --objective; give it as an option, e.g. --objective cross-entropy:label-smoothing=" + labelSmoothing);
            o.add("cross-entropy:label-smoothing=" + labelSmoothing);
        }
        return new TrainSettings(o, blankToNull(trainAttack), blankToNull(validation), blankToNull(valAttack));
    }

    /**
     * Defaults filled in: objective cross-entropy, no validation, and a validation attack of PGD with 10 steps at
     * the train attack's norm and eps where there is a train attack (clean accuracy only where there is none).
     */
    TrainSettings withDefaults() {
        List<String> o = objectives.isEmpty() ? List.of("cross-entropy") : objectives;
        String v = validation == null ? "0" : validation;
        String va = valAttack;
        if (va == null) va = trainAttack == null || v.equals("0") ? "none" : defaultValAttack(trainAttack);
        return new TrainSettings(o, trainAttack, v, va);
    }

    /**
     * The settings of a resumed run: the checkpoint's (a checkpoint of an earlier brink without them: the given
     * ones with defaults). A given option that differs from the checkpoint's is an error naming both.
     */
    static TrainSettings forResume(Path checkpoint, ModelInfo info, TrainSettings given) {
        String stored = info.extra().get(OBJECTIVES_KEY);
        if (stored == null) return given.withDefaults();
        List<String> o;
        try {
            o = JSON.readValue(stored, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(checkpoint + ": metadata " + OBJECTIVES_KEY + " is not a JSON list of objective specs: " + stored);
        }
        TrainSettings s = new TrainSettings(o, info.extra().get(ATTACK_KEY), info.extra().getOrDefault(VALIDATION_KEY, "0"),
                info.extra().getOrDefault(VAL_ATTACK_KEY, "none"));
        if (!given.objectives.isEmpty() && !given.objectives.equals(s.objectives))
            throw conflict(checkpoint, "--objective", String.join(" --objective ", given.objectives), String.join(" --objective ", s.objectives));
        if (given.trainAttack != null && !given.trainAttack.equals(s.trainAttack))
            throw conflict(checkpoint, "--train-attack", given.trainAttack, s.trainAttack == null ? "(none)" : s.trainAttack);
        if (given.validation != null && !given.validation.equals(s.validation)) throw conflict(checkpoint, "--validation", given.validation, s.validation);
        if (given.valAttack != null && !given.valAttack.equals(s.valAttack)) throw conflict(checkpoint, "--val-attack", given.valAttack, s.valAttack);
        return s;
    }

    private static IllegalArgumentException conflict(Path checkpoint, String option, String given, String stored) {
        return new IllegalArgumentException("--resume: " + option + " " + given + " differs from the checkpoint's " + option + " " + stored + " (" + checkpoint
                + "); a resumed run keeps its settings: drop " + option + ", or start a new run with another --output");
    }

    /** {@code info} with these settings in its metadata. */
    ModelInfo into(ModelInfo info) {
        ModelInfo i;
        try {
            i = info.withExtra(OBJECTIVES_KEY, JSON.writeValueAsString(objectives));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (trainAttack != null) i = i.withExtra(ATTACK_KEY, trainAttack);
        return i.withExtra(VALIDATION_KEY, validation == null ? "0" : validation).withExtra(VAL_ATTACK_KEY, valAttack == null ? "none" : valAttack);
    }

    /** The summed objective, with the train attack as its inner maximization. */
    Objective objective() {
        return Objectives.parseAll(objectives.isEmpty() ? List.of("cross-entropy") : objectives, new ObjectiveSetup(trainAttackSpec()));
    }

    /** The parsed train attack, or null. */
    AttackSpec trainAttackSpec() {
        return trainAttack == null ? null : AttackSpec.parse(trainAttack);
    }

    /** The validation attack, or null for clean accuracy only. */
    AttackSpec valAttackSpec() {
        return valAttack == null || valAttack.equals("none") ? null : AttackSpec.parse(valAttack);
    }

    /** The number of held-out samples for a training set of {@code trainSize}. */
    int validationCount(int trainSize) {
        return validation == null ? 0 : validationCount(validation, trainSize);
    }

    /** {@code value} as a count (digits) or a fraction in (0, 1) of {@code trainSize}, rounded; at most trainSize - 1. */
    static int validationCount(String value, int trainSize) {
        int n;
        try {
            if (value.matches("\\d+")) n = Integer.parseInt(value);
            else {
                double f = Double.parseDouble(value);
                if (!(f > 0 && f < 1)) throw new NumberFormatException();
                n = (int) Math.round(f * trainSize);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--validation must be a sample count or a fraction in (0, 1), got '" + value + "'");
        }
        if (n >= trainSize && trainSize != Integer.MAX_VALUE)
            throw new IllegalArgumentException("--validation " + value + " holds out " + n + " of " + trainSize + " training samples; leave some to train on");
        return n;
    }

    /** PGD with 10 steps at the train attack's norm and eps (Madry et al.'s step 2.5 eps / steps). */
    static String defaultValAttack(String trainAttack) {
        AttackSpec ta = AttackSpec.parse(trainAttack);
        if (ta.eps() == null)
            throw new IllegalArgumentException("--validation: --train-attack " + trainAttack + " has no eps to validate at; give --val-attack with its budget, e.g. pgd:steps=10,norm=linf,eps=0.3");
        ThreatModel t = ObjectiveSetup.threat(ta);
        Attack pgd = ObjectiveSetup.attack(AttackSpec.parse("pgd"));
        if (!pgd.supportedNorms().contains(t.norm()))
            throw new IllegalArgumentException("--train-attack " + trainAttack + " is in " + t.norm().label()
                    + ", which PGD does not support: give --val-attack SPEC (with eps) or --val-attack none");
        return "pgd:steps=10,norm=" + t.norm().label() + ",eps=" + ta.options().get("eps");
    }

    private static AttackSpec parseAttack(String option, String text) {
        try {
            AttackSpec s = AttackSpec.parse(text);
            ObjectiveSetup.attack(s);  // the attack's name and options
            return s;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + text + ": " + e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim().toLowerCase(Locale.ROOT).equals("none") ? "none" : s.trim();
    }
}
