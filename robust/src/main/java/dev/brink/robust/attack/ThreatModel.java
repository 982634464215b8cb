package dev.brink.robust.attack;

/**
 * What an attacker may do to an input: a perturbation of at most {@code eps} in {@code norm} (for L0: the number of
 * changed features, each channel value a feature), staying in the box {@code [lower, upper]} (pixel space, [0, 1]
 * by default).
 */
public record ThreatModel(Norm norm, double eps, double lower, double upper) {
    public ThreatModel {
        if (norm == null) throw new IllegalArgumentException("threat model: norm is missing");
        if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("threat model: eps must be finite and >= 0, got " + eps);
        if (!(lower < upper)) throw new IllegalArgumentException("threat model: box [" + lower + ", " + upper + "] is empty");
        if (norm == Norm.L0 && eps != Math.floor(eps))
            throw new IllegalArgumentException("threat model: L0's eps counts changed features, a whole number, got " + eps
                    + " (a fraction r of D features per sample is eps = r * D, e.g. 0.26 of a 32x32x3 image: 799)");
    }

    /** A ball of radius {@code eps} in {@code norm} inside the pixel box [0, 1]. */
    public static ThreatModel of(Norm norm, double eps) {
        return new ThreatModel(norm, eps, 0, 1);
    }

    /** The same threat model with another radius. */
    public ThreatModel withEps(double e) {
        return new ThreatModel(norm, e, lower, upper);
    }

    @Override
    public String toString() {
        return norm.label() + " eps " + eps + " in [" + lower + ", " + upper + "]";
    }
}
