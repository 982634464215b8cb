package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * JSMA's pair selection against the definition written with whole-map tensor ops (the D x D saliency map of
 * Papernot et al., first maximum in row-major order): the same pair on random gradients, in float32 and float64,
 * with features out of the domain, and when no pair has alpha &gt; 0 and beta &lt; 0.
 */
class JsmaPairsTest {
    /** The map-based definition: score -alpha*beta where alpha &gt; 0 and beta &lt; 0, else the largest alpha - beta. */
    static int[] reference(Tensor a, Tensor b, Tensor domain, int row) {
        int d = a.size(1);
        Tensor ar = a.slice(0, row, row + 1).reshape(d), br = b.slice(0, row, row + 1).reshape(d), dr = domain.slice(0, row, row + 1).reshape(d);
        Tensor alpha = ar.reshape(d, 1).add(ar.reshape(1, d)), beta = br.reshape(d, 1).add(br.reshape(1, d));
        Tensor idx = Tensor.of(java.util.stream.IntStream.range(0, d).asDoubleStream().toArray(), d);
        Tensor offDiagonal = idx.reshape(d, 1).eq(idx.reshape(1, d)).neg().add(1.0);
        Tensor valid = dr.reshape(d, 1).mul(dr.reshape(1, d)).to(a.dtype()).mul(offDiagonal.to(a.dtype()));
        Tensor cond = alpha.gt(0.0).mul(beta.lt(0.0)).to(a.dtype()).mul(valid);
        int pick;
        if (cond.amax().item() > 0) pick = alpha.mul(beta).neg().mul(cond).reshape(d * d).argmax(0).toIntArray()[0];
        else pick = alpha.sub(beta).add(valid.sub(1.0).mul(1e30)).reshape(d * d).argmax(0).toIntArray()[0];
        return new int[] {pick / d, pick % d};
    }

    static int[] chosen(Tensor mask, int row) {
        float[] m = mask.slice(0, row, row + 1).contiguous().to(DType.FLOAT32).toFloatArray();
        int[] pq = new int[2];
        int k = 0;
        for (int i = 0; i < m.length; i++) if (m[i] != 0) {
            assertTrue(k < 2, "more than two features chosen in row " + row);
            pq[k++] = i;
        }
        assertEquals(2, k, "row " + row + " must choose exactly two features");
        return pq;
    }

    @Test
    void picksTheSamePairAsTheSaliencyMap() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Generator g = new Generator(11);
            int n = 6, d = 37;
            Tensor a = Tensor.randn(g, dt, n, d), b = Tensor.randn(g, dt, n, d);
            Tensor domain = Tensor.rand(g, DType.FLOAT32, n, d).gt(0.3).to(DType.FLOAT32);
            // row 5: every alpha negative, so no pair qualifies and the fallback (largest alpha - beta) decides
            a = Tensor.where(Tensor.of(new double[] {0, 0, 0, 0, 0, 1}, n, 1).gt(0.5), a.abs().neg().sub(0.01), a);
            Tensor mask = Jsma.bestPairs(a, b, domain);
            for (int r = 0; r < n; r++) {
                int[] want = reference(a, b, domain, r);
                assertArrayEquals(want, chosen(mask, r), dt + " row " + r);
            }
        }
    }

    /** Ties go to the first pair in row-major order, as the map's argmax does. */
    @Test
    void tiesGoToTheFirstPair() {
        Tensor a = Tensor.of(new float[] {1, 1, 1, 1}, 1, 4), b = Tensor.of(new float[] {-1, -1, -1, -1}, 1, 4);
        Tensor domain = Tensor.of(new float[] {0, 1, 1, 1}, 1, 4);
        assertArrayEquals(new int[] {1, 2}, chosen(Jsma.bestPairs(a, b, domain), 0));
        assertArrayEquals(reference(a, b, domain, 0), new int[] {1, 2});
    }
}
