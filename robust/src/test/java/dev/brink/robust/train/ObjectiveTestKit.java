package dev.brink.robust.train;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.check.GradCheck;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared fixtures for objective tests: a tiny smooth conv net (tanh, so second derivatives exist everywhere and
 * finite differences of double-backprop penalties are exact up to rounding), a tiny separable batch in [0, 1], a
 * finite-difference check of an objective's weight gradient in float64, and a check that a few SGD steps on the
 * objective lower it.
 */
public final class ObjectiveTestKit {
    private ObjectiveTestKit() {}

    /** Input shape of the tiny net and its batches. */
    public static final int[] INPUT = {1, 6, 6};
    /** Classes of the tiny net. */
    public static final int CLASSES = 3;

    /** conv 1->3 (3x3) - tanh - flatten - linear 48->3; in float64 when {@code dtype} says so. */
    public static SpecModel tinyConvNet(long seed, DType dtype) {
        String spec = """
                {"input":[1,6,6],"layers":[
                  {"type":"conv2d","out":3,"kernel":3,"stride":1,"padding":0},
                  {"type":"tanh"},
                  {"type":"flatten"},
                  {"type":"linear","out":3}
                ]}""";
        SpecModel m = ModelSpec.build(spec, new Generator(seed));
        if (dtype != DType.FLOAT32) m.to(dtype);
        return m;
    }

    /**
     * {@code n} samples {@code [n, 1, 6, 6]} in [0, 1] with int32 labels {@code i % 3}: class k has a bright k-th
     * band of rows plus seeded noise, so a linear read-out separates them.
     */
    public static Batch tinyBatch(int n, long seed, DType dtype) {
        Generator g = new Generator(seed);
        double[] noise = Tensor.rand(g, DType.FLOAT64, n * 36).toDoubleArray();
        double[] x = new double[n * 36];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % CLASSES;
            for (int r = 0; r < 6; r++)
                for (int c = 0; c < 6; c++) {
                    int e = i * 36 + r * 6 + c;
                    double base = r / 2 == y[i] ? 0.7 : 0.15;
                    x[e] = Math.min(1, Math.max(0, base + 0.25 * (noise[e] - 0.5)));
                }
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Tensor xt = Tensor.of(x, n, 1, 6, 6);
        if (dtype != DType.FLOAT64) xt = xt.to(dtype);
        return new Batch(xt, Tensor.ofInts(y, n), idx);
    }

    /** A context at epoch 0 with a fresh generator of {@code seed}, so that repeated evaluations draw the same numbers. */
    public static TrainingContext context(long seed) {
        return TrainingContext.standalone(new Generator(seed));
    }

    /**
     * Checks the objective's gradient with respect to every weight of the tiny float64 net against central finite
     * differences (each evaluation with a fresh generator of the same seed). For objectives whose loss is a smooth
     * function of the weights: double-backprop penalties, cross-entropy; not adversarial ones, whose inner attack
     * moves with the weights.
     */
    public static GradCheck.Report assertWeightGradientMatchesFiniteDifferences(String name, Objective objective) {
        SpecModel model = tinyConvNet(11, DType.FLOAT64);
        Batch batch = tinyBatch(6, 5, DType.FLOAT64);
        Map<String, Tensor> params = model.trainableParameters();
        List<String> names = new ArrayList<>(params.keySet());
        Tensor[] inputs = new Tensor[names.size()];
        for (int i = 0; i < inputs.length; i++) inputs[i] = params.get(names.get(i)).detach().requiresGrad(true);
        return GradCheck.first(name, ws -> {
            for (int i = 0; i < ws.length; i++) model.setParameter(names.get(i), ws[i]);
            return objective.apply(model, batch, context(3)).loss();
        }, GradCheck.Options.DEFAULT.withTolerance(1e-6, 1e-4), inputs);
    }

    /**
     * Takes {@code steps} SGD steps (learning rate {@code lr}) on the objective over the tiny batch and asserts that
     * the objective's own loss, evaluated with the same generator seed before and after, went down by at least 10%.
     */
    public static void assertLowersItsLoss(String name, Objective objective, int steps, double lr) {
        SpecModel model = tinyConvNet(7, DType.FLOAT32);
        Batch batch = tinyBatch(24, 9, DType.FLOAT32);
        double before = objective.apply(model, batch, context(1)).loss().item();
        Map<String, Tensor> params = model.trainableParameters();
        Sgd sgd = new Sgd(params, lr, 0.9);
        Tensor[] vars = params.values().toArray(new Tensor[0]);
        Generator g = new Generator(2);
        for (int s = 0; s < steps; s++) {
            Tensor loss = objective.apply(model, batch, TrainingContext.standalone(g)).loss();
            sgd.step(dev.brink.engine.Autograd.grad(loss, vars, dev.brink.engine.GradOptions.defaults().allowUnused()));
        }
        double after = objective.apply(model, batch, context(1)).loss().item();
        assertTrue(Double.isFinite(before) && Double.isFinite(after), name + ": loss " + before + " -> " + after);
        assertTrue(after < 0.9 * before, name + ": " + steps + " SGD steps should lower the loss by 10%, got " + before + " -> " + after);
    }

    /** The model as a {@link Module}, for objectives' signatures. */
    public static Module asModule(SpecModel m) {
        return m;
    }
}
