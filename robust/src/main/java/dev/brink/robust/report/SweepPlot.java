package dev.brink.robust.report;

import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.report.chart.LineChart;
import dev.brink.robust.report.chart.Palette;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The accuracy-versus-epsilon figure of a sweep: one line per attack (the worst case over the attacks dashed
 * black), accuracy on a fixed [0, 1] axis, drawn by the chart library ({@link LineChart}). Attacks bounded in different norms go to separate panels side by side,
 * since their epsilons are not comparable.
 */
public final class SweepPlot {
    private SweepPlot() {}

    public static final int PANEL_WIDTH = 760, PANEL_HEIGHT = 500;

    public static BufferedImage render(List<Sweep.Row> rows, String title) {
        Headless.ensure();
        Map<Norm, List<Sweep.Row>> byNorm = new LinkedHashMap<>();
        for (Sweep.Row r : rows) byNorm.computeIfAbsent(r.norm(), k -> new ArrayList<>()).add(r);
        if (byNorm.isEmpty()) byNorm.put(Norm.LINF, List.of());
        int panels = byNorm.size(), cols = Math.min(panels, 2), rowsN = (panels + cols - 1) / cols;
        BufferedImage img = new BufferedImage(PANEL_WIDTH * cols, PANEL_HEIGHT * rowsN, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        int i = 0;
        for (Map.Entry<Norm, List<Sweep.Row>> e : byNorm.entrySet()) {
            String t = panels == 1 ? title : title + " (" + e.getKey().label() + ")";
            plot(e.getValue(), t, e.getKey()).draw(g, (i % cols) * PANEL_WIDTH, (i / cols) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT);
            i++;
        }
        g.dispose();
        return img;
    }

    /** The chart of rows of one norm. */
    public static LineChart plot(List<Sweep.Row> rows, String title, Norm norm) {
        LineChart p = new LineChart(title, "epsilon (" + norm.label() + ")", "accuracy").yRange(0, 1);
        Map<String, List<Sweep.Row>> byAttack = new LinkedHashMap<>();
        for (Sweep.Row r : rows) byAttack.computeIfAbsent(r.attack(), k -> new ArrayList<>()).add(r);
        int c = 0;
        for (Map.Entry<String, List<Sweep.Row>> e : byAttack.entrySet()) {
            List<Sweep.Row> rs = new ArrayList<>(e.getValue());
            rs.sort((a, b) -> Double.compare(a.eps(), b.eps()));
            double[] x = rs.stream().mapToDouble(Sweep.Row::eps).toArray();
            double[] y = rs.stream().mapToDouble(Sweep.Row::accuracy).toArray();
            boolean worst = e.getKey().equals(Sweep.WORST_CASE);
            p.add(new LineChart.Series(e.getKey(), x, y, worst ? Color.BLACK : Palette.color(c++), worst, !worst));
        }
        return p;
    }

    public static void write(Path file, List<Sweep.Row> rows, String title) throws IOException {
        Outputs.writePng(file, render(rows, title));
    }
}
