package dev.brink.robust.train;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Liu and Chan's claim on a toy problem: from the same seed, training with EMR ends with a larger mean effective
 * margin on the training batch than standard (cross-entropy) training, for both the exact and the approximate EMR,
 * while all three still classify the batch (at most one error).
 */
class EmrMarginTest {
    static double train(Objective objective, Batch batch) {
        SpecModel model = ObjectiveTestKit.tinyConvNet(7, DType.FLOAT32);
        Map<String, Tensor> params = model.trainableParameters();
        Sgd sgd = new Sgd(params, 0.2, 0.9);
        Tensor[] vars = params.values().toArray(new Tensor[0]);
        Generator g = new Generator(2);
        for (int s = 0; s < 150; s++)
            sgd.step(Autograd.grad(objective.apply(model, batch, TrainingContext.standalone(g)).loss(), vars, GradOptions.defaults().allowUnused()));
        int correct;
        try (var s = dev.brink.engine.GradMode.noGrad()) {
            correct = Objective.correct(model.eval().forward(batch.x()), batch.y());
        }
        model.train();
        assertTrue(correct >= batch.y().size(0) - 1, objective + ": the toy batch should be learned, got " + correct + " of " + batch.y().size(0));
        return EffectiveMargins.mean(model, batch.x(), batch.y());
    }

    @Test
    void emrRaisesTheMeanEffectiveMargin() {
        Batch batch = ObjectiveTestKit.tinyBatch(24, 9, DType.FLOAT32);
        double standard = train(Objectives.parse("cross-entropy", ObjectiveSetup.NONE), batch);
        double exact = train(Objectives.parse("emr:lambda=0.1", ObjectiveSetup.NONE), batch);
        double approx = train(Objectives.parse("emr:lambda=0.3,method=approx", ObjectiveSetup.NONE), batch);
        assertTrue(exact > 1.2 * standard, "exact EMR " + exact + " vs standard " + standard);
        assertTrue(approx > 1.2 * standard, "approx EMR " + approx + " vs standard " + standard);
    }
}
