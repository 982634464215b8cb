package dev.brink.robust.analysis;

import dev.brink.engine.Tensor;
import dev.brink.engine.Shape;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.report.TileGrid;
import dev.brink.robust.report.TileGrid.Tile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first layer's filters as pictures: the first weight parameter of the model (in layer order) that is a
 * convolution kernel {@code [O, C, kh, kw]} or a linear layer's matrix {@code [O, D]} over the flattened input
 * (each row shown in the input's shape). Single-channel filters (and colour filters' channel mean, when
 * {@code color=false}) are drawn signed (blue negative, white 0, red positive) on one scale over all filters; colour
 * filters are drawn as RGB images stretched to each filter's own range. Writes {@code filters.png} and
 * {@code filters.csv} (per filter: L2 norm, min, max).
 */
public final class FirstLayerFilters implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("max", "64", "at most this many filters (the first ones)"),
            new Attacks.Option("columns", "16", "filters per row of the picture"),
            new Attacks.Option("color", "true", "draw 3-channel filters as RGB images (false: their signed channel mean)"));

    private final int max, columns;
    private final boolean color;

    public FirstLayerFilters(int max, int columns, boolean color) {
        if (max < 1 || columns < 1) throw new IllegalArgumentException("filters: max and columns must be at least 1, got " + max + ", " + columns);
        this.max = max;
        this.columns = columns;
        this.color = color;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new FirstLayerFilters(o.integer("max"), o.integer("columns"), o.bool("color"));
    }

    /** The name and value of the first weight of rank 4 (convolution) or 2 (linear) in parameter order. */
    static Map.Entry<String, Tensor> firstWeight(dev.brink.nn.Module model) {
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            int r = e.getValue().dim();
            if ((r == 4 || r == 2) && e.getKey().endsWith("weight")) return e;
        }
        throw new IllegalArgumentException("filters: the model has no convolution [O, C, kh, kw] or linear [O, D] weight (parameters: " + model.namedParameters().keySet() + ")");
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Map.Entry<String, Tensor> e = firstWeight(in.model());
        Tensor w = e.getValue();
        int[] s = w.shape();
        int o = s[0], c, h, wd;
        if (s.length == 4) {
            c = s[1];
            h = s[2];
            wd = s[3];
        } else {
            int[] chw = Pictures.chw(in.data().sampleShape());
            if (chw[0] * chw[1] * chw[2] != s[1])
                throw new IllegalArgumentException("filters: first layer " + e.getKey() + " " + Shape.str(s) + " does not take the flattened input " + Shape.str(in.data().sampleShape()));
            c = chw[0];
            h = chw[1];
            wd = chw[2];
        }
        int d = c * h * wd, m = Math.min(max, o);
        float[] all = Pictures.floats(w);
        double maxAbs = 0;
        for (int i = 0; i < m * d; i++) maxAbs = Math.max(maxAbs, Math.abs(all[i]));
        boolean rgb = color && c == 3;
        List<Tile> tiles = new ArrayList<>();
        List<List<?>> rows = new ArrayList<>();
        for (int f = 0; f < m; f++) {
            float[] v = Pictures.row(all, f, d);
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, l2 = 0;
            for (float x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); l2 += x * (double) x; }
            rows.add(List.of(f, Math.sqrt(l2), lo, hi));
            if (rgb) {
                float[] img = new float[d];
                double span = hi > lo ? hi - lo : 1;
                for (int i = 0; i < d; i++) img[i] = (float) ((v[i] - lo) / span);
                tiles.add(Tile.image(img, c, h, wd, "#" + f));
            } else {
                tiles.add(Tile.signed(v, c, h, wd, maxAbs, "#" + f));
            }
        }
        out.csv("filters.csv", "first-layer filters: L2 norm, smallest and largest weight", List.of("filter", "l2", "min", "max"), rows);
        String title = String.format(Locale.ROOT, "%s: %s %s%s", in.modelName(), e.getKey(), Shape.str(s),
                rgb ? " (RGB, each filter stretched to its range)" : String.format(Locale.ROOT, " (blue negative, red positive, +-%.3g)", maxAbs));
        TileGrid g = new TileGrid(title).tilePixels(h * wd > 100 ? 84 : 48);
        for (int i = 0; i < tiles.size(); i += columns) g.row(i == 0 ? "filters" : "", tiles.subList(i, Math.min(tiles.size(), i + columns)));
        out.png("filters.png", "the first layer's filters (" + e.getKey() + ")", g.render());
        out.summary("layer", e.getKey());
        out.summary("filters", o);
        out.summary("filters_shown", m);
        out.summary("weight_max_abs", maxAbs);
    }
}
