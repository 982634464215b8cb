package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import dev.brink.robust.eval.AttackSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adversarial objectives draw their random starts from the run's generator, so a run stopped after an epoch and
 * resumed from its checkpoint ends with exactly the weights of a run that never stopped; the trainer copes with
 * objectives that report no clean logits.
 */
class AdversarialTrainerResumeTest {
    @TempDir
    Path tmp;

    static Dataset data() {
        Batch b = ObjectiveTestKit.tinyBatch(48, 41, DType.FLOAT64);
        double[] x = b.x().toDoubleArray();
        byte[] px = new byte[x.length];
        for (int i = 0; i < x.length; i++) px[i] = (byte) Math.round(x[i] * 255);
        return Dataset.of("tiny", px, ObjectiveTestKit.INPUT, b.y().toIntArray(), List.of("a", "b", "c"));
    }

    static Trainer fresh(Objective o, int epochs) {
        SpecModel m = ObjectiveTestKit.tinyConvNet(7, DType.FLOAT32);
        return new Trainer(m, new ModelInfo(m.specJson(), ""), new Sgd(m.trainableParameters(), 0.1, 0.9),
                Schedule.stepDecay(0.1, 5, 0.5), o, new Trainer.Config(epochs, 16, 42, 64));
    }

    @Test
    void resumedPgdTrainingEqualsUninterruptedTraining() throws Exception {
        Objective o = Objectives.parse("pgd-at:clean-epochs=1", new ObjectiveSetup(AttackSpec.parse("pgd:eps=0.1,steps=3,early-stop=false")));
        Dataset d = data();
        Trainer whole = fresh(o, 3);
        Trainer.EpochResult r = whole.fit(d, null, tmp.resolve("whole.ckpt"), null);
        assertTrue(Double.isFinite(r.trainLoss()));
        Trainer first = fresh(o, 2);
        first.fit(d, null, tmp.resolve("part.ckpt"), null);
        Trainer rest = Trainer.resume(tmp.resolve("part.ckpt"), o, 3, 16, 64);
        rest.fit(d, null, null, null);
        Map<String, Tensor> a = whole.model().stateDict(), b = rest.model().stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), 0.0, k);
    }
}
