package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.cpu.FloatPathsTest.Conv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.B;
import static dev.brink.engine.backend.cpu.CpuTestSupport.Layout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Winograd F(2x2, 3x3) convolution paths ({@link WinogradConv}, forced with {@link ConvPath.Mode#WINOGRAD})
 * against the reference (double) kernels, the same bits for any thread count, and the rule that picks them.
 *
 * <p>Winograd's result is not a plain dot product: its transforms add and halve the inputs and kernels before
 * the multiplies, so its rounding error is bounded by a small multiple of the dot product's bound
 * ({@code 2 (k + 2) 2^-24 * |x|*|w|}). {@link #BOUND_FACTOR} is that multiple: measured on these cases, the random
 * geometries stayed within the plain bound (factor 1) and the 2x2-map weight gradient needed between 2 and 4 (its
 * tiles are mostly padding, so the transforms add terms that cancel); a kernel-gradient coefficient off by 0.1%
 * fails the test.
 */
class WinogradConvTest {
    private static final double BOUND_FACTOR = 8;

    private final ForcedConvPath forced = new ForcedConvPath();

    @AfterEach
    void restore() {
        forced.restore();
    }

    private boolean setUp(String kernel) {
        return forced.use(kernel, ConvPath.Mode.WINOGRAD);
    }

    /** A 3x3 stride-1 problem with padding 0-2, odd and even maps (partial last tiles), 1x1 maps included. */
    private static Conv randomConv(SplittableRandom rng) {
        while (true) {
            int pad = rng.nextInt(3);
            Conv c = new Conv(1 + rng.nextInt(4), 1 + rng.nextInt(20), 1 + rng.nextInt(11), 1 + rng.nextInt(11),
                    1 + rng.nextInt(40), 3, 3, ConvGeometry.of(1, pad));
            if (c.ho() >= 1 && c.wo() >= 1) return c;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void randomGeometries(String kernel) {
        assumeTrue(setUp(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(91);
        for (int trial = 0; trial < 50; trial++) {
            Conv p = randomConv(rng);
            assertTrue(WinogradConv.supports(p.dims()), p.toString());
            Layout lx = Layout.values()[trial % 3], lw = Layout.values()[(trial / 3) % 3];
            Layout lo = trial % 5 == 0 ? Layout.REVERSED_AXES : Layout.CONTIGUOUS;
            FloatPathsTest.checkConv(rng, p, lx, lw, lo, BOUND_FACTOR, kernel + " " + p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void zooShapesThreaded(String kernel) {
        assumeTrue(setUp(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(92);
        CpuParallel.setThreads(3);
        Conv[] cases = {
                new Conv(2, 64, 8, 8, 64, 3, 3, ConvGeometry.of(1, 1)),     // VGG/ResNet, reduced map
                new Conv(3, 32, 7, 5, 48, 3, 3, ConvGeometry.of(1, 1)),     // odd map: clipped last tiles
                new Conv(2, 17, 6, 6, 33, 3, 3, ConvGeometry.of(1, 2)),     // padding 2 (its input gradient has none)
                new Conv(2, 24, 9, 9, 20, 3, 3, ConvGeometry.of(1, 0)),     // no padding (its input gradient has 2)
                new Conv(4, 128, 2, 2, 96, 3, 3, ConvGeometry.of(1, 1)),    // VGG-16's 2x2 stage: one tile per image
                new Conv(3, 40, 1, 1, 16, 3, 3, ConvGeometry.of(1, 1)),     // 1x1 map
        };
        for (Conv p : cases) FloatPathsTest.checkConv(rng, p, Layout.CONTIGUOUS, Layout.CONTIGUOUS, Layout.CONTIGUOUS, BOUND_FACTOR, kernel + " " + p);
    }

    /** Threads split planes and points (and points' columns beyond 16 threads), never a sum. */
    @Test
    void sameBitsForAnyThreadCount() {
        forced.mode(ConvPath.Mode.WINOGRAD);
        Conv p = new Conv(3, 48, 10, 9, 40, 3, 3, ConvGeometry.of(1, 1));
        double[][] one = passes(p, 1);
        for (int threads : new int[] {2, 3, 20}) {
            double[][] many = passes(p, threads);
            for (int k = 0; k < one.length; k++) FloatPathsTest.assertSameBits(one[k], many[k], threads + " threads, pass " + k);
        }
    }

    private static double[][] passes(Conv p, int threads) {
        CpuParallel.setThreads(threads);
        SplittableRandom rng = new SplittableRandom(93);
        Tensor x = FloatPathsTest.floats(rng, Layout.CONTIGUOUS, p.x()), w = FloatPathsTest.floats(rng, Layout.CONTIGUOUS, p.wt());
        Tensor gy = FloatPathsTest.floats(rng, Layout.CONTIGUOUS, p.y());
        Tensor y = FloatPathsTest.empty(DType.FLOAT32, p.y()), dx = FloatPathsTest.empty(DType.FLOAT32, p.x());
        Tensor dw = FloatPathsTest.empty(DType.FLOAT32, p.wt());
        FloatConv.conv2d(x, w, p.g(), y);
        FloatConv.conv2dInputGrad(gy, w, p.g(), dx);
        FloatConv.conv2dWeightGrad(x, gy, p.g(), dw);
        return new double[][] {B.readDoubles(y), B.readDoubles(dx), B.readDoubles(dw)};
    }

    /** The Vector API transforms give the scalar loops' bits, on runs with a vector part and a tail. */
    @Test
    void simdTransformsMatchScalarBits() {
        WinogradTransforms simd = VectorSupport.loadSimdWinograd(), scalar = new WinogradTransforms();
        assumeTrue(simd != null, "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(94);
        for (int n : new int[] {1, 7, 16, 37, 100}) {
            float[] src = new float[4 * n];
            for (int i = 0; i < src.length; i++) src[i] = (float) rng.nextDouble(-1, 1) * (i % 7 == 0 ? 1e30f : 1f);
            float[] a = new float[4 * n], b = new float[4 * n];
            simd.input(src, 0, n, 2 * n, 3 * n, a, 0, n, 2 * n, 3 * n, n);
            scalar.input(src, 0, n, 2 * n, 3 * n, b, 0, n, 2 * n, 3 * n, n);
            assertArrayEquals(b, a, "input, n = " + n);
            simd.output(src, 0, n, 2 * n, 3 * n, a, 0, n, n);
            scalar.output(src, 0, n, 2 * n, 3 * n, b, 0, n, n);
            assertArrayEquals(b, a, "output, n = " + n);
            simd.gradient(src, 0, n, a, 0, n, 2 * n, 3 * n, n);
            scalar.gradient(src, 0, n, b, 0, n, 2 * n, 3 * n, n);
            assertArrayEquals(b, a, "gradient, n = " + n);
            simd.kernel(src, 0, n, 2 * n, a, 0, n, 2 * n, 3 * n, n);
            scalar.kernel(src, 0, n, 2 * n, b, 0, n, 2 * n, 3 * n, n);
            assertArrayEquals(b, a, "kernel, n = " + n);
        }
    }

    @Test
    void ruleTakesWideThreeByThreeLayersOnLargeMapsOnly() {
        forced.mode(ConvPath.Mode.AUTO);
        assertTrue(ConvPath.winograd(new Conv(32, 64, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)).dims()), "VGG/ResNet 3x3");
        assertTrue(ConvPath.winograd(new Conv(32, 256, 8, 8, 256, 3, 3, ConvGeometry.of(1, 1)).dims()), "8x8 stage");
        assertFalse(ConvPath.winograd(new Conv(32, 512, 4, 4, 512, 3, 3, ConvGeometry.of(1, 1)).dims()), "4x4 stage");
        assertFalse(ConvPath.implicitWeightGrad(new Conv(32, 512, 4, 4, 512, 3, 3, ConvGeometry.of(1, 1)).dims()),
                "4x4 stage, 512 channels: the weight gradient is lowered");
        assertFalse(ConvPath.implicitWeightGrad(new Conv(32, 256, 8, 8, 512, 3, 3, ConvGeometry.of(2, 1)).dims()),
                "stride 2 onto 4x4, 512 channels: lowered");
        assertTrue(ConvPath.implicitWeightGrad(new Conv(128, 64, 6, 6, 64, 5, 5, ConvGeometry.of(1, 0)).dims()),
                "Galloway et al.'s 5x5 layer on a 2x2 output, 64 channels: implicit");
        assertTrue(ConvPath.implicitWeightGrad(new Conv(128, 32, 14, 14, 64, 5, 5, ConvGeometry.of(1, 2)).dims()),
                "Madry et al.'s 14x14 layer: implicit");
        assertFalse(ConvPath.winograd(new Conv(32, 512, 2, 2, 512, 3, 3, ConvGeometry.of(1, 1)).dims()), "2x2 stage");
        assertFalse(ConvPath.winograd(new Conv(32, 3, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)).dims()), "three-channel stem");
        assertFalse(ConvPath.winograd(new Conv(32, 64, 32, 32, 128, 3, 3, ConvGeometry.of(2, 1)).dims()), "stride 2");
        assertFalse(ConvPath.winograd(new Conv(32, 32, 14, 14, 64, 5, 5, ConvGeometry.of(1, 2)).dims()), "5x5");
        assertFalse(ConvPath.winograd(new Conv(2, 32, 9, 9, 32, 3, 3, new ConvGeometry(1, 1, 2, 2, 2, 2, 1)).dims()), "dilated");
        assertFalse(ConvPath.winograd(new Conv(2, 32, 9, 9, 32, 3, 3, ConvGeometry.of(1, 3)).dims()), "padding 3");
        forced.mode(ConvPath.Mode.LOWERED);
        assertFalse(ConvPath.winograd(new Conv(32, 64, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)).dims()), "forced lowering");
    }
}
