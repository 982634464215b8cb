package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.cpu.FloatPathsTest.Conv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.B;
import static dev.brink.engine.backend.cpu.CpuTestSupport.Layout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The direct weight gradient of first layers ({@link DirectConv}, forced with {@link ConvPath.Mode#DIRECT})
 * against the reference (double) kernels within the dot product's rounding bound, on geometries whose rows leave
 * every kind of tail of the vector lanes (narrower than a vector, exact multiples, a partial last vector), padding
 * from 0 to k - 1 on either axis, kernels wider than the register block's three taps, output channels not a
 * multiple of its four; the same bits for any thread count; non-finite inputs; and the rule. It needs the Vector
 * API: without it the tests are skipped, saying so.
 */
class DirectConvTest {
    private final ForcedConvPath forced = new ForcedConvPath();

    @AfterEach
    void restore() {
        forced.restore();
    }

    private static void assumeKernels() {
        assumeTrue(DirectConv.get() != null, "the direct weight gradient needs the Vector API (jdk.incubator.vector) and brink.simd on");
    }

    @Test
    void randomGeometriesMatchTheReference() {
        assumeKernels();
        forced.mode(ConvPath.Mode.DIRECT);
        SplittableRandom rng = new SplittableRandom(101);
        int tested = 0;
        for (int trial = 0; tested < 60; trial++) {
            int k = 1 + rng.nextInt(7), kw = rng.nextBoolean() ? k : 1 + rng.nextInt(7);
            ConvGeometry g = new ConvGeometry(1, 1, rng.nextInt(k), rng.nextInt(kw), 1, 1, 1);
            Conv p = new Conv(1 + rng.nextInt(3), 1 + rng.nextInt(DirectConv.MAX_CHANNELS), 1 + rng.nextInt(12), 1 + rng.nextInt(40),
                    1 + rng.nextInt(11), k, kw, g);
            if (p.ho() < 1 || p.wo() < 1) continue;
            assertTrue(ConvPath.directWeightGrad(p.dims()), p.toString());
            Layout lx = Layout.values()[trial % 3], lw = Layout.values()[(trial / 3) % 3];
            FloatPathsTest.checkConv(rng, p, lx, lw, Layout.CONTIGUOUS, 1, "direct " + p);
            tested++;
        }
    }

    @Test
    void zooFirstLayersThreaded() {
        assumeKernels();
        forced.mode(ConvPath.Mode.AUTO);
        CpuParallel.setThreads(3);
        SplittableRandom rng = new SplittableRandom(102);
        Conv[] cases = {
                new Conv(3, 1, 28, 28, 32, 5, 5, ConvGeometry.of(1, 2)),   // Madry et al.'s first layer
                new Conv(2, 3, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)),   // the VGG / ResNet / WideResNet stem
                new Conv(2, 3, 16, 16, 6, 3, 3, ConvGeometry.of(1, 1)),    // exactly one vector per row on 16 lanes
                new Conv(2, 2, 11, 37, 5, 5, 3, new ConvGeometry(1, 1, 4, 0, 1, 1, 1)), // uneven kernel, padding k-1 and 0
        };
        for (Conv p : cases) {
            assertTrue(ConvPath.directWeightGrad(p.dims()), "the rule takes " + p);
            FloatPathsTest.checkConv(rng, p, Layout.CONTIGUOUS, Layout.CONTIGUOUS, Layout.CONTIGUOUS, 1, "direct " + p);
        }
    }

    /** Threads split output channels (and the padded copy images), never a sum. */
    @Test
    void sameBitsForAnyThreadCount() {
        assumeKernels();
        forced.mode(ConvPath.Mode.DIRECT);
        Conv p = new Conv(5, 3, 13, 21, 10, 5, 5, ConvGeometry.of(1, 2));
        double[][] one = passes(p, 1);
        for (int threads : new int[] {2, 3, 20}) {
            double[][] many = passes(p, threads);
            for (int k = 0; k < one.length; k++) FloatPathsTest.assertSameBits(one[k], many[k], threads + " threads, pass " + k);
        }
    }

    /**
     * Lanes past the end of a row read real pixels times a zero gradient, exact only for finite pixels: with an
     * infinite pixel that no valid output position reaches with a given tap, that tap's weight gradient stays
     * finite, as in the reference (the direct kernel declines such inputs, another path computes them).
     */
    @Test
    void anInfinitePixelReachesOnlyItsOwnTaps() {
        assumeKernels();
        forced.mode(ConvPath.Mode.DIRECT);
        Conv p = new Conv(1, 1, 4, 5, 2, 3, 3, ConvGeometry.of(1, 0)); // wo = 3: lanes 3.. of every row are past it
        float[] xs = new float[4 * 5];
        for (int i = 0; i < xs.length; i++) xs[i] = 0.25f * (i % 7);
        xs[4] = Float.POSITIVE_INFINITY; // column 4 of row 0: only tap j = 2 reaches it from a valid position (ox = 2)
        Tensor x = Tensor.of(xs, p.x());
        float[] gs = new float[2 * 2 * 3];
        java.util.Arrays.fill(gs, 1f);
        Tensor gy = Tensor.of(gs, p.y());
        Tensor dw = FloatPathsTest.empty(DType.FLOAT32, p.wt());
        FloatConv.conv2dWeightGrad(x, gy, p.g(), dw);
        float[] got = dw.toFloatArray();
        for (int o = 0; o < 2; o++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) {
                    float v = got[(o * 3 + i) * 3 + j];
                    if (i == 0 && j == 2) assertEquals(Float.POSITIVE_INFINITY, v, "tap (0, 2) reaches the infinite pixel");
                    else assertTrue(Float.isFinite(v), "tap (" + i + ", " + j + ") never reaches it: " + v);
                }
    }

    @Test
    void ruleTakesFewChannelStrideOneLayersOnLargeMapsOnly() {
        assumeKernels();
        forced.mode(ConvPath.Mode.AUTO);
        assertTrue(ConvPath.directWeightGrad(new Conv(128, 1, 28, 28, 32, 5, 5, ConvGeometry.of(1, 2)).dims()), "Madry conv1");
        assertTrue(ConvPath.directWeightGrad(new Conv(32, 3, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)).dims()), "stem");
        assertFalse(ConvPath.directWeightGrad(new Conv(128, 32, 14, 14, 64, 5, 5, ConvGeometry.of(1, 2)).dims()), "Madry conv2");
        assertFalse(ConvPath.directWeightGrad(new Conv(128, 3, 32, 32, 32, 8, 8, ConvGeometry.of(2, 3)).dims()), "Galloway conv1: stride 2");
        assertFalse(ConvPath.directWeightGrad(new Conv(8, 3, 6, 6, 8, 3, 3, ConvGeometry.of(1, 1)).dims()), "6x6 map");
        assertFalse(ConvPath.directWeightGrad(new Conv(8, 1, 28, 28, 8, 3, 3, new ConvGeometry(1, 1, 1, 1, 2, 2, 1)).dims()), "dilated");
        assertFalse(ConvPath.directWeightGrad(new Conv(8, 1, 28, 28, 8, 3, 3, ConvGeometry.of(1, 3)).dims()), "padding 3 > k - 1");
        forced.mode(ConvPath.Mode.LOWERED);
        assertFalse(ConvPath.directWeightGrad(new Conv(128, 1, 28, 28, 32, 5, 5, ConvGeometry.of(1, 2)).dims()), "forced lowering");
    }

    private static double[][] passes(Conv p, int threads) {
        CpuParallel.setThreads(threads);
        SplittableRandom rng = new SplittableRandom(103);
        Tensor x = FloatPathsTest.floats(rng, Layout.CONTIGUOUS, p.x());
        Tensor gy = FloatPathsTest.floats(rng, Layout.CONTIGUOUS, p.y());
        Tensor dw = FloatPathsTest.empty(DType.FLOAT32, p.wt());
        FloatConv.conv2dWeightGrad(x, gy, p.g(), dw);
        return new double[][] {B.readDoubles(dw)};
    }
}
