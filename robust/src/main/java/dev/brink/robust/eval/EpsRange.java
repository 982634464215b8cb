package dev.brink.robust.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list of epsilons from the command line: {@code START:STOP:STEP} (inclusive of STOP, e.g. {@code 0:0.5:0.05}),
 * {@code START:STOP} (ten steps), a comma list {@code 0,0.1,0.3}, or one value. Epsilons may be written as
 * fractions ({@code 0:32/255:4/255}). Values are rounded to 10
 * significant decimals so {@code 0.1 + 0.2} prints as {@code 0.3}.
 *
 * @param values the epsilons in order
 * @param step   the step of a range (for extending it); for a list, the last gap (or the value itself)
 */
public record EpsRange(double[] values, double step) {
    public static EpsRange parse(String s) {
        if (s == null || s.isBlank()) throw new IllegalArgumentException("--eps: empty; expected START:STOP:STEP, a list like 0,0.1,0.3 or one value");
        String t = s.trim();
        try {
            if (t.contains(":")) {
                String[] p = t.split(":", -1);
                if (p.length < 2 || p.length > 3) throw new IllegalArgumentException("expected START:STOP:STEP");
                double a = number(p[0]), b = number(p[1]);
                double step = p.length == 3 ? number(p[2]) : (b - a) / 10;
                if (!(b >= a)) throw new IllegalArgumentException("STOP " + b + " is below START " + a);
                if (!(step > 0)) {
                    if (b == a) return new EpsRange(new double[] {a}, a > 0 ? a : 0.01);
                    throw new IllegalArgumentException("STEP must be > 0, got " + step);
                }
                long count = (long) Math.floor((b - a) / step + 1e-9) + 1;
                if (count > 100_000) throw new IllegalArgumentException("too many points (" + count + ")");
                List<Double> v = new ArrayList<>();
                for (long i = 0; i < count; i++) v.add(round(a + i * step));
                double[] arr = v.stream().mapToDouble(Double::doubleValue).toArray();
                check(arr, s);
                return new EpsRange(arr, step);
            }
            String[] p = t.split(",", -1); // keep empty entries, so "," or "0.1," is an error naming the empty value
            double[] v = new double[p.length];
            for (int i = 0; i < p.length; i++) v[i] = round(number(p[i]));
            check(v, s);
            double step = v.length >= 2 ? v[v.length - 1] - v[v.length - 2] : v[0];
            return new EpsRange(v, step > 0 ? step : 0.01);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--eps " + s + ": " + e.getMessage() + " (expected START:STOP:STEP, a list like 0,0.1,0.3 or one value)");
        }
    }

    private static void check(double[] v, String s) {
        for (double e : v) if (!(e >= 0) || Double.isInfinite(e)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + e);
    }

    static double number(String s) {
        String t = s.trim();
        try {
            int slash = t.indexOf('/');
            if (slash > 0) return Double.parseDouble(t.substring(0, slash).trim()) / Double.parseDouble(t.substring(slash + 1).trim());
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is not a number");
        }
    }

    /** Rounds to 10 significant digits (removes float noise of repeated addition). */
    public static double round(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) return v;
        return new BigDecimal(v).round(new java.math.MathContext(10)).doubleValue();
    }

    /** Shortest plain form of an epsilon: 0.05, 0.3, 2. */
    public static String format(double v) {
        if (Double.isNaN(v)) return "";
        BigDecimal d = new BigDecimal(Double.toString(round(v))).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpsRange r && Arrays.equals(values, r.values) && step == r.step;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + Double.hashCode(step);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
