package dev.brink.cluster;

import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import dev.brink.nn.data.Samples;
import dev.brink.nn.io.OutputPaths;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.EpsRange;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code brink eval-cluster}: robust accuracy of several models under several attacks and epsilons, sharded over
 * Apache Spark; per-sample Parquet parts, merged into the report and CSV files {@code brink sweep} writes.
 */
@Command(name = "eval-cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Robust accuracy of models x attacks x epsilons on Apache Spark: every (model, attack, eps, shard of the points) is a Spark task "
                + "whose per-sample rows are written as Parquet under --parts; a rerun skips the tasks already written. Then merges the rows into "
                + "OUT/index.html (robust accuracy table), OUT/robust-accuracy.csv, OUT/per-sample.csv and per model OUT/MODEL/sweep.csv and sweep.png.",
                "Shards have a fixed size and each shard's seed depends only on --seed and the shard number, so the result per sample is the same "
                        + "on one machine or on any cluster. Attack specs are brink sweep's (pgd:steps=10), or autoattack[:version=standard|plus|rand].",
                ""})
public final class EvalClusterCommand implements Callable<Integer> {
    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], local[N,F] (F: attempts per task), spark://HOST:PORT, k8s://... "
            + "(default: spark-submit's --master, else local[*]).")
    String master;

    @Option(names = {"-m", "--model"}, required = true, arity = "1..*", paramLabel = "FILE", description = "Brink model files (.safetensors), repeatable; results name each by its file name without .safetensors.")
    List<Path> models = new ArrayList<>();

    @Option(names = {"-a", "--attack"}, required = true, arity = "1..*", paramLabel = "SPEC",
            description = "Attack specs (brink sweep's: fgsm, pgd:steps=10,step=0.01, ...; or autoattack[:version=V]), repeatable.")
    List<String> attacks = new ArrayList<>();

    @Option(names = "--eps", required = true, paramLabel = "LIST", description = "Epsilons: a list 0.05,0.1,0.2 or START:STOP:STEP (fractions like 8/255 work).")
    String eps;

    @Option(names = "--norm", paramLabel = "NORM", description = "Norm of the attacks that support several (default: each attack's own; autoattack: linf).")
    String norm;

    @Option(names = "--data", required = true, paramLabel = "NAME|PATH", description = "Data set: mnist, fashion-mnist, cifar10, mnist-3v7, or a path.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where 'make data' put the data sets (default: $BRINK_DATA or ./data).")
    Path dataDir;

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N points of the split.")
    Integer limit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the attacks' random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "100", description = "Points per attack call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--shard-size", defaultValue = "100", description = "Points per task (default: ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports/cluster", description = "Report directory, on the driver (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--parts", paramLabel = "URI", description = "Where the Parquet parts go, readable and writable by every executor "
            + "(default: OUT/parts; on a cluster a shared file system, hdfs:// or s3a://).")
    String parts;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Backend of every executor: auto (CUDA where the executor has a usable GPU, else the CPU), cpu or cuda (default: ${DEFAULT-VALUE}). "
                    + "Per-sample results agree between runs on the same backend.")
    String backend;

    @Option(names = "--test-fail-once", hidden = true, paramLabel = "TASK", description = "Test hook: the first attempt of this task directory fails.")
    String failOnce;

    @Override
    public Integer call() throws Exception {
        if (System.getProperty("brink.backend") == null) System.setProperty("brink.backend", backend); // before the first tensor
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be positive, got " + limit);
        double[] e = EpsRange.parse(eps).values();
        List<AttackChoice> choices = AttackChoice.plan(attacks, norm == null ? null : Norm.parse(norm));
        OutputPaths.checkDirectory("--out", out, true, "index.html", "robust-accuracy.csv", "per-sample.csv");
        List<ModelBytes> mb = new ArrayList<>();
        for (Path p : models) mb.add(ModelBytes.read(p));
        Dataset d = load();
        Points points = Points.of(d);
        List<EvalPlan.Model> pm = new ArrayList<>();
        for (ModelBytes m : mb) pm.add(new EvalPlan.Model(m.name(), m.sha256()));
        EvalPlan plan = new EvalPlan(pm, choices, e, points.size(), shardSize, seed, batchSize, points.key() + "/" + split);
        String partsDir = parts != null ? parts : out.resolve("parts").toAbsolutePath().toString();
        System.out.printf(Locale.ROOT, "data %s %s: %d points; models %s; attacks %s; eps %s; seed %d%n", data, split, points.size(),
                pm.stream().map(EvalPlan.Model::name).toList(), choices.stream().map(c -> c.label() + " (" + c.norm().label() + ")").toList(), EpsRange.parse(eps), seed);
        SparkConf conf = new SparkConf().setAppName("brink eval-cluster");
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // the engine picks its default backend from BRINK_BACKEND in executor JVMs (in local mode they are this one: see call())
        conf.setExecutorEnv("BRINK_BACKEND", backend);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            System.out.println("spark " + spark.version() + ", master " + spark.sparkContext().master() + ", " + spark.sparkContext().defaultParallelism()
                    + " cores; parts in " + partsDir);
            SparkEvaluation.Outcome r = SparkEvaluation.run(spark, plan, mb, points, partsDir, failOnce, System.out);
            String command = "brink eval-cluster " + String.join(" ", args());
            Path html = MergedReport.write(out, plan, r.rows(), d.name() + " " + split, command);
            System.out.printf(Locale.ROOT, "%d tasks computed, %d skipped (already written), %.1f s%n", r.computed(), r.skipped(), r.seconds());
            for (EvalPlan.Model m : pm)
                for (dev.brink.robust.eval.Sweep.Row row : MergedReport.sweepRows(plan, m.name(), r.rows()))
                    System.out.printf(Locale.ROOT, "%-24s %s%n", m.name(), dev.brink.robust.eval.Sweep.describe(row));
            System.out.println("wrote " + html + ", " + out.resolve("robust-accuracy.csv") + ", " + out.resolve("per-sample.csv") + " and MODEL/sweep.csv, sweep.png");
        } finally {
            spark.stop();
        }
        return 0;
    }

    private Dataset load() throws IOException {
        boolean train = split.equals("train");
        Dataset d;
        if (Datasets.NAMES.contains(data)) {
            d = Datasets.load(data, dataDir != null ? dataDir : Datasets.defaultDataDir(), train);
        } else {
            Path p = Path.of(data);
            if (!Files.exists(p)) throw new IOException("--data " + data + ": neither a known data set " + Datasets.NAMES + " nor an existing path");
            d = Datasets.load(p, train);
        }
        if (limit != null) d = Samples.subset(d, limit, Samples.Kind.FIRST, 0);
        if (d.size() == 0) throw new IOException("--data " + data + ": the " + split + " split has no samples");
        return d;
    }

    private List<String> args() {
        List<String> a = new ArrayList<>();
        for (Path p : models) a.addAll(List.of("--model", p.toString()));
        for (String s : attacks) a.addAll(List.of("--attack", s));
        a.addAll(List.of("--eps", eps));
        if (norm != null) a.addAll(List.of("--norm", norm));
        a.addAll(List.of("--data", data, "--split", split));
        if (limit != null) a.addAll(List.of("--limit", limit.toString()));
        a.addAll(List.of("--backend", backend));
        a.addAll(List.of("--seed", Long.toString(seed), "--batch-size", Integer.toString(batchSize), "--shard-size", Integer.toString(shardSize)));
        return a;
    }
}
