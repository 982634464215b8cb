package dev.brink.robust.eval;

import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Goal;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the attacker aims at, for every batch of an evaluation: nothing in particular (untargeted: any wrong
 * class), each sample's least-likely class under the clean input, or one fixed class for all samples.
 */
public record TargetSpec(Kind kind, int cls) {
    public enum Kind { UNTARGETED, LEAST_LIKELY, CLASS }

    public static final TargetSpec UNTARGETED = new TargetSpec(Kind.UNTARGETED, -1);
    public static final TargetSpec LEAST_LIKELY = new TargetSpec(Kind.LEAST_LIKELY, -1);

    public TargetSpec {
        if (kind == Kind.CLASS && cls < 0) throw new IllegalArgumentException("target class must be >= 0, got " + cls);
    }

    /** Parses {@code none|untargeted}, {@code least-likely|ll} or a class index. */
    public static TargetSpec parse(String s) {
        if (s == null) return UNTARGETED;
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "", "none", "untargeted": return UNTARGETED;
            case "least-likely", "leastlikely", "ll", "least_likely": return LEAST_LIKELY;
            default:
                try {
                    return new TargetSpec(Kind.CLASS, Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--target must be least-likely or a class index, got '" + s + "'");
                }
        }
    }

    public static TargetSpec ofClass(int c) {
        return new TargetSpec(Kind.CLASS, c);
    }

    public boolean targeted() {
        return kind != Kind.UNTARGETED;
    }

    /** The goal for a batch with these labels (int32 [N]). */
    public Goal goal(int n) {
        return switch (kind) {
            case UNTARGETED -> Goal.UNTARGETED;
            case LEAST_LIKELY -> Goal.LEAST_LIKELY;
            case CLASS -> {
                int[] t = new int[n];
                Arrays.fill(t, cls);
                yield Goal.targeted(Tensor.ofInts(t, n));
            }
        };
    }

    /** Whether a sample of class {@code label} can be attacked: not when the target is its own class. */
    public boolean attackable(int label) {
        return kind != Kind.CLASS || label != cls;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case UNTARGETED -> "untargeted";
            case LEAST_LIKELY -> "targeted at the least-likely class";
            case CLASS -> "targeted at class " + cls;
        };
    }
}
