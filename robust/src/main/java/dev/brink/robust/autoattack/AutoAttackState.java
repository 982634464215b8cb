package dev.brink.robust.autoattack;

import java.util.Arrays;

/**
 * The per-point state of an AutoAttack run, everything a resumed run needs: clean prediction, how many of the
 * run's attacks have processed the point, which attack broke it (index into the component list, -1: none), the
 * adversarial point and its prediction and perturbation norms; plus per-attack totals (time, model calls, points
 * attacked). {@link AutoAttackFiles} writes it after every batch and reads it back for {@code --resume}.
 */
public final class AutoAttackState {
    /** Points in the run. */
    public final int n;
    /** Features per point. */
    public final int features;
    /** The data set index of each point (as given by the caller; written to the per-sample file). */
    public final int[] index;
    public final int[] label;
    public final int[] cleanPrediction;
    /** Attacks that have processed the point (a misclassified point is never attacked: 0 stays). */
    public final int[] done;
    /** Component that broke the point, -1 if none. */
    public final int[] brokenBy;
    public final int[] adversarialPrediction;
    public final double[] linf, l2, l1;
    /** Adversarial points, {@code n * features}, row-major; the clean point where not broken. */
    public final float[] adversarial;
    /** Per component: seconds, model calls and points attacked so far. */
    public final double[] seconds;
    public final long[] modelCalls;
    public final int[] attacked;

    public AutoAttackState(int[] index, int[] label, int features, float[] clean, int components) {
        this.n = label.length;
        if (index.length != n) throw new IllegalArgumentException("autoattack: " + index.length + " indices for " + n + " labels");
        if (clean.length != (long) n * features) throw new IllegalArgumentException("autoattack: " + clean.length + " input values for " + n + " points of " + features);
        this.features = features;
        this.index = index.clone();
        this.label = label.clone();
        cleanPrediction = new int[n];
        done = new int[n];
        brokenBy = new int[n];
        Arrays.fill(brokenBy, -1);
        adversarialPrediction = new int[n];
        linf = new double[n];
        l2 = new double[n];
        l1 = new double[n];
        adversarial = clean.clone();
        seconds = new double[components];
        modelCalls = new long[components];
        attacked = new int[components];
    }

    public boolean cleanCorrect(int i) {
        return cleanPrediction[i] == label[i];
    }

    /** Correct on the clean point and not broken by any attack so far. */
    public boolean robust(int i) {
        return cleanCorrect(i) && brokenBy[i] < 0;
    }

    public int cleanCorrectCount() {
        int c = 0;
        for (int i = 0; i < n; i++) if (cleanCorrect(i)) c++;
        return c;
    }

    public int robustCount() {
        int c = 0;
        for (int i = 0; i < n; i++) if (robust(i)) c++;
        return c;
    }

    /** Points correct after the first {@code a + 1} attacks (broken by none of them). */
    public int robustAfter(int a) {
        int c = 0;
        for (int i = 0; i < n; i++) if (cleanCorrect(i) && (brokenBy[i] < 0 || brokenBy[i] > a)) c++;
        return c;
    }

    /** Points broken by attack {@code a}. */
    public int brokenByCount(int a) {
        int c = 0;
        for (int i = 0; i < n; i++) if (brokenBy[i] == a) c++;
        return c;
    }

    /** True when every attack has processed every point that was still robust when its turn came. */
    public boolean finished(int components) {
        for (int i = 0; i < n; i++) if (robust(i) && done[i] < components) return false;
        return true;
    }
}
