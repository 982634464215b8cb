package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.PoolGeometry;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuPoolTest {

    @Test
    void maxPoolIndicesMatchNaiveScanWithPaddingStrideDilation() {
        SplittableRandom rng = new SplittableRandom(41);
        for (int trial = 0; trial < 80; trial++) {
            int kh = 1 + rng.nextInt(3), kw = 1 + rng.nextInt(3);
            PoolGeometry g = new PoolGeometry(kh, kw, 1 + rng.nextInt(3), 1 + rng.nextInt(3), rng.nextInt(kh / 2 + 1), rng.nextInt(kw / 2 + 1),
                    1 + rng.nextInt(2), 1 + rng.nextInt(2));
            int n = 1 + rng.nextInt(2), c = 1 + rng.nextInt(3), h = 1 + rng.nextInt(8), w = 1 + rng.nextInt(8);
            int ho = g.outH(h), wo = g.outW(w);
            if (ho < 1 || wo < 1) continue;
            DType dt = DType.values()[trial % 3];
            View x = view(rng, dt, Layout.values()[(trial / 3) % 3], n, c, h, w);
            Tensor out = Tensor.empty(B, DType.INT32, n, c, ho, wo);
            B.maxPool2dIndices(x.t(), g, out);
            int[] got = B.readInts(out);
            for (int q = 0; q < got.length; q++) {
                int[] idx = unravel(q, new int[]{n, c, ho, wo});
                int plane = (idx[0] * c + idx[1]) * h * w;
                int best = -1;
                double bv = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        int iy = idx[2] * g.strideH() - g.padH() + i * g.dilationH();
                        int ix = idx[3] * g.strideW() - g.padW() + j * g.dilationW();
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                        double v = x.values()[plane + iy * w + ix];
                        if (best < 0 || v > bv) { best = iy * w + ix; bv = v; }
                    }
                assertEquals(best, got[q], "trial " + trial + " at " + q + " " + g);
            }
        }
    }

    @Test
    void paddingNeverWinsAndTiesTakeTheFirst() {
        // 2x2 plane of negative values, 3x3 window with padding 1: padded zeros must not be chosen.
        Tensor x = tensor(new double[]{-5, -3, -3, -4}, 1, 1, 2, 2);
        Tensor out = Tensor.empty(B, DType.INT32, 1, 1, 2, 2);
        B.maxPool2dIndices(x, PoolGeometry.of(3, 1, 1), out);
        assertArrayEquals(new int[]{1, 1, 1, 1}, B.readInts(out));
        Tensor inf = tensor(new double[]{Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 1, 1, 2, 2);
        B.maxPool2dIndices(inf, PoolGeometry.of(3, 1, 1), out);
        assertArrayEquals(new int[]{0, 0, 0, 0}, B.readInts(out));
    }
}
