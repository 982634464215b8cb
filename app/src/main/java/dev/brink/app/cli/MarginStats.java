package dev.brink.app.cli;

import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;
import dev.brink.robust.progress.ProgressBar;
import dev.brink.robust.train.EffectiveMargins;

/**
 * Mean and standard deviation of Liu and Chan's effective margins ({@link EffectiveMargins}) over a data set, as
 * their Table 1 reports them; samples without a finite margin (every other class's Jacobian row equal to the
 * label's) are counted as skipped.
 */
record MarginStats(double mean, double std, int count, int skipped) {
    static MarginStats of(Module model, Dataset data, int batchSize) {
        ProgressBar bar = new ProgressBar(System.err, "margins", data.size());
        double sum = 0, sumSq = 0;
        int n = 0, skipped = 0, done = 0;
        for (Batch b : DataLoader.builder(data).batchSize(batchSize).shuffle(false).build().epoch(0)) {
            for (double m : EffectiveMargins.of(model, b.x(), b.y())) {
                if (!Double.isFinite(m)) { skipped++; continue; }
                sum += m;
                sumSq += m * m;
                n++;
            }
            done += b.size();
            bar.update(done, done, "");
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        double std = n == 0 ? Double.NaN : Math.sqrt(Math.max(0, sumSq / n - mean * mean));
        return new MarginStats(mean, std, n, skipped);
    }
}
