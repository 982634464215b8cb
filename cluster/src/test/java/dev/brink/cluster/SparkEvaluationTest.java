package dev.brink.cluster;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark in local mode with two cores and two attempts per task (local[2,2]): the merged per-sample result equals the
 * single-machine run's, a task that fails once is rerun by Spark with the same result, a rerun skips written shards.
 */
class SparkEvaluationTest {
    @TempDir
    static Path tmp;

    static SparkSession spark;
    static List<ModelBytes> models;
    static Points points;
    static EvalPlan plan;
    static List<SampleResult> local;
    /** Part of the plan (the first model, eps 0.2: 6 tasks) for the failure and rerun tests; its rows are a subset of {@link #local}. */
    static EvalPlan small;
    static List<SampleResult> localSmall;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2,2]").appName("brink cluster test").config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false").config("spark.driver.host", "localhost").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        Path a = Fixtures.model(tmp, "mlp-a", 3), b = Fixtures.model(tmp, "mlp-b", 5);
        models = List.of(ModelBytes.read(a), ModelBytes.read(b));
        points = Fixtures.points(a, 12, 9);
        // two models x two attacks (one of them the AutoAttack ensemble) x three epsilons x three shards of 5, 5 and 2 points
        plan = new EvalPlan(models.stream().map(m -> new EvalPlan.Model(m.name(), m.sha256())).toList(),
                AttackChoice.plan(List.of("pgd:steps=5,step=0.05", "autoattack"), null), new double[] {0, 0.1, 0.2}, points.size(), 5, 11, 4,
                points.key());
        local = LocalEvaluation.run(plan, models, points);
        small = new EvalPlan(plan.models().subList(0, 1), plan.attacks(), new double[] {0.2}, points.size(), 5, 11, 4, points.key());
        // a task depends on its own entry only: the smaller plan's rows are the full plan's for the same model and eps
        localSmall = local.stream().filter(r -> r.model().equals(small.models().get(0).name()) && r.eps() == 0.2).toList();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void mergedResultEqualsTheSingleMachineRunPerSample() throws Exception {
        SparkEvaluation.Outcome r = SparkEvaluation.run(spark, plan, models, points, tmp.resolve("parts-equal").toString(), null, null);
        assertEquals(plan.tasks().size(), r.computed());
        assertEquals(2 * 2 * 3 * 12, r.rows().size());
        Fixtures.assertSameOutcomes(local, r.rows());
        long broken = r.rows().stream().filter(SampleResult::success).count();
        assertTrue(broken > 10, "the attacks break points (" + broken + "), so equality is not about untouched points only");
        for (EvalPlan.Model m : plan.models())
            assertEquals(MergedReport.sweepRows(plan, m.name(), local).toString().replaceAll("seconds=[0-9.E-]+", ""),
                    MergedReport.sweepRows(plan, m.name(), r.rows()).toString().replaceAll("seconds=[0-9.E-]+", ""));
    }

    @Test
    void aTaskThatFailsOnceIsRerunWithTheSameResult() throws Exception {
        EvalTask victim = small.tasks().get(small.tasks().size() - 2);  // autoattack, eps 0.2, shard 1
        int before = SparkEvaluation.hookFailures();
        SparkEvaluation.Outcome r = SparkEvaluation.run(spark, small, models, points, tmp.resolve("parts-fail").toString(), victim.directoryName(), null);
        assertEquals(before + 1, SparkEvaluation.hookFailures(), "the hook failed the task's first attempt");
        assertEquals(6, r.computed());
        Fixtures.assertSameOutcomes(localSmall, r.rows());
    }

    @Test
    void aRerunSkipsTheShardsAlreadyWritten() throws Exception {
        Path parts = tmp.resolve("parts-rerun");
        SparkEvaluation.Outcome first = SparkEvaluation.run(spark, small, models, points, parts.toString(), null, null);
        Map<Path, FileTime> times = modified(parts);
        SparkEvaluation.Outcome second = SparkEvaluation.run(spark, small, models, points, parts.toString(), null, null);
        assertEquals(0, second.computed());
        assertEquals(small.tasks().size(), second.skipped());
        assertEquals(times, modified(parts), "no file was rewritten");
        Fixtures.assertSameOutcomes(first.rows(), second.rows());

        // an interrupted run: one task's output lacks its _SUCCESS marker, so only that task runs again
        EvalTask t = small.tasks().get(4);
        Files.delete(parts.resolve(t.directoryName()).resolve("_SUCCESS"));
        SparkEvaluation.Outcome third = SparkEvaluation.run(spark, small, models, points, parts.toString(), null, null);
        assertEquals(1, third.computed());
        Fixtures.assertSameOutcomes(localSmall, third.rows());
    }

    private static Map<Path, FileTime> modified(Path dir) throws Exception {
        Map<Path, FileTime> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) m.put(p, Files.getLastModifiedTime(p));
        }
        assertTrue(m.size() > small.tasks().size(), "parquet files and markers exist");
        return m;
    }
}
