package dev.brink.robust.attack;

import dev.brink.engine.Tensor;

/**
 * The outcome of an attack on a batch: the adversarial inputs (same shape as the clean batch, inside the box and
 * the epsilon ball), which samples succeeded (the attack's goal is met on the adversarial input), the
 * perturbation's per-sample norms, and the cost: forward passes on the batch, and iterations used per sample.
 */
public record AttackResult(Tensor adversarial, boolean[] success, Perturbations norms, long modelCalls, int[] iterations) {
    /** Fraction of samples where the attack succeeded. */
    public double successRate() {
        int s = 0;
        for (boolean b : success) if (b) s++;
        return success.length == 0 ? Double.NaN : (double) s / success.length;
    }

    /** Per-sample L0, L1, L2 and L-inf norms of {@code adversarial - clean}; L0 counts changed features. */
    public record Perturbations(double[] l0, double[] l1, double[] l2, double[] linf) {
        /** The per-sample values of one norm. */
        public double[] of(Norm n) {
            return switch (n) {
                case L0 -> l0;
                case L1 -> l1;
                case L2 -> l2;
                case LINF -> linf;
            };
        }

        /** Mean of one norm over the samples selected by {@code mask} (all when null); NaN when none. */
        public double mean(Norm n, boolean[] mask) {
            double[] v = of(n);
            double s = 0;
            int c = 0;
            for (int i = 0; i < v.length; i++) {
                if (mask == null || mask[i]) {
                    s += v[i];
                    c++;
                }
            }
            return c == 0 ? Double.NaN : s / c;
        }
    }
}
