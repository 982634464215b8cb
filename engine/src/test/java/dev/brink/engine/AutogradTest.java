package dev.brink.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Semantics of the autodiff engine: grad, backward, graph retention, no-grad scopes, detach, higher order. */
class AutogradTest {
    private static Tensor vec(double... v) {
        return Tensor.of(v, v.length);
    }

    private static void assertClose(double[] expected, Tensor actual, double tol) {
        assertArrayEquals(expected, actual.toDoubleArray(), tol);
    }

    @Test
    void gradOfSquareSumIsTwiceX() {
        Tensor x = vec(1, -2, 3).requiresGrad(true);
        Tensor g = Autograd.grad(x.square().sum(), x)[0];
        assertClose(new double[] {2, -4, 6}, g, 0);
        assertFalse(g.requiresGrad(), "without createGraph the gradient carries no graph");
    }

    @Test
    void fanOutContributionsAreSummed() {
        Tensor x = vec(0.5, 2).requiresGrad(true);
        Tensor y = x.mul(x).add(x).add(x.exp()).sum(); // d/dx = 2x + 1 + e^x
        Tensor g = Autograd.grad(y, x)[0];
        assertClose(new double[] {2 * 0.5 + 1 + Math.exp(0.5), 2 * 2 + 1 + Math.exp(2)}, g, 1e-12);
    }

    @Test
    void backwardAccumulatesIntoLeavesUntilZeroed() {
        Tensor w = vec(1, 2).requiresGrad(true);
        w.mul(3.0).sum().backward();
        w.mul(3.0).sum().backward();
        assertClose(new double[] {6, 6}, w.grad(), 0);
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void secondBackwardThroughFreedGraphNamesTheOp() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("freed graph") && e.getMessage().contains("op 'sum'"), e.getMessage());
    }

    @Test
    void retainGraphAllowsTwoPasses() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.exp().sum();
        Tensor[] g1 = Autograd.grad(y, x, GradOptions.defaults().retainGraph());
        Tensor[] g2 = Autograd.grad(y, x);
        assertArrayEquals(g1[0].toDoubleArray(), g2[0].toDoubleArray());
    }

    @Test
    void noGradScopeRecordsNothingAndNests() {
        Tensor x = vec(1, 2).requiresGrad(true);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor y = x.mul(2.0);
            assertFalse(y.requiresGrad());
            try (GradMode.Scope inner = GradMode.enableGrad()) {
                assertTrue(x.mul(2.0).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void detachStopsGradients() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.mul(x.detach()).sum(); // d/dx = x (the detached factor is a constant)
        assertClose(new double[] {1, 2}, Autograd.grad(y, x)[0], 0);
    }

    @Test
    void gradWithRespectToAnIntermediateTensor() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor h = x.mul(3.0);
        Tensor y = h.square().sum();
        Tensor[] g = Autograd.grad(y, h, x);
        assertClose(new double[] {6, 12}, g[0], 1e-12);
        assertClose(new double[] {18, 36}, g[1], 1e-12);
    }

    @Test
    void gradWithRespectToParametersOrInputsAlone() {
        Tensor w = vec(2, 3).requiresGrad(true);
        Tensor x = vec(5, 7).requiresGrad(true);
        Tensor loss = w.mul(x).sum();
        Tensor[] gw = Autograd.grad(loss, w, GradOptions.defaults().retainGraph());
        Tensor[] gx = Autograd.grad(loss, x);
        assertClose(new double[] {5, 7}, gw[0], 0);
        assertClose(new double[] {2, 3}, gx[0], 0);
        assertNull(w.grad());
    }

    @Test
    void unusedInputsFailUnlessAllowed() {
        Tensor x = vec(1).requiresGrad(true);
        Tensor z = vec(4).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(x.mul(2.0).sum(), z, GradOptions.defaults().retainGraph()));
        assertTrue(e.getMessage().contains("do not depend on input 0"), e.getMessage());
        Tensor[] g = Autograd.grad(x.mul(2.0).sum(), z, GradOptions.defaults().allowUnused());
        assertClose(new double[] {0}, g[0], 0);
    }

    @Test
    void nonScalarOutputNeedsGradOutput() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.mul(2.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.grad(y, x));
        assertTrue(e.getMessage().contains("not one element"), e.getMessage());
        Tensor g = Autograd.grad(y, x, GradOptions.defaults().gradOutputs(vec(1, 10)))[0];
        assertClose(new double[] {2, 20}, g, 0);
    }

    @Test
    void gradientsOfGradientsToThirdOrder() {
        Tensor x = vec(1.5, -2).requiresGrad(true);
        Tensor y = x.pow(4.0).sum();
        Tensor g1 = Autograd.grad(y, x, GradOptions.defaults().createGraph())[0]; // 4x^3
        assertTrue(g1.requiresGrad());
        Tensor g2 = Autograd.grad(g1.sum(), x, GradOptions.defaults().createGraph())[0]; // 12x^2
        Tensor g3 = Autograd.grad(g2.sum(), x)[0]; // 24x
        assertClose(new double[] {4 * 3.375, -32}, g1, 1e-12);
        assertClose(new double[] {12 * 2.25, 48}, g2, 1e-12);
        assertClose(new double[] {36, -48}, g3, 1e-12);
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = vec(1.0).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 50_000; i++) y = y.mul(1.0);
        assertClose(new double[] {1.0}, Autograd.grad(y.sum(), x)[0], 0);
    }

    @Test
    void requiresGradOnlyOnFloatingLeaves() {
        Tensor x = vec(1).requiresGrad(true);
        Tensor y = x.mul(2.0);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofInts(new int[] {1}, 1).requiresGrad(true));
        assertEquals("mul", y.gradFn());
        assertNull(x.gradFn());
    }

    /** A product op whose rule records which input gradients the running pass asked for. */
    private static Tensor probedProduct(Tensor x, Tensor w, boolean[] asked) {
        Tensor out = x.detach().mul(w.detach());
        return Autograd.record("probe", out, new Tensor[] {x, w}, g -> {
            asked[0] = Autograd.needsGrad(x, 0);
            asked[1] = Autograd.needsGrad(w, 1);
            return new Tensor[] {asked[0] ? g.mul(w) : null, asked[1] ? g.mul(x) : null};
        });
    }

    @Test
    void backwardRulesAreToldWhichInputGradientsThePassNeeds() {
        Tensor x = vec(1, 2).requiresGrad(true), w = vec(3, 4).requiresGrad(true);
        boolean[] asked = new boolean[2];

        Tensor gx = Autograd.grad(probedProduct(x, w, asked).sum(), x)[0];
        assertArrayEquals(new boolean[] {true, false}, asked, "grad with respect to x alone needs no weight gradient");
        assertClose(new double[] {3, 4}, gx, 0);

        Autograd.grad(probedProduct(x, w.mul(2.0), asked).sum(), w);
        assertArrayEquals(new boolean[] {false, true}, asked, "w reaches the op through another op");

        probedProduct(x, w, asked).sum().backward();
        assertArrayEquals(new boolean[] {true, true}, asked, "backward() wants every leaf");
        assertClose(new double[] {3, 4}, x.grad(), 0);
        assertClose(new double[] {1, 2}, w.grad(), 0);

        Tensor c = vec(1, 1);
        assertTrue(Autograd.needsGrad(x, 0), "outside a rule: requiresGrad");
        assertFalse(Autograd.needsGrad(c, 0), "outside a rule: requiresGrad");
    }

    @Test
    void skippedWeightGradientsLeaveDoubleBackpropExact() {
        // IGR-style: penalty = ||d/dx sum(tanh(x W))||^2, differentiated with respect to W; the first pass takes the
        // input gradient only (so the matmul rule skips dW), and the result must match the double-backprop-free
        // closed form checked numerically.
        Generator gen = new Generator(7);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 3, 4).requiresGrad(true);
        Tensor w = Tensor.randn(gen, DType.FLOAT64, 4, 2).requiresGrad(true);
        java.util.function.Function<Tensor, Tensor> penalty = wt -> {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor gx = Autograd.grad(xv.matmul(wt).tanh().sum(), xv, GradOptions.defaults().createGraph())[0];
            return gx.square().sum();
        };
        Tensor dw = Autograd.grad(penalty.apply(w), w)[0];
        double[] wd = w.detach().toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < wd.length; i++) {
            double[] up = wd.clone(), dn = wd.clone();
            up[i] += h;
            dn[i] -= h;
            double fd = (penalty.apply(Tensor.of(up, 4, 2)).item() - penalty.apply(Tensor.of(dn, 4, 2)).item()) / (2 * h);
            assertEquals(fd, dw.toDoubleArray()[i], 1e-6 * Math.max(1, Math.abs(fd)), "dPenalty/dW[" + i + "]");
        }
    }
}
