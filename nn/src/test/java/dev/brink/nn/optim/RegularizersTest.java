package dev.brink.nn.optim;

import dev.brink.engine.Autograd;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RegularizersTest {
    private static Map<String, Tensor> params() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layers.0.weight", Tensor.of(new double[] {1.5, -2.0, 0.0, 0.25, -0.5, 3.0}, 2, 3).requiresGrad(true));
        m.put("layers.0.bias", Tensor.of(new double[] {-1.0, 0.5}, 2).requiresGrad(true));
        m.put("layers.1.weight", Tensor.of(new double[] {-0.75}, 1, 1).requiresGrad(true));
        return m;
    }

    @Test
    void l1IsSumOfAbsWithSignGradient() {
        Map<String, Tensor> p = params();
        Tensor r = Regularizers.l1(p);
        assertEquals(0, r.dim());
        assertEquals(1.5 + 2 + 0 + 0.25 + 0.5 + 3 + 1 + 0.5 + 0.75, r.item(), 1e-15);
        Tensor[] g = Autograd.grad(r, p.values().toArray(new Tensor[0]));
        int i = 0;
        for (Tensor w : p.values()) {
            assertArrayEquals(w.detach().sign().toDoubleArray(), g[i].toDoubleArray(), 0.0); // sign(0) = 0
            i++;
        }
        assertArrayEquals(new double[] {1, -1, 0, 1, -1, 1}, g[0].toDoubleArray(), 0.0);
    }

    @Test
    void l2IsHalfSumOfSquaresWithGradientW() {
        Map<String, Tensor> p = params();
        Tensor r = Regularizers.l2(p.values());
        double ss = 0;
        for (Tensor w : p.values()) for (double v : w.toDoubleArray()) ss += v * v;
        assertEquals(0.5 * ss, r.item(), 1e-14);
        assertEquals(ss, Regularizers.sumOfSquares(p).item(), 1e-14);
        Tensor[] g = Autograd.grad(r, p.values().toArray(new Tensor[0]));
        int i = 0;
        for (Tensor w : p.values()) assertArrayEquals(w.toDoubleArray(), g[i++].toDoubleArray(), 0.0);
        Tensor[] g2 = Autograd.grad(Regularizers.sumOfSquares(p), p.values().toArray(new Tensor[0]));
        assertArrayEquals(p.get("layers.0.bias").mul(2.0).toDoubleArray(), g2[1].toDoubleArray(), 0.0);
    }

    @Test
    void l2TermEqualsSgdWeightDecay() {
        double lambda = 0.01;
        Map<String, Tensor> a = params(), b = OptimVectors.copy(params(), true);
        Tensor lossA = a.get("layers.0.weight").sum();
        Tensor lossB = b.get("layers.0.weight").sum().add(Regularizers.l2(b).mul(lambda));
        Sgd withDecay = new Sgd(a, 0.1, 0.9, 0, false, lambda);
        Sgd withTerm = new Sgd(b, 0.1, 0.9);
        withDecay.zeroGrad();
        lossA.backward();
        withDecay.step();  // a's bias / layers.1.weight have no grad: untouched, whereas b's get the L2 gradient
        withTerm.zeroGrad();
        lossB.backward();
        withTerm.step();
        assertArrayEquals(a.get("layers.0.weight").toDoubleArray(), b.get("layers.0.weight").toDoubleArray(), 1e-15);
    }

    @Test
    void weightsOnlyAndErrors() {
        Map<String, Tensor> w = Regularizers.weightsOnly(params());
        assertEquals(List.of("layers.0.weight", "layers.1.weight"), List.copyOf(w.keySet()));
        assertEquals(1.5 + 2 + 0.25 + 0.5 + 3 + 0.75, Regularizers.l1(w).item(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Regularizers.l1(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Regularizers.l2(new LinkedHashMap<>()));
    }
}
