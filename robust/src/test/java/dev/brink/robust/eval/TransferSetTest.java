package dev.brink.robust.eval;

import dev.brink.engine.Tensor;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A transfer set crafted with FGSM on one threshold model, saved, read back and evaluated on another. */
class TransferSetTest {
    @TempDir
    Path dir;

    /** Class 1 iff x0 > t. */
    static Classifier threshold(double t) {
        return new Classifier(x -> {
            Tensor x0 = x.slice(1, 0, 1);
            return Tensor.concat(1, x0.neg().add(t), x0.sub(t));
        });
    }

    @Test
    void roundTripAndTransfer() throws IOException {
        Tensor[] d = SweepTest.data(); // distances 0.05 .. 0.35 from 0.5
        RobustEvaluation.Result r = RobustEvaluation.evaluate(threshold(0.5), d[0], d[1],
                List.of(new RobustEvaluation.Entry("fgsm", Attacks.create("fgsm", Map.of()), ThreatModel.of(Norm.LINF, 0.2))),
                RobustEvaluation.Config.of(3, 0).withAdversarial(true), null);
        TransferSet set = TransferSet.of(r.adversarial().get(0), Map.of("source_model", "threshold-0.5", "attack", "fgsm"));
        Path f = dir.resolve("sets/t.safetensors");
        set.save(f);
        TransferSet back = TransferSet.load(f);
        assertEquals(8, back.size());
        assertEquals("threshold-0.5", back.sourceModel());
        assertEquals("fgsm", back.attack());
        assertEquals("linf", back.metadata().get("norm"));
        assertEquals("0.2", back.metadata().get("eps"));
        assertEquals(TransferSet.FORMAT, back.metadata().get("format"));
        assertArrayEquals(set.adversarial().toFloatArray(), back.adversarial().toFloatArray());
        assertArrayEquals(set.clean().toFloatArray(), back.clean().toFloatArray());
        assertArrayEquals(set.labels(), back.labels());
        assertArrayEquals(set.indices(), back.indices());
        assertArrayEquals(set.success(), back.success());

        // on the source: the 4 samples closer than 0.2 flipped
        TransferSet.Outcome src = back.evaluate(threshold(0.5), 5);
        assertEquals(1.0, src.cleanAccuracy(), 1e-12);
        assertEquals(0.5, src.adversarialAccuracy(), 1e-12);
        assertEquals(0.5, src.transferRate(), 1e-12);
        // Shaham et al.'s A_mnist accuracy: on the 4 examples that fooled the source, the source is wrong on all
        assertEquals(4, src.successful());
        assertEquals(0.0, src.successfulAccuracy(), 1e-12);
        // another model (threshold 0.6): check against a direct count
        TransferSet.Outcome other = back.evaluate(threshold(0.6), 8);
        float[] xa = back.adversarial().toFloatArray(), xc = back.clean().toFloatArray();
        int cleanOk = 0, flipped = 0, advOk = 0, fooled = 0, fooledOk = 0;
        for (int i = 0; i < 8; i++) {
            int y = back.labels()[i];
            boolean c = (xc[2 * i] > 0.6 ? 1 : 0) == y, a = (xa[2 * i] > 0.6 ? 1 : 0) == y;
            if (c) cleanOk++;
            if (a) advOk++;
            if (c && !a) flipped++;
            if ((xa[2 * i] > 0.5 ? 1 : 0) != y) { // fooled the source (threshold 0.5)
                fooled++;
                if (a) fooledOk++;
            }
        }
        assertEquals(fooled, other.successful());
        assertEquals((double) fooledOk / fooled, other.successfulAccuracy(), 1e-12);
        assertEquals(cleanOk / 8.0, other.cleanAccuracy(), 1e-12);
        assertEquals(advOk / 8.0, other.adversarialAccuracy(), 1e-12);
        assertEquals((double) flipped / cleanOk, other.transferRate(), 1e-12);
    }

    @Test
    void onlyCorrectlyClassifiedInputsAreKept() {
        Tensor[] d = SweepTest.data();
        // threshold 0.7: the class-1 samples at 0.65 are misclassified and must not be in the set
        RobustEvaluation.Result r = RobustEvaluation.evaluate(threshold(0.7), d[0], d[1],
                List.of(new RobustEvaluation.Entry("fgsm", Attacks.create("fgsm", Map.of()), ThreatModel.of(Norm.LINF, 0.1))),
                RobustEvaluation.Config.of(8, 0).withAdversarial(true), null);
        assertEquals(r.cleanCorrect(), r.adversarial().get(0).size());
        assertEquals(6, r.cleanCorrect());
        for (int i : r.adversarial().get(0).indices()) assertFalse(i == 1 || i == 5, "misclassified sample " + i + " kept");
    }

    @Test
    void aFileThatIsNotATransferSetIsNamed() throws IOException {
        Path f = dir.resolve("other.safetensors");
        dev.brink.nn.io.SafeTensors.write(f, Map.of("w", Tensor.zeros(2)), Map.of());
        IOException e = assertThrows(IOException.class, () -> TransferSet.load(f));
        assertTrue(e.getMessage().contains("other.safetensors") && e.getMessage().contains("x_adv"), e.getMessage());
        assertTrue(Files.exists(f));
    }
}
