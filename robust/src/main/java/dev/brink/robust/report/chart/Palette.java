package dev.brink.robust.report.chart;

import java.awt.Color;

/** The series colours of every chart: Tableau-10, the usual plotting palette. */
public final class Palette {
    private Palette() {}

    private static final Color[] TABLEAU10 = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /** The {@code i}-th colour (cycling after ten). */
    public static Color color(int i) {
        return TABLEAU10[Math.floorMod(i, TABLEAU10.length)];
    }

    /** Number of distinct colours before the palette repeats. */
    public static int size() {
        return TABLEAU10.length;
    }
}
