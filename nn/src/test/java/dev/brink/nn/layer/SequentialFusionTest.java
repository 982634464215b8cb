package dev.brink.nn.layer;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.nn.Module;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Sequential} runs a Conv2d followed by a relu as one {@code conv2d_relu} op; the result and the gradients
 * must be those of the layers applied one by one (float32, bit for bit), and other pairs are left alone.
 */
class SequentialFusionTest {
    @Test
    void convThenReluIsOneOpWithTheLayerByLayerValuesAndGradients() {
        Generator g = new Generator(4);
        Sequential net = new Sequential(new Conv2d(3, 8, 5, 5, ConvGeometry.of(1, 2), true, g), new Activation(Activation.Kind.RELU),
                new Pool2d(Pool2d.Kind.MAX, PoolGeometry.of(2, 2, 0)), new Conv2d(8, 4, 3, 3, ConvGeometry.of(1, 1), false, g),
                new Activation(Activation.Kind.RELU));
        assertFusedAsLayerByLayer(net, Tensor.randn(g, DType.FLOAT32, 2, 3, 10, 10), "conv2d_relu", g);
    }

    @Test
    void batchNormThenReluIsOneOpWithTheLayerByLayerValuesAndGradients() {
        Generator g = new Generator(6);
        Sequential net = new Sequential(new Conv2d(3, 4, 3, 3, ConvGeometry.of(1, 1), false, g), new BatchNorm(4, 1e-5, 0.1),
                new Activation(Activation.Kind.RELU));
        // training mode: batch norm with its relu is one batch_norm node (evaluation mode: channel_normalize_relu)
        assertFusedAsLayerByLayer(net, Tensor.randn(g, DType.FLOAT32, 3, 3, 6, 6), "batch_norm", g);
    }

    /** net's output is made by {@code op} and equals, with the input's and parameters' gradients, the layers run one by one. */
    private static void assertFusedAsLayerByLayer(Sequential net, Tensor input, String op, Generator g) {
        Tensor x = input.requiresGrad(true);
        Tensor fused = net.forward(x);
        assertEquals(op, fused.gradFn());
        Tensor separate = x;
        for (Module m : net.layers()) separate = m.forward(separate);
        assertEquals("relu", separate.gradFn());
        assertArrayEquals(separate.toFloatArray(), fused.toFloatArray(), 0f);
        Tensor v = Tensor.randn(g, DType.FLOAT32, fused.shape());
        Tensor[] params = net.trainableParameters().values().toArray(new Tensor[0]);
        Tensor[] in = new Tensor[params.length + 1];
        in[0] = x;
        System.arraycopy(params, 0, in, 1, params.length);
        Tensor[] gf = Autograd.grad(fused.mul(v).sum(), in);
        Tensor[] gs = Autograd.grad(separate.mul(v).sum(), in);
        for (int i = 0; i < in.length; i++) assertArrayEquals(gs[i].toFloatArray(), gf[i].toFloatArray(), 0f, "gradient " + i);
    }

    @Test
    void otherActivationsAfterAConvolutionAreNotFused() {
        Generator g = new Generator(4);
        Sequential net = new Sequential(new Conv2d(1, 2, 3, 3, ConvGeometry.of(1, 1), true, g), new Activation(Activation.Kind.TANH));
        assertEquals("tanh", net.forward(Tensor.randn(g, DType.FLOAT32, 1, 1, 4, 4).requiresGrad(true)).gradFn());
    }
}
