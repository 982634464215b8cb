package dev.brink.engine;

import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** The engine tour that the README once showed (now examples/QuickStart.java, run by the examples build), kept as an engine test with the documented shapes. */
class ReadmeExampleTest {
    @Test
    void readmeExampleRunsWithTheDocumentedShapes() {
        Generator data = new Generator(1);
        Tensor x = Tensor.rand(data, DType.FLOAT32, 4, 784);
        Tensor v = Tensor.randn(data, DType.FLOAT32, 4, 784);
        Tensor labels = Tensor.ofInts(new int[] {3, 1, 4, 1}, 4);

        Tensor w = Tensor.randn(new Generator(0), DType.FLOAT32, 784, 10).requiresGrad(true);
        Function<Tensor, Tensor> loss = in -> F.crossEntropy(in.matmul(w), labels);

        Tensor gw = Autograd.grad(loss.apply(x), w)[0];
        Tensor hv = Derivatives.hvp(loss, x, v);
        Tensor rows = Derivatives.jacobianRows(in -> in.matmul(w), x, false);

        Tensor xv = x.detach().requiresGrad(true);
        Tensor gx = Autograd.grad(loss.apply(xv), xv, GradOptions.defaults().createGraph())[0];
        Tensor penalty = gx.square().sum();
        Tensor dPdW = Autograd.grad(penalty, w)[0];

        assertArrayEquals(new int[] {784, 10}, gw.shape());
        assertArrayEquals(new int[] {4, 784}, hv.shape());
        assertArrayEquals(new int[] {10, 4, 784}, rows.shape());
        assertArrayEquals(new int[] {784, 10}, dPdW.shape());
        assertTrue(penalty.item() > 0);
        assertTrue(hv.square().sum().item() > 0, "softmax cross-entropy of a linear model has curvature in x");
    }
}
