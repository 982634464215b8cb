package dev.brink.robust.report.chart;

import dev.brink.robust.report.Headless;
import dev.brink.robust.report.Outputs;
import dev.brink.robust.report.Text;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The common part of every chart of the library (line chart, histogram, heat map, scatter), drawn by JFreeChart
 * into headless images: a title, axis labels, optional fixed ranges and logarithmic axes, one look (white
 * background, light grid, Tableau colours). Subclasses build the {@link JFreeChart}; {@link #render} and
 * {@link #draw} paint it. On a runtime without fonts the chart is drawn without text and its title and axis labels
 * are written in the built-in bitmap font of {@link Text}, so a figure is always produced.
 */
public abstract class Chart<C extends Chart<C>> {
    static {
        Headless.ensure();
    }

    protected final String title, xLabel, yLabel;
    private double xMin = Double.NaN, xMax = Double.NaN, yMin = Double.NaN, yMax = Double.NaN;
    private boolean logX, logY;

    protected Chart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    @SuppressWarnings("unchecked")
    private C self() {
        return (C) this;
    }

    /** Fixes the x axis to [lo, hi] (otherwise it fits the data). */
    public C xRange(double lo, double hi) {
        checkRange("x", lo, hi);
        xMin = lo;
        xMax = hi;
        return self();
    }

    /** Fixes the y axis to [lo, hi] (otherwise it fits the data). */
    public C yRange(double lo, double hi) {
        checkRange("y", lo, hi);
        yMin = lo;
        yMax = hi;
        return self();
    }

    /** A base-10 logarithmic x axis; points with x <= 0 are left out. */
    public C logX() {
        logX = true;
        return self();
    }

    /** A base-10 logarithmic y axis; points with y <= 0 are left out. */
    public C logY() {
        logY = true;
        return self();
    }

    public boolean isLogX() {
        return logX;
    }

    public boolean isLogY() {
        return logY;
    }

    /** The JFreeChart chart (built afresh on each call), for inspection or further styling. */
    public final JFreeChart chart() {
        JFreeChart c = build();
        style(c);
        return c;
    }

    /** Builds the chart; {@link #xAxis()} and {@link #yAxis()} give axes with this chart's labels, ranges and scales. */
    protected abstract JFreeChart build();

    /** The chart as an RGB image of {@code width} x {@code height} pixels. */
    public final BufferedImage render(int width, int height) {
        if (width < 16 || height < 16) throw new IllegalArgumentException("chart size " + width + "x" + height + " is too small (at least 16x16)");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        draw(g, 0, 0, width, height);
        g.dispose();
        return img;
    }

    /** Writes the chart as a PNG of the given size (atomically). */
    public final void write(Path file, int width, int height) throws IOException {
        Outputs.writePng(file, render(width, height));
    }

    /** Draws the chart into the rectangle ({@code x}, {@code y}, {@code w}, {@code h}) of {@code g}. */
    public final void draw(Graphics2D g, int x, int y, int w, int h) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        JFreeChart c = chart();
        if (Text.usesFonts()) {
            c.draw(g, new Rectangle2D.Double(x, y, w, h));
            return;
        }
        // no fonts: JFreeChart's text would throw, so draw without it and letter the labels in the bitmap font
        float fs = 13f;
        int top = title == null || title.isEmpty() ? 4 : (int) (fs * 2.2), left = (int) (fs * 2), bottom = (int) (fs * 2);
        stripText(c);
        c.draw(g, new Rectangle2D.Double(x + left, y + top, w - left, h - top - bottom));
        Color ink = new Color(0x222222);
        if (title != null && !title.isEmpty())
            Text.drawCentered(g, Text.fit(g, title, w - 8, fs, true), x + w / 2, y + (int) (fs * 1.5), fs, true, ink);
        if (xLabel != null) Text.drawCentered(g, Text.fit(g, xLabel, w - 8, fs * 0.9f, false), x + w / 2, y + h - (int) (fs * 0.6), fs * 0.9f, false, ink);
        if (yLabel != null) Text.drawVertical(g, Text.fit(g, yLabel, h - top - bottom, fs * 0.9f, false), x + (int) (fs * 1.3), y + top + (h - top - bottom) / 2, fs * 0.9f, false, ink);
    }

    /** An x axis with this chart's label, range and scale. */
    protected ValueAxis xAxis() {
        return axis(xLabel, logX, xMin, xMax, false);
    }

    /** A y axis with this chart's label, range and scale. */
    protected ValueAxis yAxis() {
        return axis(yLabel, logY, yMin, yMax, true);
    }

    /** {@code v} or NaN where a logarithmic axis cannot show it. */
    protected static double onAxis(double v, boolean log) {
        return log && !(v > 0) ? Double.NaN : v;
    }

    private static ValueAxis axis(String label, boolean log, double lo, double hi, boolean y) {
        ValueAxis a;
        if (log) {
            // ticks at powers of ten (and at their multiples where the range spans little more than a decade)
            LogarithmicAxis l = new LogarithmicAxis(label);
            l.setStrictValuesFlag(false);
            l.setAutoRangeNextLogFlag(false);
            l.setLog10TickLabelsFlag(false);
            a = l;
        } else {
            NumberAxis n = new NumberAxis(label);
            n.setAutoRangeIncludesZero(false);
            a = n;
        }
        if (!Double.isNaN(lo)) a.setRange(lo, hi);
        return a;
    }

    private static void checkRange(String axis, double lo, double hi) {
        if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi))
            throw new IllegalArgumentException(axis + " range [" + lo + ", " + hi + "] must be finite with lo < hi");
    }

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15), LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13),
            TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11), LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** The library's look: white background, light-gray grid, sans-serif text. */
    private static void style(JFreeChart c) {
        c.setBackgroundPaint(Color.WHITE);
        c.setAntiAlias(true);
        c.setTextAntiAlias(true);
        if (c.getTitle() != null) c.getTitle().setFont(TITLE);
        if (c.getPlot() instanceof XYPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setOutlinePaint(new Color(0x888888));
            p.setDomainGridlinePaint(new Color(0xDDDDDD));
            p.setRangeGridlinePaint(new Color(0xDDDDDD));
            p.setDomainGridlineStroke(new BasicStroke(1f));
            p.setRangeGridlineStroke(new BasicStroke(1f));
            for (int i = 0; i < p.getDomainAxisCount(); i++) font(p.getDomainAxis(i));
            for (int i = 0; i < p.getRangeAxisCount(); i++) font(p.getRangeAxis(i));
        }
        for (Object t : c.getSubtitles()) {
            if (t instanceof LegendTitle l) {
                l.setItemFont(LEGEND);
                l.setFrame(new org.jfree.chart.block.BlockBorder(new Color(0xCCCCCC)));
            } else if (t instanceof PaintScaleLegend s) {
                font(s.getAxis());
            }
        }
    }

    private static void font(Axis a) {
        if (a == null) return;
        a.setLabelFont(LABEL);
        a.setTickLabelFont(TICK);
    }

    private static void stripText(JFreeChart c) {
        c.setTitle((TextTitle) null);
        List<Title> drop = new ArrayList<>();
        for (Object t : c.getSubtitles()) {
            if (t instanceof PaintScaleLegend s) noText(s.getAxis());
            else drop.add((Title) t);
        }
        for (Title t : drop) c.removeSubtitle(t);
        if (c.getPlot() instanceof XYPlot p) {
            for (int i = 0; i < p.getDomainAxisCount(); i++) noText(p.getDomainAxis(i));
            for (int i = 0; i < p.getRangeAxisCount(); i++) noText(p.getRangeAxis(i));
            p.clearAnnotations();
        }
    }

    private static void noText(Axis a) {
        if (a == null) return;
        a.setLabel(null);
        a.setTickLabelsVisible(false);
    }
}
