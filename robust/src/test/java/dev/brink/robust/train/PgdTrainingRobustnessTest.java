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
import dev.brink.robust.attack.AttackResult;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.eval.AttackSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** On the tiny problem with a fixed seed, PGD adversarial training raises PGD robust accuracy over standard training. */
class PgdTrainingRobustnessTest {
    static final double EPS = 0.2;

    @Test
    void pgdTrainingRaisesRobustAccuracy() {
        Batch train = ObjectiveTestKit.tinyBatch(60, 31, DType.FLOAT32);
        Batch test = ObjectiveTestKit.tinyBatch(60, 32, DType.FLOAT32);
        Objective standard = Objectives.parse("cross-entropy", ObjectiveSetup.NONE);
        Objective pgd = Objectives.parse("pgd-at", new ObjectiveSetup(AttackSpec.parse("pgd:norm=linf,eps=" + EPS + ",steps=5,early-stop=false")));
        double[] s = fitAndAttack(standard, train, test);
        double[] p = fitAndAttack(pgd, train, test);
        System.out.printf("standard: clean %.3f robust %.3f; pgd-at: clean %.3f robust %.3f%n", s[0], s[1], p[0], p[1]);
        assertTrue(s[0] > 0.9 && p[0] > 0.9, "both fit the clean data: " + s[0] + ", " + p[0]);
        assertTrue(p[1] >= s[1] + 0.2, "PGD training raises PGD robust accuracy: standard " + s[1] + ", pgd-at " + p[1]);
    }

    /** {clean accuracy, PGD-10 robust accuracy} on test after 60 full-batch SGD steps on the objective. */
    static double[] fitAndAttack(Objective objective, Batch train, Batch test) {
        SpecModel model = ObjectiveTestKit.tinyConvNet(7, DType.FLOAT32);
        Map<String, Tensor> params = model.trainableParameters();
        Sgd sgd = new Sgd(params, 0.3, 0.9);
        Tensor[] vars = params.values().toArray(new Tensor[0]);
        Generator g = new Generator(2);
        for (int step = 0; step < 60; step++) {
            Tensor loss = objective.apply(model, train, new TrainingContext(0, 1, step, 0.3, 0.3, g)).loss();
            sgd.step(Autograd.grad(loss, vars, GradOptions.defaults().allowUnused()));
        }
        model.eval();
        double clean = (double) Objective.correct(model.forward(test.x()), test.y()) / test.size();
        AttackResult r = Attacks.create("pgd", Map.of("steps", "10")).run(Classifier.of(model), test.x(), test.y(),
                ThreatModel.of(Norm.LINF, EPS), Goal.UNTARGETED, new Generator(3));
        double robust = (double) Objective.correct(model.forward(r.adversarial()), test.y()) / test.size();
        return new double[] {clean, robust};
    }
}
