package dev.brink.engine;

import dev.brink.engine.check.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fan-out sums of the backward walker ({@link GradientSums}): in-place accumulation when no graph is recorded, sums
 * in a shared transposed layout, and the matmul rule that returns a transposed right operand's gradient in that
 * layout. Each is checked against values computed another way, in both recording modes, and by finite differences
 * to second order.
 */
class GradientSumsTest {
    private final Generator gen = new Generator(77);

    /**
     * s collects three contributions (an in-place sum when no graph is recorded), then add's backward hands that
     * same buffer to both p and q, and p gets one more term: a buffer written after it was handed on would corrupt
     * q's gradient.
     */
    @Test
    void aSumHandedToTwoInputsIsNotWrittenAgain() {
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        Tensor c1 = Tensor.randn(gen, DType.FLOAT64, 3, 4), c2 = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        Tensor c3 = Tensor.randn(gen, DType.FLOAT64, 3, 4), c4 = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        // both orders of the terms: in one of them the walker reaches s before p's own term, so p holds s's buffer
        // when that term arrives
        List<Function<Tensor, Tensor>> fs = List.of(t -> {
            Tensor p = t.mul(3.0), q = t.mul(5.0), s = p.add(q);
            return p.mul(c4).sum().add(s.mul(c1).sum().add(s.mul(c2).sum()).add(s.mul(c3).sum()));
        }, t -> {
            Tensor p = t.mul(3.0), q = t.mul(5.0), s = p.add(q);
            return s.mul(c1).sum().add(s.mul(c2).sum()).add(s.mul(c3).sum()).add(p.mul(c4).sum());
        }, t -> {
            Tensor p = t.mul(3.0), q = t.mul(5.0), s = q.add(p);
            return s.mul(c1).sum().add(s.mul(c2).sum()).add(s.mul(c3).sum()).add(p.mul(c4).sum());
        }, t -> {
            Tensor p = t.mul(3.0), q = t.mul(5.0), s = q.add(p);
            return p.mul(c4).sum().add(s.mul(c1).sum().add(s.mul(c2).sum()).add(s.mul(c3).sum()));
        }, t -> {
            // p and q both hold s's buffer when their other terms (c4 and a zero) arrive
            Tensor p = t.mul(3.0), q = t.mul(5.0), s = p.add(q);
            return p.mul(c4).add(q.mul(0.0)).sum().add(s.mul(c1).sum().add(s.mul(c2).sum()).add(s.mul(c3).sum()));
        });
        double[] expected = c1.add(c2).add(c3).mul(8.0).add(c4.mul(3.0)).toDoubleArray();
        for (Function<Tensor, Tensor> f : fs) for (boolean createGraph : new boolean[] {false, true}) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor g = Autograd.grad(f.apply(xv), xv, GradOptions.defaults().createGraph(createGraph))[0];
            assertArrayEquals(expected, g.toDoubleArray(), 1e-12, "createGraph " + createGraph);
        }
    }

    /**
     * s's gradient (a sum of three terms, accumulated in place when no graph is recorded) is returned to the caller
     * (s is a requested target) and handed on to p by add's backward; p's own term then arrives. Were the buffer still
     * written after the walker took it out of its map, that term would land in the gradient returned for s.
     */
    @Test
    void aReturnedSumIsNotWrittenAfterTheWalkerHandsItOn() {
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        Tensor c1 = Tensor.randn(gen, DType.FLOAT64, 3, 4), c2 = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        Tensor c3 = Tensor.randn(gen, DType.FLOAT64, 3, 4), c4 = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        double[] gs = c1.add(c2).add(c3).toDoubleArray(), gp = c1.add(c2).add(c3).add(c4).toDoubleArray();
        double[] gx = c1.add(c2).add(c3).mul(8.0).add(c4.mul(3.0)).toDoubleArray();
        for (boolean pTermFirst : new boolean[] {false, true}) for (boolean createGraph : new boolean[] {false, true}) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor p = xv.mul(3.0), q = xv.mul(5.0), s = p.add(q);
            Tensor terms = s.mul(c1).sum().add(s.mul(c2).sum()).add(s.mul(c3).sum());
            Tensor out = pTermFirst ? p.mul(c4).sum().add(terms) : terms.add(p.mul(c4).sum());
            Tensor[] g = Autograd.grad(out, new Tensor[] {s, p, xv}, GradOptions.defaults().createGraph(createGraph));
            String where = "p's term first " + pTermFirst + ", createGraph " + createGraph;
            assertArrayEquals(gs, g[0].toDoubleArray(), 1e-12, "d out / d s, " + where);
            assertArrayEquals(gp, g[1].toDoubleArray(), 1e-12, "d out / d p, " + where);
            assertArrayEquals(gx, g[2].toDoubleArray(), 1e-12, "d out / d x, " + where);
        }
    }

    /** Gradients accumulated into a leaf's grad over two backward calls are not aliased by the engine's buffers. */
    @Test
    void repeatedBackwardAccumulatesIntoAFreshGrad() {
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor c = Tensor.randn(gen, DType.FLOAT64, 2, 3);
        for (int i = 0; i < 2; i++) x.mul(c).sum().add(x.mul(c).sum()).add(x.mul(c).sum()).backward();
        assertArrayEquals(c.mul(6.0).toDoubleArray(), x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void denseOrderFindsTransposedAndPermutedLayoutsOnly() {
        Tensor m = Tensor.randn(gen, DType.FLOAT32, 3, 4);
        assertNull(GradientSums.denseOrder(m));
        assertArrayEquals(new int[] {1, 0}, GradientSums.denseOrder(m.transpose(0, 1)));
        Tensor t = Tensor.randn(gen, DType.FLOAT32, 2, 3, 4).permute(2, 0, 1); // strides (1, 12, 4)
        assertArrayEquals(new int[] {1, 2, 0}, GradientSums.denseOrder(t));
        assertTrue(GradientSums.denseOrder(t.permute(GradientSums.denseOrder(t))) == null);
        assertNull(GradientSums.denseOrder(m.slice(1, 0, 2).transpose(0, 1)), "a slice has gaps");
    }

    @Test
    void sumsInATransposedLayoutKeepValuesAndLayout() {
        Tensor a = Tensor.randn(gen, DType.FLOAT32, 5, 7), b = Tensor.randn(gen, DType.FLOAT32, 5, 7);
        Tensor at = a.transpose(0, 1), bt = b.transpose(0, 1);
        Tensor s = GradientSums.sum(at, bt);
        assertArrayEquals(at.add(bt).toDoubleArray(), s.toDoubleArray(), 0);
        assertArrayEquals(at.strides(), s.strides(), "the sum keeps the operands' transposed layout");
        Tensor mixed = GradientSums.sum(a.contiguous(), b.transpose(0, 1).contiguous().transpose(0, 1));
        assertArrayEquals(a.add(b).toDoubleArray(), mixed.toDoubleArray(), 0);
        GradientSums acc = new GradientSums(true);
        Tensor owned = acc.add(at, bt);
        Tensor again = acc.add(owned, at);
        assertTrue(again == owned, "a sum the accumulator allocated is added to in place");
        assertArrayEquals(at.add(bt).add(at).toDoubleArray(), again.toDoubleArray(), 1e-6);
        acc.release(owned);
        Tensor fresh = acc.add(owned, at);
        assertTrue(fresh != owned, "a released sum is never written");
        assertArrayEquals(at.add(bt).add(at).toDoubleArray(), owned.toDoubleArray(), 1e-6);
    }

    /** A linear layer's weight gradient through {@code x @ W^T} comes back row-major, like the weight. */
    @Test
    void transposedWeightGetsARowMajorGradient() {
        Tensor w = Tensor.randn(gen, DType.FLOAT32, 6, 4).requiresGrad(true);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 3, 4);
        Tensor g = Autograd.grad(x.matmul(w.transpose(0, 1)).square().sum(), w)[0];
        assertTrue(g.isContiguous());
        Tensor y = x.matmul(w.detach().transpose(0, 1));
        assertArrayEquals(y.mul(2.0).transpose(0, 1).matmul(x).toDoubleArray(), g.toDoubleArray(), 1e-4);
    }

    /**
     * The exact-EMR shape in miniature: the weight enters through its transpose in the forward and through the
     * first-order backward passes (K rows with a recorded graph), so its gradient sums K + 1 terms of two layouts.
     * Finite differences in float64, first and second order.
     */
    @Test
    void jacobianRowPenaltyThroughTransposedWeightsPassesGradCheck() {
        Tensor w1 = Tensor.randn(gen, DType.FLOAT64, 5, 4).requiresGrad(true);
        Tensor w2 = Tensor.randn(gen, DType.FLOAT64, 3, 5).requiresGrad(true);
        Tensor x = Tensor.randn(gen, DType.FLOAT64, 2, 4);
        Function<Tensor[], Tensor> f = ws -> {
            Tensor z = ws[0].transpose(0, 1);
            Function<Tensor, Tensor> model = t -> t.matmul(z).tanh().matmul(ws[1].transpose(0, 1));
            Tensor rows = Derivatives.jacobianRows(model, x, true);
            return rows.square().sum().add(model.apply(x).square().sum());
        };
        // each throws (AssertionError) when the analytic gradient misses the central differences
        assertEquals(2, GradCheck.first("emr-like first", f, w1, w2).order() + 1);
        assertEquals(2, GradCheck.second("emr-like second", f, w1, w2).order());
    }
}
