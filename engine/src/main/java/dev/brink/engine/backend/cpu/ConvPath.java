package dev.brink.engine.backend.cpu;

import java.util.Locale;

/**
 * Which float32 convolution path computes a problem: lowering (im2col + packed GEMM, {@link FloatConv}), the
 * implicit GEMM ({@link ImplicitConv}), Winograd's F(2x2, 3x3) or F(4x4, 3x3) ({@link WinogradConv}; the system
 * property {@code brink.winogradTile}, 2 or 4, forces the tile) or, for the weight
 * gradient of first layers, the direct kernel ({@link DirectConv}). The system property {@code brink.conv} forces one
 * ({@code lowered}, {@code implicit}, {@code winograd} or {@code direct}; read once, for benchmarks and tests); by
 * default ({@code auto}) the rule below chooses, from the numbers in docs/performance.md ("CPU convolution
 * paths"): 3x3 stride-1 convolutions with enough channels on maps of 8x8 and up go Winograd (all three passes);
 * the weight gradient of stride-1 convolutions with one to three input channels goes direct; of the rest, the forward pass of small
 * maps (where im2col copies short rows) and of strided convolutions with fewer than
 * {@link #STRIDED_LOWERED_CHANNELS} output channels goes implicit; the weight gradient goes implicit whenever the kernel has
 * enough taps to fill the tap tiles (with stride 1 on large maps too: VGG-16's and ResNet-18's 32x32 and 16x16
 * layers and Madry et al.'s 14x14 one were 15-25% faster implicit, measured in-process, 1 thread, CPU time), except
 * on output maps of at most {@link #LOWERED_WEIGHT_GRAD_MAP} positions with many output channels, where it is lowered.
 */
final class ConvPath {
    /**
     * Output positions per image up to which a stride-1 convolution goes implicit: im2col rows of small maps are
     * short copies (Galloway et al.'s 5x5 layer on 6x6: 2.2x faster implicit). Madry et al.'s 14x14 layer was
     * faster implicit per kernel but not in the train step's interleaved rounds, so it stays lowered.
     */
    static final int SMALL_MAP = 64;
    /**
     * Output channels from which a strided forward pass is lowered: im2col's copies are shared by that many rows of
     * the GEMM. ResNet-18's and WRN-16-4's downsampling layers (3x3 and 1x1, stride 2, 128-512 channels, batch 32)
     * ran 20-35% faster lowered at 1 and 2 threads (3x3: 8.5 / 10.8, 8.0 / 12.4, 8.9 / 12.6 ms at 1 thread), while
     * Galloway et al.'s layers (32 and 64 channels, 8x8 and 6x6 kernels) stay 1.2-2x faster implicit.
     */
    static final int STRIDED_LOWERED_CHANNELS = 128;
    /**
     * Input positions per image up to which a stride-1 input gradient goes implicit: 2x2 and 4x4 maps of 512
     * channels at batch 32 took 20-30% less CPU time implicit, 8x8 maps of 256 channels up to 10% more
     * (in-process, 1 thread).
     */
    static final int SMALL_INPUT_GRAD_MAP = 16;
    /**
     * Kernel taps ({@code C*kh*kw}) from which the weight gradient goes implicit (any stride and map size): below
     * it (one- and three-channel first layers, 25 or 27 taps) the tap tiles are mostly padding and lowering wins.
     */
    static final int MIN_TAPS = 64;
    /**
     * Input and output channels from which a 3x3 stride-1 convolution goes Winograd: below it (the three-channel
     * stem) the transforms cost more than the multiplies they save.
     */
    static final int WINOGRAD_MIN_CHANNELS = 16;
    /**
     * Output positions per image from which a 3x3 stride-1 convolution goes Winograd: on 8x8 to 32x32 maps all three
     * passes took 15-30% less time than the best of lowering and the implicit GEMM (1 thread, JMH, batch 32); on 4x4
     * and 2x2 maps (a tile or four per image, so the transformed kernels are read for few tiles) they took more. (On
     * the 4x4 maps of ResNet-18's last stage the forward pass alone was faster Winograd in isolation, 9.3-11.1 ms
     * against 11.1-13.0 implicit at 2 threads, but not within the train step, where its 16 MB of transformed kernels
     * per call meet a cold cache; alternated step A/B, 3 rounds.)
     */
    static final int WINOGRAD_MIN_MAP = 64;
    /**
     * Output positions per channel over the batch ({@code N * Ho * Wo}) from which a Winograd layer takes F(4x4,
     * 3x3) rather than F(2x2, 3x3). F(4x4) takes 2.25 multiplies per output and channel pair against 4, but 36
     * transformed kernels per channel pair against 16, computed and packed once per call: the saving grows with
     * the outputs, the cost with the channels only. JMH, batch 32, forward / input gradient / weight gradient in ms,
     * F(2x2) against F(4x4), at 1 thread: 64 channels on 32x32 (32768 positions) 15.8 / 15.3 / 20.3 against
     * 12.2 / 11.4 / 15.9; 128 on 16x16 (8192) 12.7 / 12.9 / 18.1 against 9.2 / 8.8 / 14.2; 256 on 8x8 (2048)
     * 13.9 / 11.8 / 19.8 against 9.4 / 8.8 / 12.9; at 2 threads: 7.9 / 8.2 / 10.9 against 6.3 / 7.4 / 7.8 (32x32),
     * 6.4 / 8.4 / 7.7 against 4.9 / 5.1 / 5.8 (16x16), 6.3 / 6.5 / 7.4 against 5.4 / 5.6 / 6.9 (8x8). Fewer
     * positions (smaller batches on 8x8 maps, 4x4 maps) are unmeasured and stay F(2x2).
     */
    static final int WINOGRAD_F4_MIN_POSITIONS = 2048;
    /**
     * Output positions per image up to which the weight gradient of a layer with at least
     * {@link #STRIDED_LOWERED_CHANNELS} output channels is lowered even when it has enough taps for the implicit one
     * (im2col's copies are shared by that many rows): on the 4x4 and 2x2 maps of ResNet-18's and VGG-16's last
     * stages (batch 32, in process, medians of 15) lowering took 8.3-9.9 ms against 10.7-11.5 implicit at 2 threads
     * (512 channels, 4x4), 2.6-2.9 against 3.0-4.2 (512, 2x2), 4.2-4.7 against 5.2-7.4 (256 -> 512, 4x4, stride 1
     * and 2), and 15.4-17.3 against 19.6-21.1 at 1 thread (512, 4x4); the ResNet-18 and VGG-16 steps were faster in
     * 4 of 6 alternated rounds (one even, one 3% slower). Galloway et al.'s 5x5 layer (64 channels, 2x2 output, batch 128)
     * stays implicit: 0.8-0.9 ms against 2.0-3.0 lowered.
     */
    static final int LOWERED_WEIGHT_GRAD_MAP = 16;
    /**
     * Input channels up to which the weight gradient of a stride-1 convolution goes direct ({@link DirectConv}):
     * the first layers (one or three channels), where its GEMM has a tiny output over a long reduction (JMH, 1
     * thread, batch 128: Madry et al.'s 5x5 layer 7.4 ms lowered, 6.7 implicit, 5.3 direct; the 3x3 stem 17.8
     * lowered, 11.3 direct).
     */
    static final int DIRECT_MAX_CHANNELS = 3;
    /** Output positions per image from which the direct weight gradient is used (its lanes span image rows). */
    static final int DIRECT_MIN_MAP = 64;

    /**
     * auto: the rule; lowered, implicit: that path wherever it applies; winograd: Winograd wherever it applies
     * (3x3, stride 1), the rule elsewhere; direct: the direct weight gradient wherever it applies (few input
     * channels, stride 1, the Vector API present), the rule elsewhere.
     */
    enum Mode { AUTO, LOWERED, IMPLICIT, WINOGRAD, DIRECT }

    private static volatile Mode mode = parse(System.getProperty("brink.conv", "auto"));
    /** The Winograd tile forced by {@code brink.winogradTile} (2 or 4), or 0 for the rule. */
    private static volatile int tile = parseTile(System.getProperty("brink.winogradTile", "auto"));

    private ConvPath() {}

    private static Mode parse(String s) {
        try {
            return Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property brink.conv must be auto, lowered, implicit, winograd or direct, got '" + s + "'");
        }
    }

    private static int parseTile(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "0" -> 0;
            case "2" -> 2;
            case "4" -> 4;
            default -> throw new IllegalArgumentException("system property brink.winogradTile must be auto, 2 or 4, got '" + s + "'");
        };
    }

    /** Forces the Winograd tile (2 or 4; 0 for the rule; tests run both); returns the previous setting. */
    static int useTile(int m) {
        if (m != 0 && m != 2 && m != 4) throw new IllegalArgumentException("Winograd tile must be 0 (the rule), 2 or 4, got " + m);
        int old = tile;
        tile = m;
        return old;
    }

    /**
     * The output tile m of the Winograd algorithm F(m x m, 3x3) for d (2 or 4; {@code brink.winogradTile} forces
     * one): F(4x4) when the batch has at least {@link #WINOGRAD_F4_MIN_POSITIONS} output positions per channel and
     * F(4x4) takes fewer multiplies over d's output map ({@code (m + 2)^2} per tile of m x m outputs), else F(2x2).
     */
    static int winogradTile(ImplicitConv.Dims d) {
        int forced = tile;
        if (forced != 0) return forced;
        long f2 = 16L * ((d.ho() + 1) / 2) * ((d.wo() + 1) / 2), f4 = 36L * ((d.ho() + 3) / 4) * ((d.wo() + 3) / 4);
        return f4 < f2 && (long) d.n() * d.p() >= WINOGRAD_F4_MIN_POSITIONS ? 4 : 2;
    }

    /** Switches the mode (tests run every path); returns the previous one. */
    static Mode use(Mode m) {
        Mode old = mode;
        mode = m;
        return old;
    }

    /**
     * True when all three passes of d (forward, input gradient, weight gradient) run as Winograd convolutions:
     * {@link WinogradConv#supports} and, by default, at least {@link #WINOGRAD_MIN_CHANNELS} input and output
     * channels and {@link #WINOGRAD_MIN_MAP} output positions.
     */
    static boolean winograd(ImplicitConv.Dims d) {
        return switch (mode) {
            case LOWERED, IMPLICIT -> false;
            case WINOGRAD -> WinogradConv.supports(d);
            case AUTO, DIRECT -> Math.min(d.c(), d.o()) >= WINOGRAD_MIN_CHANNELS && d.p() >= WINOGRAD_MIN_MAP && WinogradConv.supports(d);
        };
    }

    /**
     * True when the weight gradient of d runs in {@link DirectConv}: its SIMD kernel is loaded,
     * {@link DirectConv#supports} and, by default, at most {@link #DIRECT_MAX_CHANNELS} input channels on maps of
     * at least {@link #DIRECT_MIN_MAP} output positions.
     */
    static boolean directWeightGrad(ImplicitConv.Dims d) {
        if (DirectConv.get() == null || !DirectConv.supports(d)) return false;
        return switch (mode) {
            case LOWERED, IMPLICIT -> false;
            case DIRECT -> true;
            case AUTO, WINOGRAD -> d.c() <= DIRECT_MAX_CHANNELS && d.p() >= DIRECT_MIN_MAP;
        };
    }

    /** True when the forward pass of d runs as an implicit GEMM. */
    static boolean implicitForward(ImplicitConv.Dims d) {
        if (!ImplicitConv.supports(d.g(), d.n(), d.ho(), d.wo())) return false;
        return switch (mode) {
            case LOWERED -> false;
            case IMPLICIT -> true;
            case AUTO, WINOGRAD, DIRECT -> stridedOrSmall(d);
        };
    }

    /**
     * True when the stride-1 input gradient whose forward form (gy convolved with the flipped kernel) is t runs as
     * an implicit GEMM: maps of at most {@link #SMALL_INPUT_GRAD_MAP} positions (the 4x4 and 2x2 layers of VGG-16
     * and ResNet-18, where the flipped kernel's packing costs as much as the product), and forms whose padding is
     * more than a tenth of the product, which the implicit path skips ({@link ImplicitConv#skipsPadding}: Madry et
     * al.'s second layer, 5x5 on 14x14, 16%; JMH 14.5-15.0 ms against 17.4-20.8 lowered).
     */
    static boolean implicitInputGrad(ImplicitConv.Dims t) {
        if (!ImplicitConv.supports(t.g(), t.n(), t.ho(), t.wo())) return false;
        return switch (mode) {
            case LOWERED -> false;
            case IMPLICIT -> true;
            case AUTO, WINOGRAD, DIRECT -> t.p() <= SMALL_INPUT_GRAD_MAP || ImplicitConv.skipsPadding(t);
        };
    }

    /** True when the weight gradient of d runs as an implicit GEMM. */
    static boolean implicitWeightGrad(ImplicitConv.Dims d) {
        if (!ImplicitConv.supports(d.g(), d.n(), d.ho(), d.wo())) return false;
        return switch (mode) {
            case LOWERED -> false;
            case IMPLICIT -> true;
            case AUTO, WINOGRAD, DIRECT -> d.k() >= MIN_TAPS && (d.p() > LOWERED_WEIGHT_GRAD_MAP || d.o() < STRIDED_LOWERED_CHANNELS);
        };
    }

    private static boolean stridedOrSmall(ImplicitConv.Dims d) {
        boolean strided = d.g().strideH() > 1 || d.g().strideW() > 1;
        return strided ? d.o() < STRIDED_LOWERED_CHANNELS : d.p() <= SMALL_MAP;
    }
}
