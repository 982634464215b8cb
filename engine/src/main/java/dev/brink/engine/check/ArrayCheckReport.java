package dev.brink.engine.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one {@link ArrayGradCheck}: every checked element with the claimed value and its references, the
 * failing ones worst first, and a {@link #message()} that names them. {@link #assertPassed()} throws an
 * {@link AssertionError} carrying that message, for use in another engine's test suite.
 */
public final class ArrayCheckReport {

    /**
     * One element of the claimed array.
     *
     * @param flatIndex        its position in the flat, row-major array
     * @param index            its index in the claimed array's shape (for a Jacobian: the output's index, then x's)
     * @param claimed          the user's value
     * @param finiteDifference the central-difference value
     * @param noise            the central difference's estimated rounding error (added to its tolerance)
     * @param brink            Brink's autodiff value, or NaN when no Brink expression was given
     * @param forward          for a gradient, the forward difference {@code (f(x+h) - f(x)) / h}; otherwise NaN
     * @param backward         for a gradient, the backward difference {@code (f(x) - f(x-h)) / h}; otherwise NaN
     * @param atol             the absolute tolerance
     * @param rtol             the relative tolerance
     */
    public record Element(int flatIndex, int[] index, double claimed, double finiteDifference, double noise, double brink,
                          double forward, double backward, double atol, double rtol) {
        /** The largest tolerated {@code |claimed - finiteDifference|}. */
        public double finiteDifferenceTolerance() {
            return atol + rtol * Math.abs(finiteDifference) + noise;
        }

        /** The largest tolerated {@code |claimed - brink|}. */
        public double brinkTolerance() {
            return atol + rtol * Math.abs(brink);
        }

        /** The largest distance from a reference, in units of that reference's tolerance; infinite for NaN. */
        public double ratio() {
            double r = Math.abs(claimed - finiteDifference) / finiteDifferenceTolerance();
            if (!Double.isNaN(brink)) r = Math.max(r, Math.abs(claimed - brink) / brinkTolerance());
            return Double.isNaN(r) || Double.isNaN(claimed) || Double.isNaN(finiteDifference) ? Double.POSITIVE_INFINITY : r;
        }

        /** The largest distance from a reference. */
        public double error() {
            double e = Math.abs(claimed - finiteDifference);
            if (!Double.isNaN(brink)) e = Math.max(e, Math.abs(claimed - brink));
            return Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
        }

        /** The tolerance of the reference that {@link #error()} is measured against. */
        public double tolerance() {
            if (!Double.isNaN(brink) && Math.abs(claimed - brink) > Math.abs(claimed - finiteDifference)) return brinkTolerance();
            return finiteDifferenceTolerance();
        }

        /** True when the claimed value is within tolerance of every reference. */
        public boolean passed() {
            return ratio() <= 1;
        }
    }

    private final String kind;
    private final String name;
    private final int[] shape;
    private final int outRank;
    private final List<Element> elements;
    private final List<Element> failures;
    private final ArrayGradCheck.Options options;
    private final boolean withBrink;
    private final boolean float32;

    ArrayCheckReport(String kind, String name, int[] shape, int outRank, List<Element> elements, ArrayGradCheck.Options options,
                     boolean withBrink, boolean float32) {
        this.kind = kind;
        this.name = name;
        this.shape = shape.clone();
        this.outRank = outRank;
        this.elements = List.copyOf(elements);
        List<Element> f = new ArrayList<>();
        for (Element e : elements) if (!e.passed()) f.add(e);
        f.sort(Comparator.comparingDouble(Element::ratio).reversed());
        this.failures = List.copyOf(f);
        this.options = options;
        this.withBrink = withBrink;
        this.float32 = float32;
    }

    /** {@code "gradient"}, {@code "Hessian-vector product"} or {@code "Jacobian"}. */
    public String kind() {
        return kind;
    }

    /** The shape of the claimed array. */
    public int[] shape() {
        return shape.clone();
    }

    /** True when every element is within tolerance. */
    public boolean passed() {
        return failures.isEmpty();
    }

    /** Every element, in flat order. */
    public List<Element> elements() {
        return elements;
    }

    /** The elements out of tolerance, worst (largest error relative to its tolerance) first. */
    public List<Element> failures() {
        return failures;
    }

    /** The element with the largest error relative to its tolerance (null for an empty array). */
    public Element worst() {
        return elements.stream().max(Comparator.comparingDouble(Element::ratio)).orElse(null);
    }

    /** Throws {@link AssertionError} with {@link #message()} unless the check passed. */
    public void assertPassed() {
        if (!passed()) throw new AssertionError(message());
    }

    /**
     * What was checked and how it went: on failure the worst elements (at most {@link ArrayGradCheck.Options#worst()}),
     * each with its index, the claimed value, the central difference, Brink's value where given, and the error
     * against its tolerance.
     */
    public String message() {
        StringBuilder s = new StringBuilder();
        s.append(kind);
        if (!name.isEmpty()) s.append(" of ").append(name);
        s.append(' ').append(Arrays.toString(shape));
        Element worst = worst();
        if (passed()) {
            s.append(String.format(Locale.ROOT, ": passed, %d element%s within tolerance", elements.size(), elements.size() == 1 ? "" : "s"));
            if (worst != null)
                s.append(String.format(Locale.ROOT, " (worst %s: off by %.1e, tolerance %.1e)", index(worst), worst.error(), worst.tolerance()));
            s.append('\n');
        } else {
            s.append(String.format(Locale.ROOT, ": FAILED, %d of %d element%s off%n", failures.size(), elements.size(), elements.size() == 1 ? "" : "s"));
            int shown = Math.min(options.worst(), failures.size());
            for (int i = 0; i < shown; i++) s.append("  ").append(line(failures.get(i))).append('\n');
            if (failures.size() > shown) s.append("  ... and ").append(failures.size() - shown).append(" more\n");
        }
        s.append(String.format(Locale.ROOT, "  tolerance %.0e + %.0e |reference|, plus the central difference's rounding error; step %.0e (%s)",
                options.atol(), options.rtol(), kind.startsWith("Hessian") ? options.secondStep() : options.step(), float32 ? "float32" : "float64"));
        if (!withBrink) s.append("; no Brink expression given");
        return s.toString();
    }

    @Override
    public String toString() {
        return message();
    }

    private String line(Element e) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s: claimed %.7g, central difference %.7g", index(e), e.claimed(), e.finiteDifference()));
        if (!Double.isNaN(e.brink())) s.append(String.format(Locale.ROOT, ", Brink %.7g", e.brink()));
        s.append(String.format(Locale.ROOT, "; off by %.1e (tolerance %.1e)", e.error(), e.tolerance()));
        if (!Double.isNaN(e.forward()) && Math.abs(e.forward() - e.backward()) > 0.5 * Math.abs(e.claimed() - e.finiteDifference()))
            s.append(String.format(Locale.ROOT, "; the one-sided differences %.7g and %.7g disagree: a kink within the step?", e.backward(), e.forward()));
        else if (!Double.isNaN(e.brink()) && Math.abs(e.finiteDifference() - e.brink()) > e.finiteDifferenceTolerance())
            s.append("; the central difference and Brink disagree here: a kink within the step, or the step is too large?");
        return s.toString();
    }

    /** {@code [1, 2]}; for a Jacobian {@code [output; x]}, e.g. {@code [3; 1, 2]}. */
    private String index(Element e) {
        int[] idx = e.index();
        if (outRank == 0) return Arrays.toString(idx);
        StringBuilder s = new StringBuilder("[");
        for (int d = 0; d < idx.length; d++) {
            if (d > 0) s.append(d == outRank ? "; " : ", ");
            s.append(idx[d]);
        }
        return s.append(']').toString();
    }
}
