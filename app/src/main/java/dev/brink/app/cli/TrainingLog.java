package dev.brink.app.cli;

import dev.brink.nn.io.AtomicFiles;
import dev.brink.nn.train.Trainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable training log of {@code brink train}, {@code OUTPUT.log.csv}: a header and one row per epoch
 * with {@link #HEADER}'s columns (epoch 1-based; losses per sample; accuracies as fractions in [0, 1], empty where
 * not measured; seconds of wall time; best 1 where the epoch's model became the best-model file; with validation, the
 * mean and standard deviation of the validation points' effective margins in L2 input units). The whole file is
 * rewritten atomically after each epoch, before the checkpoint; {@link #resume} drops the rows of epochs after the
 * checkpoint's, so a resumed run's log equals an uninterrupted run's (up to the seconds column).
 */
final class TrainingLog {
    /** The columns. */
    static final String HEADER = "epoch,train_loss,regularizer,train_acc,val_clean,val_robust,test_acc,seconds,best,val_margin_mean,val_margin_std";

    /** The header of logs written before the margin columns; their rows get empty margins on resume. */
    static final String HEADER_WITHOUT_MARGINS = "epoch,train_loss,regularizer,train_acc,val_clean,val_robust,test_acc,seconds,best";

    private final Path file;
    private final List<String> rows = new ArrayList<>();

    private TrainingLog(Path file) {
        this.file = file;
    }

    /** A new log (an existing file is replaced at the first epoch). */
    static TrainingLog create(Path file) {
        return new TrainingLog(file);
    }

    /** The log of a resumed run: the rows of the epochs before {@code nextEpoch} (0-based) kept from {@code file}. */
    static TrainingLog resume(Path file, int nextEpoch) throws IOException {
        TrainingLog log = new TrainingLog(file);
        if (!Files.exists(file)) return log;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        boolean old = !lines.isEmpty() && lines.get(0).equals(HEADER_WITHOUT_MARGINS);
        if (lines.isEmpty() || !(old || lines.get(0).equals(HEADER)))
            throw new IOException(file + ": not a training log of this brink version (expected the header " + HEADER + ")");
        for (String l : lines.subList(1, lines.size())) {
            if (l.isBlank()) continue;
            int epoch = Integer.parseInt(l.substring(0, l.indexOf(',')));
            if (epoch <= nextEpoch) log.rows.add(old ? l + ",," : l);
        }
        return log;
    }

    /** Appends the row of an epoch and rewrites the file atomically. */
    void append(Trainer.EpochResult r) throws IOException {
        rows.add(String.join(",", Integer.toString(r.epoch() + 1), num(r.trainLoss()), num(r.regularizer()), num(r.trainAccuracy()),
                num(r.validation().getOrDefault(RobustValidation.CLEAN, Double.NaN)), num(r.validation().getOrDefault(RobustValidation.ROBUST, Double.NaN)),
                num(r.testAccuracy()), String.format(Locale.ROOT, "%.3f", r.seconds()), r.best() ? "1" : "0",
                num(r.validation().getOrDefault(RobustValidation.MARGIN_MEAN, Double.NaN)), num(r.validation().getOrDefault(RobustValidation.MARGIN_STD, Double.NaN))));
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (String row : rows) b.append(row).append('\n');
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /** The rows so far (without the header). */
    List<String> rows() {
        return List.copyOf(rows);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
