package dev.brink.robust.analysis;

import dev.brink.nn.Module;
import dev.brink.nn.data.Dataset;
import dev.brink.robust.progress.ProgressBar;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What an analysis reads: the model (in eval mode: callers put it there), the evaluation data, and
 * optionally the training data and the training log (CSV written by {@code brink train}) for per-epoch curves.
 *
 * @param model       the classifier: inputs {@code [N, C, H, W]} or {@code [N, D]} in [0, 1], logits {@code [N, K]}
 * @param modelName   how reports name the model (usually its file name)
 * @param data        the evaluation samples (already limited by the caller)
 * @param train       training samples, or null where the analysis is asked about test data only
 * @param trainingLog the model's training log CSV, or null when there is none
 * @param batchSize   the largest batch an analysis should pass through the model at once
 * @param seed        the seed of every random choice (directions, sample picks, restarts)
 * @param log         where progress bars and notes go (standard error on the command line)
 */
public record AnalysisInput(Module model, String modelName, Dataset data, Dataset train, Path trainingLog,
                            int batchSize, long seed, PrintStream log) {
    public AnalysisInput {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(log, "log");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }

    /** A progress bar (rate and ETA) over {@code total} items on {@link #log()}. */
    public ProgressBar progress(String label, long total) {
        return new ProgressBar(log, label, total);
    }
}
