package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.cpu.FloatPathsTest.Conv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.Layout;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The implicit-GEMM convolution paths ({@link ImplicitConv}, forced with {@link ConvPath#use}) against the
 * reference (double) kernels within the float error bound of their dot products, on random geometries (strides,
 * padding, dilation; grouped problems fall back to lowering), the zoo's first layers, and threaded splits.
 */
class ImplicitConvTest {
    private final ForcedConvPath forced = new ForcedConvPath();

    @AfterEach
    void restore() {
        forced.restore();
    }

    private boolean setUp(String kernel) {
        return forced.use(kernel, ConvPath.Mode.IMPLICIT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void randomGeometries(String kernel) {
        assumeTrue(setUp(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(71);
        for (int trial = 0; trial < 60; trial++) {
            Conv p = FloatPathsTest.randomConv(rng);
            Layout lx = Layout.values()[trial % 3], lw = Layout.values()[(trial / 3) % 3];
            Layout lo = trial % 5 == 0 ? Layout.REVERSED_AXES : Layout.CONTIGUOUS;
            FloatPathsTest.checkConv(rng, p, lx, lw, lo, kernel + " " + p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void zooFirstLayersThreaded(String kernel) {
        assumeTrue(setUp(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(72);
        CpuParallel.setThreads(3);
        Conv[] cases = {
                new Conv(3, 1, 28, 28, 32, 5, 5, ConvGeometry.of(1, 2)),   // Madry et al. conv1
                new Conv(3, 3, 32, 32, 32, 8, 8, ConvGeometry.of(2, 3)),   // Galloway et al. conv1
                new Conv(5, 32, 16, 16, 64, 6, 6, ConvGeometry.of(2, 0)),  // Galloway et al. conv2
                new Conv(5, 64, 6, 6, 40, 5, 5, ConvGeometry.of(1, 0)),    // conv3 shape, 40 channels: a partial panel
                new Conv(2, 3, 32, 32, 16, 3, 3, ConvGeometry.of(1, 1)),   // VGG/ResNet stem, narrow
                // small maps, one chunk of images: the forward pass splits over blocks of output channels
                new Conv(2, 64, 4, 4, 80, 3, 3, ConvGeometry.of(1, 1)),    // 3 blocks of 32, the last partial
                new Conv(3, 128, 2, 2, 200, 3, 3, ConvGeometry.of(1, 1)),  // 7 blocks over 3 threads
                // 128 and 256 output (and input-gradient) channels: several pairs of column tiles for the wide gathering tile
                new Conv(2, 16, 4, 4, 128, 3, 3, ConvGeometry.of(1, 1)),
                new Conv(2, 256, 3, 3, 24, 3, 3, ConvGeometry.of(1, 1)),
                new Conv(2, 8, 7, 7, 256, 3, 3, ConvGeometry.of(2, 1)),
        };
        for (Conv p : cases) FloatPathsTest.checkConv(rng, p, Layout.CONTIGUOUS, Layout.CONTIGUOUS, Layout.CONTIGUOUS, kernel + " " + p);
    }

    /**
     * The forward pass that skips the padding's taps ({@link ImplicitConv#skipsPadding}), the stride-1 input
     * gradient that runs through it with the flipped kernel, and the weight gradient that skips them
     * ({@link ImplicitConv#skipsPaddingInWeightGrad}): small maps, strides, dilation, one-sided and oversized
     * padding (output positions that see only padding, taps that never see the image), on one and three threads.
     * Each case is checked to take the forward path, in its forward pass or its input gradient's, and most of them
     * the weight-gradient path.
     */
    @ParameterizedTest
    @ValueSource(strings = {"simd", "scalar"})
    void paddingSkippedOnSmallMaps(String kernel) {
        assumeTrue(setUp(kernel), "Vector API module not present");
        SplittableRandom rng = new SplittableRandom(73);
        Conv[] cases = {
                new Conv(2, 16, 4, 4, 80, 3, 3, ConvGeometry.of(1, 1)),    // VGG-16's 4x4 layers, narrow
                new Conv(3, 32, 2, 2, 40, 3, 3, ConvGeometry.of(1, 1)),    // its 2x2 layers: every position a corner
                new Conv(2, 20, 1, 1, 24, 3, 3, ConvGeometry.of(1, 1)),    // one position, the centre tap only
                new Conv(2, 16, 3, 3, 17, 3, 3, ConvGeometry.of(1, 3)),    // 7x7 output, its border sees only padding
                new Conv(2, 16, 7, 7, 32, 3, 3, ConvGeometry.of(2, 1)),    // ResNet-18's stride-2 shape, small
                new Conv(2, 24, 4, 5, 64, 3, 3, new ConvGeometry(1, 1, 2, 2, 2, 2, 1)), // dilation 2
                new Conv(2, 16, 3, 6, 48, 3, 2, new ConvGeometry(1, 2, 1, 0, 1, 1, 1)), // padding along one axis only
                new Conv(3, 17, 5, 5, 20, 5, 5, ConvGeometry.of(1, 2)),    // Madry et al.'s 5x5, on a 5x5 map
        };
        int weightGrads = 0;
        for (Conv p : cases) if (ImplicitConv.skipsPaddingInWeightGrad(p.dims())) weightGrads++;
        assertTrue(weightGrads >= 6, weightGrads + " of the cases take the weight gradient that skips the padding");
        for (int threads : new int[] {1, 3}) {
            CpuParallel.setThreads(threads);
            for (Conv p : cases) {
                int padH = p.g().dilationH() * (p.kh() - 1) - p.g().padH(), padW = p.g().dilationW() * (p.kw() - 1) - p.g().padW();
                boolean stride1 = p.g().strideH() == 1 && p.g().strideW() == 1;
                ImplicitConv.Dims t = new ImplicitConv.Dims(p.n(), p.o(), p.ho(), p.wo(), p.c(), p.kh(), p.kw(), p.h(), p.w(),
                        new ConvGeometry(1, 1, Math.max(0, padH), Math.max(0, padW), p.g().dilationH(), p.g().dilationW(), 1));
                assertTrue(ImplicitConv.skipsPadding(p.dims()) || stride1 && padH >= 0 && padW >= 0 && ImplicitConv.skipsPadding(t),
                        "the case skips no padding: " + p);
                FloatPathsTest.checkConv(rng, p, Layout.CONTIGUOUS, Layout.CONTIGUOUS, Layout.CONTIGUOUS, kernel + " " + threads + " " + p);
            }
        }
    }
}
