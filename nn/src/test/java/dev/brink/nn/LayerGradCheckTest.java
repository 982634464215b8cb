package dev.brink.nn;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.engine.check.GradCheck;
import dev.brink.nn.layer.*;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Every layer type, first- and second-order finite-difference checks in float64 with respect to its input and
 * every trainable parameter (through {@link Module#setParameter}).
 */
class LayerGradCheckTest {
    private record Case(String name, Supplier<Module> layer, int[] input) {}

    private static List<Case> cases() {
        Generator g = new Generator(9);
        return List.of(
                new Case("linear", () -> new Linear(4, 3, true, g), new int[] {2, 4}),
                new Case("linear no bias", () -> new Linear(4, 3, false, g), new int[] {2, 4}),
                new Case("conv2d stride 2 pad 1", () -> new Conv2d(2, 3, 3, 3, ConvGeometry.of(2, 1), true, g), new int[] {2, 2, 5, 5}),
                new Case("conv2d groups 2 no bias", () -> new Conv2d(4, 4, 3, 3, new ConvGeometry(1, 1, 1, 1, 1, 1, 2), false, g), new int[] {1, 4, 4, 4}),
                new Case("maxpool 2", () -> new Pool2d(Pool2d.Kind.MAX, PoolGeometry.of(2, 2, 0)), new int[] {2, 2, 4, 4}),
                new Case("avgpool 3 stride 2 pad 1", () -> new Pool2d(Pool2d.Kind.AVG, PoolGeometry.of(3, 2, 1)), new int[] {1, 2, 5, 5}),
                new Case("global avgpool", GlobalAvgPool2d::new, new int[] {2, 3, 3, 2}),
                new Case("flatten", Flatten::new, new int[] {2, 2, 2, 3}),
                new Case("batchnorm train 4-d", () -> new BatchNorm(3, 1e-5, 0.1), new int[] {3, 3, 2, 2}),
                new Case("batchnorm eval 4-d", () -> new BatchNorm(3, 1e-5, 0.1).eval(), new int[] {2, 3, 2, 2}),
                new Case("batchnorm train 2-d", () -> new BatchNorm(4, 1e-5, 0.1), new int[] {5, 4}),
                new Case("dropout train", () -> new Dropout(0.3), new int[] {3, 4}),
                new Case("relu", () -> new Activation(Activation.Kind.RELU), new int[] {3, 4}),
                new Case("tanh", () -> new Activation(Activation.Kind.TANH), new int[] {3, 4}),
                new Case("sigmoid", () -> new Activation(Activation.Kind.SIGMOID), new int[] {3, 4}),
                new Case("softplus", () -> new Activation(Activation.Kind.SOFTPLUS), new int[] {3, 4}),
                new Case("leaky relu", () -> new Activation(Activation.Kind.LEAKY_RELU, 0.2), new int[] {3, 4}),
                new Case("normalize", () -> new Normalize(new double[] {0.5, 0.25}, new double[] {0.2, 0.4}), new int[] {2, 2, 3, 3}),
                new Case("residual identity", () -> new Residual(new Sequential(new Linear(3, 3, true, g), new Activation(Activation.Kind.TANH)), new Sequential()), new int[] {2, 3}),
                new Case("residual projection", () -> new Residual(
                        new Sequential(new Conv2d(2, 3, 3, 3, ConvGeometry.of(2, 1), false, g), new BatchNorm(3, 1e-5, 0.1), new Activation(Activation.Kind.SOFTPLUS)),
                        new Sequential(new Conv2d(2, 3, 1, 1, ConvGeometry.of(2, 0), false, g))), new int[] {2, 2, 4, 4}),
                new Case("sequential", () -> new Sequential(new Linear(5, 4, true, g), new Activation(Activation.Kind.SIGMOID), new Linear(4, 2, true, g)), new int[] {3, 5}),
                new Case("sequential conv + relu (one conv2d_relu op), then tanh", () -> new Sequential(new Conv2d(2, 3, 3, 3, ConvGeometry.of(1, 1), true, g),
                        new Activation(Activation.Kind.RELU), new Activation(Activation.Kind.TANH)), new int[] {2, 2, 4, 4}),
                new Case("sequential batchnorm + relu (one channel_normalize_relu op), then tanh", () -> new Sequential(new BatchNorm(3, 1e-5, 0.1),
                        new Activation(Activation.Kind.RELU), new Activation(Activation.Kind.TANH)), new int[] {3, 3, 2, 2}));
    }

    @TestFactory
    Stream<DynamicTest> everyLayerAtBothOrders() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            for (int order = 1; order <= 2; order++) {
                int ord = order;
                tests.add(DynamicTest.dynamicTest(c.name() + " order " + order, () -> check(c, ord)));
            }
        }
        return tests.stream();
    }

    private static void check(Case c, int order) {
        Module m = c.layer().get().to(DType.FLOAT64);
        Map<String, Tensor> params = m.trainableParameters();
        List<String> names = new ArrayList<>(params.keySet());
        Generator data = new Generator(c.name().hashCode());
        Tensor x = Tensor.randn(data, DType.FLOAT64, c.input());
        // keep relu/maxpool inputs away from kinks and ties
        x = x.add(x.sign().mul(0.1)).detach().requiresGrad(true);
        Tensor[] inputs = new Tensor[names.size() + 1];
        inputs[0] = x;
        for (int i = 0; i < names.size(); i++) {
            // batch norm weights start at exactly 1 and biases at 0: perturb them to generic values
            Tensor p = params.get(names.get(i));
            inputs[i + 1] = p.detach().add(Tensor.randn(data, DType.FLOAT64, p.shape()).mul(0.1)).detach().requiresGrad(true);
        }
        java.util.function.Function<Tensor[], Tensor> f = xs -> {
            for (int i = 0; i < names.size(); i++) m.setParameter(names.get(i), xs[i + 1]);
            m.setGenerator(new Generator(5)); // the same dropout mask at every evaluation
            return m.forward(xs[0]);
        };
        if (order == 1) GradCheck.first(c.name(), f, inputs);
        else GradCheck.second(c.name(), f, inputs);
    }
}
