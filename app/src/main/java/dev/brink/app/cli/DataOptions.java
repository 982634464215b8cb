package dev.brink.app.cli;

import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import dev.brink.nn.data.Samples;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --data NAME|PATH}, {@code --data-dir DIR}, {@code --limit N}, {@code --sample first|balanced},
 * {@code --sample-seed S}: which data set a command reads, and which of its samples.
 */
public final class DataOptions {
    @Option(names = "--data", required = true, paramLabel = "NAME|PATH",
            description = "Data set: mnist, fashion-mnist, cifar10, mnist-3v7 (from --data-dir, filled by 'make data'), or a path to IDX files, a CIFAR-10 binary directory or an image folder.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where 'make data' put the data sets (default: $BRINK_DATA or ./data).")
    Path dataDir;

    @Option(names = "--limit", paramLabel = "N",
            description = "Use only N samples of each split (quick runs): the first N in the data set's order (--sample first), or a seeded class-balanced sample (--sample balanced). "
                    + "Order: MNIST, Fashion-MNIST and the CIFAR-10 binary batches keep the official file order; an image folder (the CIFAR-10 JPEG tree) is ordered by the index "
                    + "its numeric file names encode when they are unique across the tree, else with the classes interleaved (first image of each class, then the second, ...), "
                    + "so the first N hold every class.")
    Integer limit;

    @Option(names = "--sample", paramLabel = "first|balanced", defaultValue = "first",
            description = "With --limit: first (the first N, default) or balanced (N/classes of each class, drawn with --sample-seed; kept in data-set order).")
    String sample;

    @Option(names = "--sample-seed", paramLabel = "S", defaultValue = "0", description = "Seed of --sample balanced (default: ${DEFAULT-VALUE}).")
    long sampleSeed;

    /** The training or test split, limited as the options say. */
    public Dataset load(boolean train) throws IOException {
        Samples.Kind kind = Samples.Kind.parse(sample);
        if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be positive, got " + limit);
        Dataset d;
        if (Datasets.NAMES.contains(data)) {
            d = Datasets.load(data, dataDir != null ? dataDir : Datasets.defaultDataDir(), train);
        } else {
            Path p = Path.of(data);
            if (!Files.exists(p))
                throw new IOException("--data " + data + ": neither a known data set " + Datasets.NAMES + " nor an existing path");
            d = Datasets.load(p, train);
        }
        d = limit == null ? d : Samples.subset(d, limit, kind, sampleSeed);
        if (d.size() == 0)
            throw new IOException("--data " + data + ": the " + (train ? "training" : "test") + " split (" + d.name() + ") has no samples");
        return d;
    }

    /** The options as command-line arguments that select the same samples (for reproducible command lines). */
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("--data", data));
        if (dataDir != null) a.addAll(List.of("--data-dir", dataDir.toString()));
        if (limit != null) {
            a.addAll(List.of("--limit", Integer.toString(limit)));
            if (Samples.Kind.parse(sample) == Samples.Kind.BALANCED)
                a.addAll(List.of("--sample", "balanced", "--sample-seed", Long.toString(sampleSeed)));
        }
        return a;
    }

    /**
     * The {@code data} section of a result document ({@link dev.brink.app.results.ResultJson#data}), read from a
     * command's arguments (those {@link #args()} writes, plus {@code --split}), so a command and a report that
     * shows its command line describe the data the same way.
     */
    public static com.fasterxml.jackson.databind.node.ObjectNode json(List<String> args, Dataset d) {
        String name = value(args, "--data", null);
        String dir = value(args, "--data-dir", null);
        String lim = value(args, "--limit", null);
        String kind = value(args, "--sample", "first");
        String seed = value(args, "--sample-seed", null);
        return dev.brink.app.results.ResultJson.data(name, dir == null ? null : Path.of(dir), value(args, "--split", "test"),
                lim == null ? null : Integer.valueOf(lim), lim == null ? "all" : kind,
                seed == null ? null : Long.valueOf(seed), d.size());
    }

    private static String value(List<String> args, String option, String fallback) {
        for (int i = 0; i + 1 < args.size(); i++) if (args.get(i).equals(option)) return args.get(i + 1);
        return fallback;
    }
}
