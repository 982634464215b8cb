package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.cpu.FloatPathsTest.Conv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.B;
import static dev.brink.engine.backend.cpu.CpuTestSupport.Layout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution paths ({@link WinogradConv}, forced with
 * {@link ConvPath.Mode#WINOGRAD} and {@link ConvPath#useTile}) against the reference (double) kernels, the same
 * bits for any thread count, and the rules that pick them.
 *
 * <p>Winograd's result is not a plain dot product: its transforms combine the inputs and kernels before the
 * multiplies, so its rounding error is bounded by a multiple of the dot product's bound
 * ({@code 2 (k + 2) 2^-24 * |x|*|w|}). {@link #BOUND_FACTOR} is that multiple: measured on these cases, F(2x2)'s
 * random geometries stayed within the plain bound (factor 1) and its 2x2-map weight gradient needed between 2 and 4
 * (its tiles are mostly padding, so the transforms add terms that cancel). F(4x4)'s larger coefficients (up to 8
 * and 1/24) need between 4 and 8 on small maps (an input gradient on 4x4 without padding failed at 4), the same 8
 * as the F(2x2) bound. A kernel-gradient coefficient off by 0.1%, or one output of F(4x4)'s kernel or gradient
 * transform off by 0.1%, fails the test.
 */
class WinogradConvTest {
    private static final double BOUND_FACTOR = 8;

    private final ForcedConvPath forced = new ForcedConvPath();

    @AfterEach
    void restore() {
        forced.restore();
    }

    private boolean setUp(String kernel, int tile) {
        forced.tile(tile);
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
    @CsvSource({"simd, 2", "simd, 4", "scalar, 2", "scalar, 4"})
    void randomGeometries(String kernel, int tile) {
        assumeTrue(setUp(kernel, tile), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(91);
        for (int trial = 0; trial < 50; trial++) {
            Conv p = randomConv(rng);
            assertTrue(WinogradConv.supports(p.dims()), p.toString());
            Layout lx = Layout.values()[trial % 3], lw = Layout.values()[(trial / 3) % 3];
            Layout lo = trial % 5 == 0 ? Layout.REVERSED_AXES : Layout.CONTIGUOUS;
            FloatPathsTest.checkConv(rng, p, lx, lw, lo, BOUND_FACTOR, kernel + " F" + tile + " " + p);
        }
    }

    @ParameterizedTest
    @CsvSource({"simd, 2", "simd, 4", "scalar, 2", "scalar, 4"})
    void zooShapesThreaded(String kernel, int tile) {
        assumeTrue(setUp(kernel, tile), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(92);
        CpuParallel.setThreads(3);
        Conv[] cases = {
                new Conv(2, 64, 8, 8, 64, 3, 3, ConvGeometry.of(1, 1)),     // VGG/ResNet, reduced map
                new Conv(3, 64, 4, 4, 80, 3, 3, ConvGeometry.of(1, 1)),     // a 4x4 stage: one F(4x4) tile per image
                new Conv(2, 16, 10, 11, 24, 3, 3, ConvGeometry.of(1, 1)),   // partial F(4x4) tiles both ways
                new Conv(3, 32, 7, 5, 48, 3, 3, ConvGeometry.of(1, 1)),     // odd map: clipped last tiles
                new Conv(2, 17, 6, 6, 33, 3, 3, ConvGeometry.of(1, 2)),     // padding 2 (its input gradient has none)
                new Conv(2, 24, 9, 9, 20, 3, 3, ConvGeometry.of(1, 0)),     // no padding (its input gradient has 2)
                new Conv(4, 128, 2, 2, 96, 3, 3, ConvGeometry.of(1, 1)),    // VGG-16's 2x2 stage: one tile per image
                new Conv(3, 40, 1, 1, 16, 3, 3, ConvGeometry.of(1, 1)),     // 1x1 map
        };
        for (Conv p : cases)
            FloatPathsTest.checkConv(rng, p, Layout.CONTIGUOUS, Layout.CONTIGUOUS, Layout.CONTIGUOUS, BOUND_FACTOR, kernel + " F" + tile + " " + p);
    }

    /** Threads split planes and points (and points' columns beyond 16 threads), never a sum. */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void sameBitsForAnyThreadCount(int tile) {
        forced.mode(ConvPath.Mode.WINOGRAD);
        forced.tile(tile);
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

    /** The Vector API transforms give the scalar loops' bits, on runs with a vector part and a tail, strided. */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void simdTransformsMatchScalarBits(int tile) {
        WinogradTransforms simd = VectorSupport.loadSimdWinograd(tile), scalar = WinogradTransforms.select(tile, false);
        assumeTrue(simd != null, "Vector API module not present");
        assertTrue(simd.m() == tile && scalar.m() == tile && simd != scalar, "F(" + tile + ", 3) both ways");
        SplittableRandom rng = new SplittableRandom(94);
        int al = tile + 2;
        for (int n : new int[] {1, 7, 16, 37, 100}) {
            int ss = n + 3, ps = n + 5; // strides longer than the runs: the gaps must stay untouched
            float[] src = new float[al * ss];
            for (int i = 0; i < src.length; i++) src[i] = (float) rng.nextDouble(-1, 1) * (i % 7 == 0 ? 1e30f : 1f);
            float[] a = new float[al * ps + 1], b = new float[al * ps + 1];
            simd.input(src, 0, ss, a, 1, ps, n);
            scalar.input(src, 0, ss, b, 1, ps, n);
            assertArrayEquals(b, a, "input, n = " + n);
            simd.output(src, 0, ss, a, 1, ps, n);
            scalar.output(src, 0, ss, b, 1, ps, n);
            assertArrayEquals(b, a, "output, n = " + n);
            simd.gradient(src, 0, ss, a, 1, ps, n);
            scalar.gradient(src, 0, ss, b, 1, ps, n);
            assertArrayEquals(b, a, "gradient, n = " + n);
            simd.kernel(src, 0, ss, a, 1, ps, n);
            scalar.kernel(src, 0, ss, b, 1, ps, n);
            assertArrayEquals(b, a, "kernel, n = " + n);
        }
    }

    /**
     * Each algorithm's one-dimensional transforms in exact arithmetic: {@code A^T [(G g) ⊙ (B^T d)]} is the
     * correlation of d with g (checked in float on small integers and powers of two, where every step is exact),
     * and {@link WinogradTransforms#gradient} and {@link WinogradTransforms#kernelGradient} are the adjoints of
     * {@link WinogradTransforms#output} and {@link WinogradTransforms#kernel}.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void transformsComputeTheCorrelationAndTheirAdjoints(int tile) {
        WinogradTransforms tr = WinogradTransforms.select(tile, false);
        int al = tile + 2;
        SplittableRandom rng = new SplittableRandom(95);
        for (int trial = 0; trial < 20; trial++) {
            float[] d = new float[al], g = new float[3];
            for (int i = 0; i < al; i++) d[i] = rng.nextInt(-8, 9);
            for (int i = 0; i < 3; i++) g[i] = 24 * rng.nextInt(-8, 9); // multiples of 24: G's sixths stay exact
            float[] v = new float[al], u = new float[al], y = new float[tile];
            tr.input(d, 0, 1, v, 0, 1, 1);
            tr.kernel(g, 0, 1, u, 0, 1, 1);
            for (int i = 0; i < al; i++) v[i] *= u[i];
            tr.output(v, 0, 1, y, 0, 1, 1);
            for (int i = 0; i < tile; i++)
                assertEquals(d[i] * g[0] + d[i + 1] * g[1] + d[i + 2] * g[2], y[i], 1e-3, "F(" + tile + ", 3) output " + i);
        }
        // adjoints: <A z, m> = <z, A^T m> and, in 2-D, <G^T W G, g> = <W, G g G^T>
        for (int trial = 0; trial < 20; trial++) {
            float[] z = new float[tile], m = new float[al], az = new float[al], atm = new float[tile];
            for (int i = 0; i < tile; i++) z[i] = rng.nextInt(-8, 9);
            for (int i = 0; i < al; i++) m[i] = rng.nextInt(-8, 9);
            tr.gradient(z, 0, 1, az, 0, 1, 1);
            tr.output(m, 0, 1, atm, 0, 1, 1);
            double left = 0, right = 0;
            for (int i = 0; i < al; i++) left += az[i] * m[i];
            for (int i = 0; i < tile; i++) right += z[i] * atm[i];
            assertEquals(right, left, 1e-9, "gradient is the adjoint of output");
            float[] wp = new float[al * al], g = new float[9], gk = new float[9], ugg = new float[al * al], st = new float[3 * al];
            for (int i = 0; i < wp.length; i++) wp[i] = rng.nextInt(-8, 9);
            for (int i = 0; i < 9; i++) g[i] = 24 * rng.nextInt(-8, 9);
            tr.kernelGradient(wp, st, gk, 0);
            // G g G^T: over the rows of g (taps j, 3 + j, 6 + j), then over the columns
            float[] rows = new float[3 * al];
            for (int j = 0; j < 3; j++) tr.kernel(g, j, 3, rows, j, 3, 1);
            for (int i = 0; i < al; i++) tr.kernel(rows, 3 * i, 1, ugg, al * i, 1, 1);
            left = 0;
            right = 0;
            for (int i = 0; i < 9; i++) left += (double) gk[i] * g[i];
            for (int i = 0; i < al * al; i++) right += (double) wp[i] * ugg[i];
            assertEquals(right, left, 1e-6 * (1 + Math.abs(right)), "kernelGradient is the adjoint of the kernel transform");
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

    @Test
    void tileRuleTakesFourByFourTilesOnManyOutputs() {
        forced.tile(0);
        assertEquals(4, ConvPath.winogradTile(new Conv(32, 64, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)).dims()), "32x32, batch 32");
        assertEquals(4, ConvPath.winogradTile(new Conv(32, 128, 16, 16, 128, 3, 3, ConvGeometry.of(1, 1)).dims()), "16x16, batch 32");
        assertEquals(4, ConvPath.winogradTile(new Conv(32, 256, 8, 8, 256, 3, 3, ConvGeometry.of(1, 1)).dims()), "8x8, batch 32: 2048 positions");
        assertEquals(2, ConvPath.winogradTile(new Conv(16, 256, 8, 8, 256, 3, 3, ConvGeometry.of(1, 1)).dims()), "8x8, batch 16: 1024 positions");
        assertEquals(4, ConvPath.winogradTile(new Conv(128, 256, 8, 8, 256, 3, 3, ConvGeometry.of(1, 1)).dims()), "8x8, batch 128");
        assertEquals(2, ConvPath.winogradTile(new Conv(256, 512, 2, 2, 512, 3, 3, ConvGeometry.of(1, 1)).dims()), "2x2: F(4x4) takes more multiplies");
        assertEquals(2, ConvPath.winogradTile(new Conv(256, 512, 6, 6, 512, 3, 3, ConvGeometry.of(1, 1)).dims()), "6x6: a tie");
        forced.tile(2);
        assertEquals(2, ConvPath.winogradTile(new Conv(32, 64, 32, 32, 64, 3, 3, ConvGeometry.of(1, 1)).dims()), "forced");
        assertThrows(IllegalArgumentException.class, () -> ConvPath.useTile(3));
    }
}
