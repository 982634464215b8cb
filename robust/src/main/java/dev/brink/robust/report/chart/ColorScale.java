package dev.brink.robust.report.chart;

import org.jfree.chart.renderer.PaintScale;

import java.awt.Color;
import java.awt.Paint;

/**
 * A colour scale from values to colours for heat maps and signed pictures: {@link #viridis} (perceptually uniform,
 * for magnitudes such as a loss) or {@link #diverging} (blue below the centre, white at it, red above: for signed
 * values such as a decision value d or a weight). Values outside [lower, upper] get the end colours; NaN is gray.
 */
public final class ColorScale implements PaintScale {
    private static final int[] VIRIDIS = {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725};
    private static final int[] DIVERGING = {0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b};

    private final double lower, centre, upper;
    private final int[] stops;

    private ColorScale(double lower, double centre, double upper, int[] stops) {
        if (!(lower < upper) || !Double.isFinite(lower) || !Double.isFinite(upper))
            throw new IllegalArgumentException("colour scale range [" + lower + ", " + upper + "] must be finite with lower < upper");
        this.lower = lower;
        this.centre = centre;
        this.upper = upper;
        this.stops = stops;
    }

    /** Viridis over [lower, upper]. */
    public static ColorScale viridis(double lower, double upper) {
        return new ColorScale(lower, Double.NaN, upper, VIRIDIS);
    }

    /** Blue-white-red with white at {@code centre}, each half stretched over its own side of [lower, upper]. */
    public static ColorScale diverging(double lower, double centre, double upper) {
        if (!(centre >= lower && centre <= upper)) throw new IllegalArgumentException("colour scale centre " + centre + " outside [" + lower + ", " + upper + "]");
        return new ColorScale(lower, centre, upper, DIVERGING);
    }

    /** Blue-white-red symmetric about 0 over [-m, m] where m is the largest magnitude (1 if all are zero). */
    public static ColorScale symmetric(double maxAbs) {
        double m = maxAbs > 0 && Double.isFinite(maxAbs) ? maxAbs : 1;
        return diverging(-m, 0, m);
    }

    @Override
    public double getLowerBound() {
        return lower;
    }

    @Override
    public double getUpperBound() {
        return upper;
    }

    @Override
    public Paint getPaint(double value) {
        return color(value);
    }

    /** The colour of {@code value}. */
    public Color color(double value) {
        if (Double.isNaN(value)) return Color.LIGHT_GRAY;
        double t;
        if (Double.isNaN(centre)) t = (value - lower) / (upper - lower);
        else if (value < centre) t = centre > lower ? 0.5 * (value - lower) / (centre - lower) : 0.5;
        else t = upper > centre ? 0.5 + 0.5 * (value - centre) / (upper - centre) : 0.5;
        t = Math.max(0, Math.min(1, t));
        double f = t * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) f);
        double u = f - i;
        int a = stops[i], b = stops[i + 1];
        return new Color(mix(a >> 16, b >> 16, u), mix(a >> 8, b >> 8, u), mix(a, b, u));
    }

    /** The colour of {@code value} as packed RGB. */
    public int rgb(double value) {
        return color(value).getRGB() & 0xFFFFFF;
    }

    private static int mix(int a, int b, double u) {
        return (int) Math.round((a & 0xFF) + u * ((b & 0xFF) - (a & 0xFF)));
    }
}
