package dev.brink.cluster;

import dev.brink.nn.spec.SpecModel;
import dev.brink.robust.attack.Classifier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an {@link EvalPlan} on Spark. The model files and the points are broadcast once; each pending task (model,
 * attack, eps, shard) is one Spark job of one task that runs {@link ShardEvaluator} on an executor and writes the
 * task's per-sample rows as Parquet into {@code parts/<task>/} (Spark's commit protocol writes {@code _SUCCESS}
 * when the task's output is complete). Jobs are submitted from as many driver threads as the cluster has cores, so
 * executors stay busy; a failed task is rerun by Spark ({@code spark.task.maxFailures}), and a rerun of the whole
 * evaluation skips every task whose {@code _SUCCESS} exists. The driver prints one progress line per finished task.
 */
public final class SparkEvaluation {
    private SparkEvaluation() {}

    /** Attempts the test hook failed in this JVM (local mode runs executors in the driver's JVM). */
    private static final AtomicInteger HOOK_FAILURES = new AtomicInteger();

    static int hookFailures() {
        return HOOK_FAILURES.get();
    }

    /** What a run did: every row of the plan, and how many tasks it computed and skipped. */
    public record Outcome(List<SampleResult> rows, int computed, int skipped, double seconds) {}

    /**
     * @param parts     where the per-task Parquet directories go (a local path or a Hadoop URI that every executor can write)
     * @param failOnce  a test hook: the {@link EvalTask#directoryName()} of one task whose first attempt throws (null: none)
     * @param progress  where the driver prints progress (null: nowhere)
     */
    public static Outcome run(SparkSession spark, EvalPlan plan, List<ModelBytes> models, Points points, String parts, String failOnce,
                              PrintStream progress) throws IOException {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = jsc.hadoopConfiguration();
        List<EvalTask> tasks = plan.tasks();
        List<EvalTask> pending = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (EvalTask t : tasks) {
            String dir = parts + "/" + t.directoryName();
            dirs.add(dir);
            if (!complete(hadoop, dir)) pending.add(t);
        }
        int skipped = tasks.size() - pending.size();
        if (progress != null)
            progress.printf(Locale.ROOT, "%d tasks (%d models x %d attacks x %d eps x %d shards of %d points): %d already written, %d to run%n", tasks.size(),
                    plan.models().size(), plan.attacks().size(), plan.eps().length, plan.shards(), plan.shardSize(), skipped, pending.size());
        if (!pending.isEmpty()) {
            Map<String, ModelBytes> byName = new HashMap<>();
            for (ModelBytes m : models) byName.put(m.name(), m);
            Broadcast<Map<String, ModelBytes>> modelsB = jsc.broadcast(byName);
            Broadcast<Points> pointsB = jsc.broadcast(points);
            int threads = Math.max(1, Math.min(pending.size(), jsc.defaultParallelism()));
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread th = new Thread(r, "brink-eval-cluster-jobs");
                th.setDaemon(true);
                return th;
            });
            AtomicInteger done = new AtomicInteger();
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (EvalTask t : pending) {
                    futures.add(pool.submit(() -> {
                        long s0 = System.nanoTime();
                        jsc.setJobDescription(t.describe());
                        JavaRDD<Row> rows = jsc.parallelize(List.of(t), 1).mapPartitions(new Shard(modelsB, pointsB, failOnce));
                        spark.createDataFrame(rows, SampleRows.SCHEMA).write().mode(SaveMode.Overwrite).parquet(parts + "/" + t.directoryName());
                        int k = done.incrementAndGet();
                        if (progress != null) {
                            double el = (System.nanoTime() - t0) / 1e9;
                            progress.printf(Locale.ROOT, "[%d/%d] %s: %.1f s (elapsed %.0f s, about %.0f s left)%n", k, pending.size(), t.describe(),
                                    (System.nanoTime() - s0) / 1e9, el, el / k * (pending.size() - k));
                            progress.flush();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                throw new IOException(c.getMessage(), c);
            } finally {
                pool.shutdownNow();
                modelsB.destroy();
                pointsB.destroy();
            }
        }
        List<Row> rows = spark.read().schema(SampleRows.SCHEMA).parquet(dirs.toArray(String[]::new)).collectAsList();
        List<SampleResult> out = new ArrayList<>(rows.size());
        for (Row r : rows) out.add(SampleRows.fromRow(r));
        return new Outcome(out, pending.size(), skipped, (System.nanoTime() - t0) / 1e9);
    }

    /** Whether a task's directory holds a complete result (Spark's {@code _SUCCESS} marker). */
    static boolean complete(Configuration hadoop, String dir) throws IOException {
        org.apache.hadoop.fs.Path marker = new org.apache.hadoop.fs.Path(dir, "_SUCCESS");
        FileSystem fs = marker.getFileSystem(hadoop);
        return fs.exists(marker);
    }

    /** The executor side: one task's rows. Models are loaded once per executor thread and model file. */
    private static final class Shard implements FlatMapFunction<Iterator<EvalTask>, Row> {
        private static final ThreadLocal<Map<String, SpecModel>> LOADED = ThreadLocal.withInitial(HashMap::new);
        private final Broadcast<Map<String, ModelBytes>> models;
        private final Broadcast<Points> points;
        private final String failOnce;

        Shard(Broadcast<Map<String, ModelBytes>> models, Broadcast<Points> points, String failOnce) {
            this.models = models;
            this.points = points;
            this.failOnce = failOnce;
        }

        @Override
        public Iterator<Row> call(Iterator<EvalTask> it) throws Exception {
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                EvalTask t = it.next();
                ModelBytes mb = models.value().get(t.model());
                if (mb == null) throw new IllegalArgumentException("no model " + t.model() + " was broadcast");
                SpecModel m = LOADED.get().get(mb.sha256());
                if (m == null) {
                    m = mb.load();
                    LOADED.get().put(mb.sha256(), m);
                }
                List<SampleResult> rs = ShardEvaluator.evaluate(Classifier.of(m, "model " + t.model()), points.value(), t);
                TaskContext ctx = TaskContext.get();
                if (failOnce != null && failOnce.equals(t.directoryName()) && ctx != null && ctx.attemptNumber() == 0) {
                    HOOK_FAILURES.incrementAndGet();
                    throw new IllegalStateException("test hook: the first attempt of " + t.describe() + " fails after its work (--test-fail-once)");
                }
                for (SampleResult r : rs) out.add(SampleRows.toRow(r));
            }
            return out.iterator();
        }
    }
}
