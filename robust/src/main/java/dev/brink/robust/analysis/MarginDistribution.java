package dev.brink.robust.analysis;

import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.progress.ProgressBar;
import dev.brink.robust.train.EffectiveMargins;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The distribution of Liu and Chan's effective margins ({@link EffectiveMargins}, L2 distance in input units to the
 * nearest boundary of the local linear piece) over the correctly classified points of the evaluation data, and of
 * the training data when given: {@code margins.csv} (one row per sample, misclassified ones included with their
 * negative margins), {@code margins-histogram.csv}, and the mean, standard deviation and count of each split as
 * summary numbers.
 */
public final class MarginDistribution implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("bins", "40", "histogram bins between 0 and the largest margin"),
            new Attacks.Option("train-limit", "1000", "training points analysed when training data is given (the first N)"));

    private final int bins;
    private final int trainLimit;

    public MarginDistribution(int bins, int trainLimit) {
        if (bins < 1) throw new IllegalArgumentException("margins: bins must be at least 1, got " + bins);
        if (trainLimit < 0) throw new IllegalArgumentException("margins: train-limit must be >= 0, got " + trainLimit);
        this.bins = bins;
        this.trainLimit = trainLimit;
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new MarginDistribution(o.integer("bins"), o.integer("train-limit"));
    }

    /** Per-sample margins of one split: labels, predictions and margins, index-aligned with the data set. */
    public record Margins(int[] labels, int[] predictions, double[] margins) {
        /** The margins of the correctly classified samples with a finite margin. */
        public double[] correct() {
            return java.util.stream.IntStream.range(0, labels.length)
                    .filter(i -> labels[i] == predictions[i] && Double.isFinite(margins[i]))
                    .mapToDouble(i -> margins[i]).toArray();
        }
    }

    /** Mean and (population) standard deviation of {@code count} values; both NaN when there are none. */
    public record Moments(double mean, double std, int count) {
        public static Moments of(double[] v) {
            if (v.length == 0) return new Moments(Double.NaN, Double.NaN, 0);
            double s = 0, ss = 0;
            for (double x : v) { s += x; ss += x * x; }
            double mean = s / v.length;
            return new Moments(mean, Math.sqrt(Math.max(0, ss / v.length - mean * mean)), v.length);
        }
    }

    /** Effective margins and predictions of every sample of {@code data}, in batches of {@code batchSize}. */
    public static Margins compute(dev.brink.nn.Module model, Dataset data, int batchSize, ProgressBar bar) {
        int n = data.size();
        int[] labels = new int[n], pred = new int[n];
        double[] m = new double[n];
        int done = 0;
        for (Batch b : DataLoader.builder(data).batchSize(batchSize).shuffle(false).build().epoch(0)) {
            EffectiveMargins.MarginsAndPredictions mp = EffectiveMargins.withPredictions(model, b.x(), b.y());
            double[] mb = mp.margins();
            int[] yb = b.y().toIntArray();
            int[] pb = mp.predictions();
            System.arraycopy(mb, 0, m, done, mb.length);
            System.arraycopy(yb, 0, labels, done, yb.length);
            System.arraycopy(pb, 0, pred, done, pb.length);
            done += b.size();
            if (bar != null) bar.update(done, done, "");
        }
        return new Margins(labels, pred, m);
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        int batch = Math.min(in.batchSize(), 100);
        List<List<?>> rows = new ArrayList<>();
        List<List<?>> hist = new ArrayList<>();
        Margins test = compute(in.model(), in.data(), batch, in.progress("margins (" + in.data().name() + ")", in.data().size()));
        add(rows, "test", test);
        Margins train = null;
        if (in.train() != null && trainLimit > 0) {
            Dataset t = in.train();
            int k = Math.min(trainLimit, t.size());
            t = t.subset(java.util.stream.IntStream.range(0, k).toArray());
            train = compute(in.model(), t, batch, in.progress("margins (train)", k));
            add(rows, "train", train);
        }
        double max = 0;
        for (double v : test.correct()) max = Math.max(max, v);
        if (train != null) for (double v : train.correct()) max = Math.max(max, v);
        summarize(out, "test", test.correct());
        histogram(hist, "test", test.correct(), max);
        if (train != null) {
            summarize(out, "train", train.correct());
            histogram(hist, "train", train.correct(), max);
        }
        out.csv("margins.csv", "effective margin of every sample (negative where misclassified)",
                List.of("split", "index", "label", "prediction", "margin"), rows);
        out.csv("margins-histogram.csv", "histogram of the correctly classified points' effective margins",
                List.of("split", "bin_low", "bin_high", "count"), hist);
        double w = max > 0 ? max / bins : 1;
        double[] edges = dev.brink.robust.report.chart.Histogram.edges(bins, 0, bins * w);
        var plot = new dev.brink.robust.report.chart.Histogram("effective margins of correctly classified points (Liu and Chan)", "effective margin (L2)", "points")
                .addCounts(in.data().name(), edges, counts(hist, "test", bins));
        if (train != null) plot.addCounts("train (first " + train.labels().length + ")", edges, counts(hist, "train", bins));
        out.png("margins-histogram.png", "histogram of the effective margins (points per bin)", plot.render(720, 480));
        perEpoch(in, out);
    }

    /**
     * Per-epoch margins from the training log: the columns whose name contains "margin", when there are any; a
     * log without them is reported as such in the summary (nothing is invented).
     */
    private static void perEpoch(AnalysisInput in, AnalysisOutput out) throws IOException {
        if (in.trainingLog() == null) return;
        List<String> lines = java.nio.file.Files.readAllLines(in.trainingLog());
        if (lines.isEmpty()) throw new IllegalArgumentException("training log " + in.trainingLog() + " is empty");
        List<String> header = List.of(lines.get(0).split(",", -1));
        int epoch = header.indexOf("epoch");
        List<Integer> cols = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) if (header.get(c).toLowerCase(java.util.Locale.ROOT).contains("margin")) cols.add(c);
        if (cols.isEmpty() || epoch < 0) {
            out.summary("per_epoch_margins", "not in the training log " + in.trainingLog().getFileName() + " (its columns: "
                    + String.join(" ", header) + "); brink train logs them with --validation");
            return;
        }
        List<List<?>> rows = new ArrayList<>();
        List<String> h = new ArrayList<>(List.of("epoch"));
        for (int c : cols) h.add(header.get(c));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            List<Object> r = new ArrayList<>(List.of(f[epoch]));
            for (int c : cols) r.add(c < f.length ? f[c] : "");
            rows.add(r);
        }
        out.csv("margins-per-epoch.csv", "margin columns of the training log, per epoch", h, rows);
        out.summary("per_epoch_margins", "margins-per-epoch.csv");
        var chart = new dev.brink.robust.report.chart.LineChart("effective margins per epoch (training log)", "epoch", "effective margin (L2)");
        int series = 0;
        for (int k = 0; k < cols.size(); k++) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (List<?> r : rows) {
                String v = (String) r.get(k + 1);
                if (v.isEmpty()) continue;
                try {
                    xs.add(Double.parseDouble((String) r.get(0)));
                    ys.add(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("training log " + in.trainingLog() + ": '" + v + "' in column " + h.get(k + 1) + " is not a number");
                }
            }
            if (xs.isEmpty()) continue;
            chart.add(h.get(k + 1), xs.stream().mapToDouble(Double::doubleValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray());
            series++;
        }
        if (series > 0) out.png("margins-per-epoch.png", "effective margins per epoch, from the training log", chart.render(720, 480));
    }

    private static double[] counts(List<List<?>> hist, String split, int bins) {
        double[] c = new double[bins];
        int b = 0;
        for (List<?> r : hist) if (r.get(0).equals(split)) c[b++] = ((Long) r.get(3)).doubleValue();
        return c;
    }

    private static void add(List<List<?>> rows, String split, Margins m) {
        for (int i = 0; i < m.labels().length; i++)
            rows.add(List.of(split, i, m.labels()[i], m.predictions()[i], m.margins()[i]));
    }

    private static void summarize(AnalysisOutput out, String split, double[] v) {
        Moments m = Moments.of(v);
        out.summary(split + "_margin_mean", m.mean());
        out.summary(split + "_margin_std", m.std());
        out.summary(split + "_margin_count", m.count());
    }

    private void histogram(List<List<?>> hist, String split, double[] v, double max) {
        long[] c = new long[bins];
        double w = max > 0 ? max / bins : 1;
        for (double x : v) c[Math.max(0, Math.min(bins - 1, (int) (x / w)))]++;
        for (int b = 0; b < bins; b++) hist.add(List.of(split, b * w, (b + 1) * w, c[b]));
    }
}
