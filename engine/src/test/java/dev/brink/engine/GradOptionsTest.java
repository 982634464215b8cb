package dev.brink.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The named options of {@link Autograd#grad(Tensor[], Tensor[], GradOptions)} and {@link Autograd#backward}. */
class GradOptionsTest {
    private static Tensor vec(double... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void defaultsAreThoseOfPyTorchAndChainingNeverChangesAnInstance() {
        GradOptions d = GradOptions.defaults();
        assertNull(d.gradOutputs());
        assertFalse(d.retainsGraph());
        assertFalse(d.createsGraph());
        assertFalse(d.allowsUnused());
        GradOptions all = d.gradOutputs(vec(1)).retainGraph().createGraph().allowUnused();
        assertEquals(1, all.gradOutputs().length);
        assertTrue(all.retainsGraph() && all.createsGraph() && all.allowsUnused());
        assertFalse(d.retainsGraph() || d.createsGraph() || d.allowsUnused(), "defaults() is shared and immutable");
        assertFalse(all.retainGraph(false).createGraph(false).allowUnused(false).retainsGraph());
    }

    @Test
    void createGraphRetainsTheGraphEvenWhenRetainGraphIsOff() {
        GradOptions o = GradOptions.defaults().createGraph().retainGraph(false);
        assertTrue(o.retainsGraph());
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.square().sum();
        Tensor g = Autograd.grad(y, x, o)[0];
        Tensor again = Autograd.grad(y, x)[0]; // the graph was kept: a second pass works
        assertArrayEquals(g.detach().toDoubleArray(), again.toDoubleArray(), 0);
        assertTrue(g.requiresGrad(), "createGraph makes the gradient differentiable");
    }

    @Test
    void severalOutputsTakeOneGradOutputEach() {
        Tensor x = vec(1, 2, 3).requiresGrad(true);
        Tensor a = x.mul(2.0);     // d<a, u>/dx = 2u
        Tensor b = x.square();     // d<b, w>/dx = 2xw
        Tensor g = Autograd.grad(new Tensor[] {a, b}, new Tensor[] {x},
                GradOptions.defaults().gradOutputs(vec(1, 1, 1), vec(1, 0, 2)))[0];
        assertArrayEquals(new double[] {2 + 2, 2 + 0, 2 + 12}, g.toDoubleArray(), 1e-12);
    }

    @Test
    void gradOutputsMustMatchTheOutputs() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.mul(3.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, GradOptions.defaults().gradOutputs(vec(1, 1), vec(1, 1))));
        assertTrue(e.getMessage().contains("2 gradOutputs for 1 outputs"), e.getMessage());
    }

    @Test
    void backwardAccumulatesWithAnOutputGradientAndCanRetainTheGraph() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor y = x.square();
        Autograd.backward(y, GradOptions.defaults().gradOutputs(vec(1, 10)).retainGraph());
        Autograd.backward(y, GradOptions.defaults().gradOutputs(vec(1, 10)));
        assertArrayEquals(new double[] {4, 80}, x.grad().toDoubleArray(), 1e-12); // twice 2x*[1, 10]
        IllegalStateException freed = assertThrows(IllegalStateException.class, () -> Autograd.backward(y, GradOptions.defaults().gradOutputs(vec(1, 1))));
        assertTrue(freed.getMessage().contains("retainGraph"), freed.getMessage());
    }
}
