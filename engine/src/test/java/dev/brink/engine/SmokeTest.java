package dev.brink.engine;

import dev.brink.engine.check.GradCheck;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() {
        Generator gen = new Generator(1);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.FLOAT64, 3, 4).requiresGrad(true);
        System.out.println(GradCheck.first("matmul-tanh", xs -> xs[0].matmul(xs[1]).tanh(), x, w));
        System.out.println(GradCheck.second("matmul-tanh", xs -> xs[0].matmul(xs[1]).tanh(), x, w));
        Tensor img = Tensor.randn(gen, DType.FLOAT64, 2, 2, 5, 5).requiresGrad(true);
        Tensor k = Tensor.randn(gen, DType.FLOAT64, 3, 2, 3, 3).requiresGrad(true);
        System.out.println(GradCheck.second("conv-pool-ce", xs -> F.maxPool2d(F.conv2d(xs[0], xs[1], null, 1, 1).softplus(), 2, 2, 0).logSoftmax(1), img, k));
        Tensor hv = Derivatives.hvp(t -> t.tanh().square().sum(), x, x.detach().onesLike());
        System.out.println(hv);
    }
}
