package dev.brink.engine.ops;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.op.Convolution;

import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The graph keeps for the backward pass only the tensors each derivative reads (as PyTorch saves only {@code self}
 * or {@code result}): an intermediate that no derivative reads is garbage as soon as the forward pass is done with
 * it, and the gradients are the same.
 */
class SavedTensorsTest {
    /** Whether the graph of {@code f(mid)} keeps {@code mid = input * 3} alive, and f's gradient. */
    private static boolean keeps(Function<Tensor, Tensor> f, Tensor input) throws InterruptedException {
        Tensor mid = input.mul(3.0);
        WeakReference<Object> ref = new WeakReference<>(mid.storage());
        Tensor out = f.apply(mid);
        mid = null;
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(5);
        }
        boolean kept = ref.get() != null;
        assertNotNull(Autograd.grad(out.sum(), input)[0]);
        return kept;
    }

    @Test
    void derivativesKeepOnlyWhatTheyRead() throws Exception {
        Generator gen = new Generator(41);
        Tensor input = Tensor.randn(gen, DType.FLOAT32, 64, 256).requiresGrad(true);
        Tensor other = Tensor.randn(gen, DType.FLOAT32, 64, 256);
        assertFalse(keeps(m -> m.relu(), input), "relu reads its output, not its input");
        assertFalse(keeps(m -> m.add(other), input), "an add reads neither input");
        assertFalse(keeps(m -> m.neg(), input), "neg reads nothing");
        assertFalse(keeps(m -> m.tanh(), input), "tanh reads its output");
        assertFalse(keeps(m -> m.mul(other), input), "a product keeps the other factor, not this one");
        assertTrue(keeps(m -> m.square(), input), "square reads its input");
        Tensor weight = other.detach().requiresGrad(true);
        assertTrue(keeps(m -> weight.mul(m), input), "weight * m with a weight that requires grad: its gradient reads m");
    }

    @Test
    void convolutionAndMatmulKeepTheirInputOnlyForTheWeightsGradient() throws Exception {
        // an attack on a frozen model takes only the input gradient, which reads the weight and not the input
        Generator gen = new Generator(43);
        Tensor image = Tensor.randn(gen, DType.FLOAT32, 4, 3, 8, 8).requiresGrad(true);
        Tensor frozen = Tensor.randn(gen, DType.FLOAT32, 5, 3, 3, 3);
        Tensor trained = frozen.detach().requiresGrad(true);
        ConvGeometry same = ConvGeometry.of(1, 1);
        assertFalse(keeps(m -> Convolution.conv2d(m, frozen, null, same), image), "conv2d with a frozen weight");
        assertFalse(keeps(m -> Convolution.conv2dRelu(m, frozen, null, same), image), "conv2d_relu with a frozen weight");
        assertTrue(keeps(m -> Convolution.conv2d(m, trained, null, same), image), "conv2d: the weight's gradient reads the input");
        Tensor rows = Tensor.randn(gen, DType.FLOAT32, 16, 32).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 10, 32);
        assertFalse(keeps(m -> m.matmul(w.transpose(0, 1)), rows), "matmul with a frozen right operand");
        Tensor wt = w.detach().requiresGrad(true);
        assertTrue(keeps(m -> m.matmul(wt.transpose(0, 1)), rows), "matmul: the right operand's gradient reads the left");
    }

    @Test
    void reluFromItsOutputGivesTheSameGradientsToSecondOrder() {
        // relu' read from y = relu(x) instead of x: y > 0 exactly where x > 0
        Generator gen = new Generator(42);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 32, 16).requiresGrad(true);
        Tensor g = Autograd.grad(x.relu().square().sum(), x)[0];
        double[] xs = x.toDoubleArray(), gs = g.toDoubleArray();
        for (int i = 0; i < xs.length; i++) assertEquals(xs[i] > 0 ? 2 * xs[i] : 0.0, gs[i], 1e-12, "element " + i);
    }
}
