package dev.brink.cluster;

import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.autoattack.AutoAttack;
import dev.brink.robust.eval.AttackFactory;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.eval.SweepCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark-free side: shard plans, the per-shard evaluation against the library's own runs, the merged report. */
class ShardEvaluatorTest {
    @TempDir
    Path tmp;

    @Test
    void shardsAndSeedsDependOnTheirNumberOnly() {
        EvalPlan p = new EvalPlan(List.of(new EvalPlan.Model("a", "0")), AttackChoice.plan(List.of("fgsm"), null), new double[] {0.1}, 23, 7, 5, 4, "k");
        List<EvalTask> t = p.tasks();
        assertEquals(4, t.size());
        assertEquals(21, t.get(3).from());
        assertEquals(23, t.get(3).to());
        assertEquals(5, t.get(0).seed(), "shard 0 runs with the run's seed");
        assertEquals(EvalPlan.shardSeed(5, 2), t.get(2).seed());
        assertNotEquals(t.get(1).seed(), t.get(2).seed());
        assertNotEquals(t.get(1).directoryName(), new EvalPlan(p.models(), p.attacks(), p.eps(), 23, 7, 6, 4, "k").tasks().get(1).directoryName(),
                "another seed writes elsewhere");
    }

    @Test
    void badAttackSpecsFailBeforeAnyWork() {
        assertThrows(IllegalArgumentException.class, () -> AttackChoice.plan(List.of("nosuchattack"), null));
        assertThrows(IllegalArgumentException.class, () -> AttackChoice.plan(List.of("autoattack:steps=3"), null));
        assertThrows(IllegalArgumentException.class, () -> AttackChoice.plan(List.of("fgsm", "fgsm"), null));
        assertEquals(Norm.L2, AttackChoice.plan(List.of("autoattack:norm=l2"), null).get(0).norm());
    }

    /** One shard holding every point is brink sweep's evaluation with the same seed and batch size. */
    @Test
    void oneShardIsTheSweep() throws Exception {
        Path model = Fixtures.model(tmp, "mlp", 3);
        Points pts = Fixtures.points(model, 20, 9);
        ModelBytes mb = ModelBytes.read(model);
        String pgd = "pgd:steps=5,step=0.05";
        double[] eps = {0, 0.1, 0.3};
        EvalPlan plan = new EvalPlan(List.of(new EvalPlan.Model(mb.name(), mb.sha256())), AttackChoice.plan(List.of(pgd, "fgsm"), null), eps, 20, 20, 7, 6, pts.key());
        List<SampleResult> rows = LocalEvaluation.run(plan, List.of(mb), pts);
        List<Sweep.Row> merged = MergedReport.sweepRows(plan, mb.name(), rows);

        Tensor x = pts.x(0, 20), y = pts.y(0, 20);
        List<Sweep.SweepAttack> attacks = List.of(new Sweep.SweepAttack(pgd, AttackFactory.create(AttackSpec.parse(pgd)), Norm.LINF),
                new Sweep.SweepAttack("fgsm", AttackFactory.create(AttackSpec.parse("fgsm")), Norm.LINF));
        List<Sweep.Row> sweep = Sweep.run(Classifier.of(mb.load()), x, y, attacks, new Sweep.Config(eps, false, 0.1, Double.NaN, 0, 6, 7, null), null);
        assertEquals(sweep.size(), merged.size());
        for (int i = 0; i < sweep.size(); i++) {
            Sweep.Row s = sweep.get(i), m = merged.get(i);
            assertEquals(s.attack(), m.attack());
            assertEquals(s.eps(), m.eps());
            assertEquals(s.cleanAccuracy(), m.cleanAccuracy(), 1e-12, s.attack() + " eps " + s.eps());
            assertEquals(s.accuracy(), m.accuracy(), 1e-12, s.attack() + " eps " + s.eps());
            assertEquals(s.successRate(), m.successRate(), 1e-12);
            assertEquals(s.modelCalls(), m.modelCalls(), s.attack() + " eps " + s.eps());
        }
        double robustPgd = merged.get(3).accuracy();
        assertTrue(robustPgd < merged.get(3).cleanAccuracy(), "the attack breaks some points at eps 0.1: " + merged.get(3));

        Path html = MergedReport.write(tmp.resolve("report"), plan, rows, "random", "brink eval-cluster ...");
        assertTrue(Files.readString(html).contains("Robust accuracy"));
        assertEquals(merged.size(), SweepCsv.read(tmp.resolve("report").resolve(MergedReport.stem(mb.name())).resolve("sweep.csv")).size());
        assertEquals(1 + 20 * 2 * 3, Files.readAllLines(tmp.resolve("report/per-sample.csv")).size());
    }

    /** An autoattack task of one shard is AutoAttack.run on those points: same robust points, same breaking predictions. */
    @Test
    void autoAttackShardIsTheLibrarysRun() throws Exception {
        Path model = Fixtures.model(tmp, "mlp", 4);
        Points pts = Fixtures.points(model, 12, 2);
        ModelBytes mb = ModelBytes.read(model);
        EvalPlan plan = new EvalPlan(List.of(new EvalPlan.Model(mb.name(), mb.sha256())), AttackChoice.plan(List.of("autoattack"), null), new double[] {0.15}, 12, 12, 3, 12, pts.key());
        List<SampleResult> rows = LocalEvaluation.run(plan, List.of(mb), pts);
        AutoAttack.Result r = AutoAttack.run(Classifier.of(mb.load()), pts.x(0, 12), pts.y(0, 12), pts.indices(), AutoAttack.Config.standard(Norm.LINF, 0.15, 3, 12), null, null);
        int robust = 0;
        for (SampleResult s : rows) {
            int i = s.index() - 100;
            assertEquals(r.state().robust(i), s.robust(), "point " + s.index());
            assertEquals(r.state().adversarialPrediction[i], s.prediction(), "point " + s.index());
            if (s.robust()) robust++;
        }
        assertEquals(r.robustAccuracy(), robust / 12.0, 1e-12);
        assertTrue(robust < 12 - 3, "autoattack breaks some of the 9 correct points at eps 0.15 (robust " + robust + ")");
    }
}
