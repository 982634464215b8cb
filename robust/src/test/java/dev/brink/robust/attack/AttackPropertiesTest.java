package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Properties of EVERY registered attack, on random small models and inputs, several eps per supported norm and
 * every goal: results stay in [0, 1] and in the eps ball, the success mask and the norms agree with a
 * recomputation, and the same seed gives the same result.
 */
class AttackPropertiesTest {
    /** Cheap settings for the iterative attacks (any attack not listed runs with its defaults). */
    private static final Map<String, Map<String, String>> FAST = Map.ofEntries(
            Map.entry("pgd", Map.of("steps", "5", "restarts", "2")),
            Map.entry("bim", Map.of("steps", "5")),
            Map.entry("cw-l2", Map.of("steps", "10", "binary-steps", "2")),
            Map.entry("deepfool", Map.of("steps", "5")),
            Map.entry("second-order", Map.of("steps", "3", "samples", "2", "trace", "true")),
            Map.entry("second-order-exact", Map.of("steps", "3", "power-iters", "2")),
            Map.entry("pixel-swap", Map.of("restarts", "2")),
            Map.entry("square", Map.of("queries", "30", "restarts", "2")),
            Map.entry("apgd", Map.of("steps", "5", "restarts", "2")),
            Map.entry("apgd-t", Map.of("steps", "5", "targets", "2", "loss", "ce")),
            Map.entry("fab", Map.of("steps", "5", "restarts", "2")),
            Map.entry("fab-t", Map.of("steps", "5")));

    private static double[] epsFor(Norm n) {
        return switch (n) {
            case LINF -> new double[] {0, 0.03, 0.3};
            case L2 -> new double[] {0.1, 1.5};
            case L1 -> new double[] {0.5, 4};
            case L0 -> new double[] {0, 3, 10};
        };
    }

    private static List<Classifier> models() {
        Classifier linear = LinearModels.random(50, 3, 18, DType.FLOAT64).classifier();
        Generator g = new Generator(51);
        Sequential mlp = new Sequential(new Flatten(), new Linear(18, 8, true, g), new Activation(Activation.Kind.TANH), new Linear(8, 3, true, g));
        mlp.to(DType.FLOAT64);
        return List.of(linear, Classifier.of(mlp));
    }

    @Test
    void everyAttackStaysInTheBoxAndBallAndReportsHonestly() {
        Tensor x = Tensor.rand(new Generator(52), DType.FLOAT64, 5, 2, 3, 3);
        x = x.mul(1.2).sub(0.1).clamp(0, 1); // some features exactly on the box's faces
        Tensor targets = Tensor.ofInts(new int[] {0, 1, 2, 1, 0}, 5);
        List<String> checked = new ArrayList<>();
        for (String name : Attacks.names()) {
            Attack attack = Attacks.create(name, FAST.getOrDefault(name, Map.of()));
            for (Classifier model : models()) {
                Tensor logits = model.logits(x);
                Tensor y = logits.argmax(1);
                int[] ll = logits.argmin(1).toIntArray();
                for (Norm norm : attack.supportedNorms()) {
                    for (double eps : epsFor(norm)) {
                        ThreatModel threat = ThreatModel.of(norm, eps);
                        for (Goal goal : new Goal[] {Goal.UNTARGETED, Goal.targeted(targets), Goal.LEAST_LIKELY}) {
                            String what = name + " " + threat + " " + goal.getClass().getSimpleName();
                            AttackResult r = attack.run(model, x, y, threat, goal, new Generator(9));
                            Tensor adv = r.adversarial();
                            assertArrayEquals(x.shape(), adv.shape(), what);
                            assertTrue(adv.amin().item() >= 0 && adv.amax().item() <= 1, what + ": in the box");
                            double[] n = Projections.norm(adv.sub(x), norm).toDoubleArray();
                            double bound = norm == Norm.L0 ? Math.floor(eps) : eps;
                            for (double v : n) assertTrue(v <= bound * (1 + 1e-12) + 1e-12, what + ": norm " + v + " > " + bound);
                            int[] pred = model.logits(adv).argmax(1).toIntArray(), lab = y.toIntArray(), tg = targets.toIntArray();
                            for (int i = 0; i < pred.length; i++) {
                                boolean expect = goal instanceof Goal.Untargeted ? pred[i] != lab[i]
                                        : goal instanceof Goal.LeastLikely ? pred[i] == ll[i] : pred[i] == tg[i];
                                assertEquals(expect, r.success()[i], what + ": success of sample " + i);
                            }
                            for (Norm m : Norm.values())
                                assertArrayEquals(Projections.norm(adv.sub(x), m).toDoubleArray(), r.norms().of(m), 1e-12, what + ": reported " + m);
                            if (eps == 0) assertArrayEquals(x.toDoubleArray(), adv.toDoubleArray(), 0, what + ": eps 0 changes nothing");
                            if (goal == Goal.UNTARGETED) {
                                AttackResult again = attack.run(model, x, y, threat, goal, new Generator(9));
                                assertArrayEquals(adv.toDoubleArray(), again.adversarial().toDoubleArray(), 0, what + ": same seed, same result");
                            }
                        }
                    }
                }
            }
            checked.add(name);
        }
        assertEquals(Attacks.names(), checked);
    }

    @Test
    void everyAttackRunsOnASmallConvNetFromTheZoo() {
        Classifier conv = Classifier.of(Zoo.build("madry-mnist", Zoo.Options.DEFAULT.withWidth(1.0 / 8).withInput(1, 12, 12), new Generator(60)));
        Tensor x = Tensor.rand(new Generator(61), DType.FLOAT32, 3, 1, 12, 12);
        Tensor y = conv.logits(x).argmax(1);
        for (String name : Attacks.names()) {
            Attack attack = Attacks.create(name, FAST.getOrDefault(name, Map.of()));
            Norm norm = attack.defaultNorm();
            double eps = norm == Norm.L0 ? 10 : norm == Norm.LINF ? 0.1 : 1;
            AttackResult r = attack.run(conv, x, y, ThreatModel.of(norm, eps), Goal.UNTARGETED, new Generator(62));
            assertTrue(r.adversarial().amin().item() >= 0 && r.adversarial().amax().item() <= 1, name);
            for (double v : r.norms().of(norm)) assertTrue(v <= eps * (1 + 1e-6), name + " " + v);
            assertTrue(r.modelCalls() > 0, name);
        }
    }
}
