package dev.brink.app.cli;

import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --data NAME|PATH}, {@code --data-dir DIR}, {@code --limit N}: which data set a command reads. */
public final class DataOptions {
    @Option(names = "--data", required = true, paramLabel = "NAME|PATH",
            description = "Data set: mnist, fashion-mnist, cifar10, mnist-3v7 (from --data-dir, filled by 'make data'), or a path to IDX files, a CIFAR-10 binary directory or an image folder.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where 'make data' put the data sets (default: $BRINK_DATA or ./data).")
    Path dataDir;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N samples of each split (quick runs).")
    Integer limit;

    /** The training or test split. */
    public Dataset load(boolean train) throws IOException {
        Dataset d;
        if (Datasets.NAMES.contains(data)) {
            d = Datasets.load(data, dataDir != null ? dataDir : Datasets.defaultDataDir(), train);
        } else {
            Path p = Path.of(data);
            if (!Files.exists(p))
                throw new IOException("--data " + data + ": neither a known data set " + Datasets.NAMES + " nor an existing path");
            d = Datasets.load(p, train);
        }
        if (limit != null && limit < d.size()) {
            if (limit < 1) throw new IllegalArgumentException("--limit must be positive, got " + limit);
            int[] idx = new int[limit];
            for (int i = 0; i < limit; i++) idx[i] = i;
            d = d.subset(idx);
        }
        return d;
    }
}
