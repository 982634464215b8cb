package dev.brink.nn.train;

import dev.brink.engine.Generator;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.Checkpoint;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The validation hook: the best epoch by score is kept (file and checkpoint metadata), across --resume. */
class TrainerValidationTest {
    private static final String SPEC = """
            {"input":[1,4,4],"layers":[{"type":"flatten"},{"type":"linear","out":8},{"type":"tanh"},{"type":"linear","out":2}]}""";
    private static final double[] SCORES = {0.5, 0.7, 0.7, 0.6};

    private static Trainer fresh(int epochs) {
        SpecModel m = ModelSpec.build(SPEC, new Generator(3));
        return new Trainer(m, new ModelInfo(m.specJson(), ""), new Sgd(m.trainableParameters(), 0.1, 0.9),
                Schedule.constant(0.1), Objective.crossEntropy(0.0), new Trainer.Config(epochs, 16, 42, 64));
    }

    /** Scripted scores per epoch, recording the epochs it was asked about. */
    private static Validation scripted(List<Integer> calls) {
        return (model, epoch) -> {
            calls.add(epoch);
            return new Validation.Result(Map.of("val_clean", SCORES[epoch]), SCORES[epoch]);
        };
    }

    @Test
    void theBestEpochIsWrittenWithItsEpochAndTiesKeepTheEarliest(@TempDir Path dir) throws Exception {
        Dataset train = TrainerTest.toyData(96, 1);
        Path best = dir.resolve("m.best.safetensors");
        List<Integer> calls = new ArrayList<>();
        List<Trainer.EpochResult> results = new ArrayList<>();
        Trainer t = fresh(4).validation(scripted(calls), best);
        t.fit(train, null, null, new Trainer.Listener() {
            @Override
            public void epochEnd(Trainer.EpochResult r) {
                results.add(r);
            }
        });
        assertEquals(List.of(0, 1, 2, 3), calls);
        assertEquals(List.of(true, true, false, false), results.stream().map(Trainer.EpochResult::best).toList());
        assertEquals(0.7, results.get(2).validation().get("val_clean"));
        assertEquals(1, t.bestEpoch());
        ModelFile bf = ModelFile.load(best);
        assertEquals("1", bf.info().extra().get(Trainer.BEST_EPOCH_KEY));

        Trainer two = fresh(2);  // validation draws nothing from the run: the best file holds epoch 2's weights
        two.fit(train, null, null, null);
        two.model().stateDict().forEach((n, w) -> assertArrayEquals(w.toFloatArray(), bf.state().get(n).toFloatArray(), n));
    }

    @Test
    void resumingKeepsTheBestSoFar(@TempDir Path dir) throws Exception {
        Dataset train = TrainerTest.toyData(96, 1);
        Path ckpt = dir.resolve("m.ckpt"), best = dir.resolve("m.best.safetensors");
        Trainer first = fresh(3).validation(scripted(new ArrayList<>()), best);
        first.fit(train, null, ckpt, null);
        assertEquals("1", Checkpoint.load(ckpt).info().extra().get(Trainer.BEST_EPOCH_KEY));
        byte[] bestBefore = java.nio.file.Files.readAllBytes(best);

        List<Integer> calls = new ArrayList<>();
        Trainer resumed = Trainer.resume(ckpt, Objective.crossEntropy(0.0), 4, 16, 64).validation(scripted(calls), best);
        assertEquals(1, resumed.bestEpoch());
        assertEquals(0.7, resumed.bestScore());
        resumed.fit(train, null, ckpt, null);
        assertEquals(List.of(3), calls);
        assertEquals(1, resumed.bestEpoch(), "epoch 4's 0.6 does not beat the 0.7 of epoch 2");
        assertArrayEquals(bestBefore, java.nio.file.Files.readAllBytes(best));
    }
}
