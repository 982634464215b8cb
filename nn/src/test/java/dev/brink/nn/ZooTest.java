package dev.brink.nn;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.zoo.Zoo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Every zoo model at its full size: parameter count, and one forward/backward pass on a small batch. */
class ZooTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // name, parameters (from the papers or the reference implementations), batch
            "logreg, 785, 2",
            "mlp-4x1024, 3962890, 2",
            "shaham-mnist, 259106, 2",    // 832 + 51264 + 1024*200+200 + 2010
            "madry-mnist, 3274634, 2",
            "yu-mnist, 421642, 2",
            "galloway-cifar, 184832, 2",   // Table 1 of Galloway et al.: 184.8k
            "emr-cnn, 276426, 2",         // Table 5 of Liu and Chan with biases
            "yu-cifar, 520970, 2",
            "vgg16-cifar, 14724042, 2",    // the usual CIFAR VGG-16-BN has 14,728,266 with its redundant conv biases before BN
            "resnet18, 11173962, 2",       // the usual CIFAR ResNet-18: 11.17M
            "wrn-28-10, 36479194, 1",      // WRN-28-10: 36.5M
            "wrn-34-10, 46160474, 1",      // WRN-34-10: 46.2M
            "wrn-32-10, 46160474, 1",      // Galloway et al.'s 32-layer WRN = Madry et al.'s model = WRN-34-10
    })
    void buildsAtFullSizeAndRunsForwardAndBackward(String name, long parameters, int batch) {
        SpecModel m = Zoo.build(name, Zoo.Options.DEFAULT, new Generator(1));
        assertEquals(parameters, m.parameterCount(), name + " parameter count");
        int[] in = m.inputShape();
        int[] shape = new int[in.length + 1];
        shape[0] = batch;
        System.arraycopy(in, 0, shape, 1, in.length);
        Tensor x = Tensor.rand(new Generator(2), DType.FLOAT32, shape);
        Tensor logits = m.train().forward(x);
        int k = name.equals("logreg") ? 1 : 10;
        assertArrayEquals(new int[] {batch, k}, logits.shape());
        Tensor loss = k == 1 ? logits.square().mean() : F.crossEntropy(logits, Tensor.ofInts(new int[batch], batch));
        Map<String, Tensor> params = m.trainableParameters();
        Tensor[] grads = Autograd.grad(loss, params.values().toArray(new Tensor[0]), GradOptions.defaults().allowUnused());
        double total = 0;
        for (Tensor g : grads) total += g.abs().sum().item();
        assertTrue(total > 0 && Double.isFinite(total), name + ": gradients flow to the parameters");
    }

    @ParameterizedTest(name = "{0} at width 1/8 on a small input")
    @CsvSource({"madry-mnist, 1, 12", "resnet18, 3, 8", "wrn-16-2, 3, 8", "vgg11-cifar, 3, 32", "emr-cnn, 3, 20"})
    void smallVariantsBuild(String name, int channels, int size) {
        SpecModel m = Zoo.build(name, Zoo.Options.DEFAULT.withWidth(0.125).withInput(channels, size, size).withClasses(4), new Generator(1));
        Tensor y = m.eval().forward(Tensor.rand(new Generator(3), DType.FLOAT32, 2, channels, size, size));
        assertArrayEquals(new int[] {2, 4}, y.shape());
    }

    @org.junit.jupiter.api.Test
    void unknownNamesListTheZoo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.spec("lenet", Zoo.Options.DEFAULT));
        assertTrue(e.getMessage().contains("madry-mnist") && e.getMessage().contains("wrn-D-W"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Zoo.spec("wrn-30-10", Zoo.Options.DEFAULT));
        for (String n : Zoo.names()) assertNotNull(Zoo.spec(n, Zoo.Options.DEFAULT), n);
    }
}
