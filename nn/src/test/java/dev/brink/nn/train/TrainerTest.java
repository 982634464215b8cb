package dev.brink.nn.train;

import dev.brink.engine.Generator;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    private static final String SPEC = """
            {"input":[1,4,4],"layers":[{"type":"flatten"},{"type":"linear","out":16},{"type":"relu"},
             {"type":"dropout","p":0.2},{"type":"linear","out":2}]}""";

    /** Two classes: bright top half vs bright bottom half, with noise. */
    static Dataset toyData(int n, long seed) {
        byte[] px = new byte[n * 16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int p = 0; p < 16; p++) {
                boolean bright = (p < 8) == (labels[i] == 0);
                long noise = Generator.bits(seed, (long) i * 16 + p) & 63;
                px[i * 16 + p] = (byte) ((bright ? 180 : 40) + noise);
            }
        }
        return Dataset.of("toy", px, new int[] {1, 4, 4}, labels, List.of("top", "bottom"));
    }

    private static Trainer fresh(int epochs) {
        SpecModel m = ModelSpec.build(SPEC, new Generator(3));
        return new Trainer(m, new ModelInfo(m.specJson(), ""), new Sgd(m.trainableParameters(), 0.1, 0.9),
                Schedule.stepDecay(0.1, 2, 0.5), Objective.crossEntropy(0.0), new Trainer.Config(epochs, 16, 42, 64));
    }

    @Test
    void learnsAnEasyTask() throws Exception {
        Trainer t = fresh(3);
        Trainer.EpochResult r = t.fit(toyData(256, 1), toyData(64, 2), null, null);
        assertTrue(r.testAccuracy() > 0.95, "test accuracy " + r.testAccuracy());
        assertTrue(r.trainAccuracy() > 0.9, "train accuracy " + r.trainAccuracy());
    }

    @Test
    void trainingAccuracyIsNotANumberWhenTheObjectiveReportsNoLogits() throws Exception {
        // regression: objectives without clean logits (pgd-at, mail, ...) printed "train acc 0.0000"
        SpecModel m = ModelSpec.build(SPEC, new Generator(3));
        Objective noLogits = (model, batch, context) -> new Objective.Outcome(Objective.crossEntropy(0.0).apply(model, batch, context).loss(), null);
        Trainer t = new Trainer(m, new ModelInfo(m.specJson(), ""), new Sgd(m.trainableParameters(), 0.1, 0.9),
                Schedule.constant(0.1), noLogits, new Trainer.Config(1, 16, 42, 64));
        java.util.List<Double> batchAcc = new java.util.ArrayList<>();
        Trainer.EpochResult r = t.fit(toyData(64, 1), null, null, new Trainer.Listener() {
            @Override
            public void batchEnd(int epoch, int batch, int samplesDone, double meanLoss, double accuracy) {
                batchAcc.add(accuracy);
            }
        });
        assertTrue(Double.isNaN(r.trainAccuracy()), "train accuracy " + r.trainAccuracy());
        assertTrue(batchAcc.stream().allMatch(a -> Double.isNaN(a)), batchAcc.toString());
        assertTrue(r.trainLoss() > 0 && Double.isFinite(r.trainLoss()));
    }

    @Test
    void resumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Dataset train = toyData(128, 1);
        Trainer straight = fresh(3);
        straight.fit(train, null, null, null);

        Path ckpt = dir.resolve("run.ckpt");
        Trainer first = fresh(1);
        first.fit(train, null, ckpt, null);
        Trainer resumed = Trainer.resume(ckpt, Objective.crossEntropy(0.0), 3, 16, 64);
        assertEquals(1, resumed.nextEpoch());
        resumed.fit(train, null, ckpt, null);

        straight.model().stateDict().forEach((name, t) ->
                assertArrayEquals(t.toFloatArray(), resumed.model().stateDict().get(name).toFloatArray(), name));
    }

    @Test
    void adamWithLabelSmoothingTrains() throws Exception {
        SpecModel m = ModelSpec.build(SPEC, new Generator(4));
        Trainer t = new Trainer(m, new ModelInfo(m.specJson(), ""), new Adam(m.trainableParameters(), 0.01),
                Schedule.constant(0.01), Objective.crossEntropy(0.1), new Trainer.Config(2, 16, 7, 64));
        assertTrue(t.fit(toyData(256, 5), toyData(64, 6), null, null).testAccuracy() > 0.9);
    }
}
