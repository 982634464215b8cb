package dev.brink.robust.eval;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.train.NonFiniteLogitsException;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.autoattack.AutoAttack;
import dev.brink.robust.autoattack.AutoAttackVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, case 2, in the evaluations: a model with a NaN or infinite bias, or an attack whose gradients break, gives
 * no accuracy, robustness or success rate (it looked robust with a NaN bias, and an infinite bias filled the transfer
 * set with NaN); labels beyond the logits are refused too (case 4).
 */
class BrokenModelTest {
    static final Tensor W = Tensor.randn(new Generator(7), DType.FLOAT32, 3, 8);
    static final Tensor X = Tensor.rand(new Generator(9), DType.FLOAT32, 12, 8).mul(0.4).add(0.3);

    /** A linear model with bias {@code (0, b, 0)}, named as the CLI names model files. */
    static Classifier linear(float b) {
        Tensor bias = Tensor.of(new float[] {0, b, 0}, 3);
        return new Classifier(x -> x.reshape(x.size(0), -1).matmul(W.transpose(0, 1)).add(bias), "model broken.safetensors");
    }

    static Tensor labels() {
        int[] p = RobustEvaluation.predict(linear(0), X);
        return Tensor.ofInts(p, p.length);
    }

    static List<RobustEvaluation.Entry> fgsmAndPgd() {
        ThreatModel t = ThreatModel.of(Norm.LINF, 0.1);
        return List.of(new RobustEvaluation.Entry("fgsm", Attacks.create("fgsm"), t), new RobustEvaluation.Entry("pgd", Attacks.create("pgd"), t));
    }

    private static void refused(Executable run, String... fragments) {
        NonFiniteLogitsException e = assertThrows(NonFiniteLogitsException.class, run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }

    @Test
    void aNanOrInfiniteBiasGivesNoRobustnessNumber() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            refused(() -> RobustEvaluation.evaluate(linear(bad), X, labels(), fgsmAndPgd(), RobustEvaluation.Config.of(5, 0).withAdversarial(true), null),
                    "model broken.safetensors gives NaN or infinite logits on 5 of 5 clean samples (the first: sample 0)", "broken");
            refused(() -> AutoAttack.run(linear(bad), X, labels(), null, AutoAttack.Config.of(AutoAttackVersion.STANDARD,
                    Norm.LINF, 0.1, 0, 6), null, null), "model broken.safetensors gives NaN or infinite logits on 6 of 6 clean points");
        }
        RobustEvaluation.Result fine = RobustEvaluation.evaluate(linear(0), X, labels(), fgsmAndPgd(), RobustEvaluation.Config.of(5, 0), null);
        assertEquals(12, fine.cleanCorrect(), "a finite model is measured as before");
    }

    /** An attack whose output is NaN (a broken gradient) on a finite model. */
    static final class NanAttack extends Attack {
        @Override
        public String name() {
            return "nan";
        }

        @Override
        public Set<Norm> supportedNorms() {
            return EnumSet.of(Norm.LINF);
        }

        @Override
        protected Outcome perturb(Problem p) {
            return new Outcome(p.x().mul(Double.NaN), null);
        }
    }

    @Test
    void nanAdversarialInputsAreRefusedAndNeverSaved(@TempDir Path dir) throws Exception {
        RobustEvaluation.Entry nan = new RobustEvaluation.Entry("nan-attack", new NanAttack(), ThreatModel.of(Norm.LINF, 0.1));
        NonFiniteLogitsException e = assertThrows(NonFiniteLogitsException.class,
                () -> RobustEvaluation.evaluate(linear(0), X, labels(), List.of(nan), RobustEvaluation.Config.of(5, 0).withAdversarial(true), null));
        assertTrue(e.getMessage().contains("nan-attack (nan) returned NaN or infinite adversarial inputs on model broken.safetensors"), e.getMessage());

        Tensor nanInputs = X.mul(Double.NaN);
        RobustEvaluation.Adversarial a = new RobustEvaluation.Adversarial("pgd", ThreatModel.of(Norm.LINF, 0.1), X, nanInputs, labels().toIntArray(),
                new int[12], new boolean[12], new int[12]);
        Path f = dir.resolve("adversarial.safetensors");
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> TransferSet.of(a, Map.of()).save(f));
        assertTrue(s.getMessage().contains("x_adv holds NaN or infinite values"), s.getMessage());
        assertFalse(Files.exists(f), "nothing written");

        TransferSet ok = TransferSet.of(new RobustEvaluation.Adversarial("pgd", ThreatModel.of(Norm.LINF, 0.1), X, X, labels().toIntArray(),
                new int[12], new boolean[12], new int[12]), Map.of());
        refused(() -> ok.evaluate(linear(Float.NaN), 4), "model broken.safetensors gives NaN or infinite logits", "clean samples of the transfer set");
    }

    @Test
    void labelsBeyondTheLogitsAreRefused() {
        Tensor y = Tensor.ofInts(new int[] {0, 1, 2, 9, 0, 1, 2, 0, 1, 2, 0, 1}, 12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RobustEvaluation.evaluate(linear(0), X, y, fgsmAndPgd(), RobustEvaluation.Config.of(5, 0), null));
        assertTrue(e.getMessage().contains("label 9 of sample 3 is outside the 3 classes of model broken.safetensors's outputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AutoAttack.run(linear(0), X, y, null, AutoAttack.Config.of(AutoAttackVersion.STANDARD, Norm.LINF, 0.1, 0, 6), null, null));
        assertTrue(e.getMessage().contains("label 9 of point 3 is outside the 3 classes"), e.getMessage());
    }
}
