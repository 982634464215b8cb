package dev.brink.bench.jmh;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.ConvGeometry;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU backend's convolution kernels (forward, input gradient, weight gradient) at the layers of the benchmark
 * models, batch 128 (32 where the name ends in {@code _b32}), into preallocated outputs:
 * <ul>
 *   <li>{@code madry1}: 1->32, 5x5, pad 2, on 28x28;</li>
 *   <li>{@code madry2}: 32->64, 5x5, pad 2, on 14x14;</li>
 *   <li>{@code galloway1}: 3->32, 8x8, stride 2, pad 3, on 32x32;</li>
 *   <li>{@code galloway2}: 32->64, 6x6, stride 2, on 16x16;</li>
 *   <li>{@code galloway3}: 64->64, 5x5, on 6x6;</li>
 *   <li>{@code stem3x3}: 3->64, 3x3, pad 1, on 32x32 (the first layer of VGG16, ResNet18 and the WideResNets);</li>
 *   <li>{@code cifar3x3}: 64->64, 3x3, pad 1, on 32x32 (their first stage);</li>
 *   <li>{@code vgg64x32_b32}, {@code vgg256x8_b32}, {@code vgg512x4_b32}, {@code vgg512x2_b32}: C->C, 3x3, pad 1, on
 *       the named map, <b>batch 32</b>: VGG-16's layers in {@code vgg16_cifar_train_step_b32} ({@code auto} runs
 *       the 32x32 and 8x8 ones Winograd, the 4x4 and 2x2 ones implicit but for their weight gradients, which are
 *       lowered; ResNet-18's stages have the same shapes on 32x32, 16x16, 8x8 and 4x4);</li>
 *   <li>{@code res512s2_b32}: 256->512, 3x3, stride 2, pad 1, on 8x8, batch 32 (ResNet-18's stage-4 entry);</li>
 *   <li>{@code vgg256to512x4_b32}: 256->512, 3x3, pad 1, on 4x4, batch 32 (VGG-16's first 4x4 layer).</li>
 * </ul>
 * Multiply-adds per call (each of the three kernels does the same count): madry1 0.08 G, madry2 1.28 G,
 * galloway1 0.2 G, galloway2 0.34 G, galloway3 0.05 G, stem3x3 0.23 G, cifar3x3 4.8 G, vgg64x32_b32 1.21 G, res128x16_b32 1.21 G, vgg256x8_b32 1.21 G,
 * vgg512x4_b32 1.21 G, vgg512x2_b32 0.30 G, res512s2_b32 0.60 G, vgg256to512x4_b32 0.60 G (x2 for FLOP).
 * {@code path} forces the float32 convolution path (system property {@code brink.conv}: {@code auto} is the
 * engine's rule, {@code lowered} im2col + GEMM, {@code implicit} the implicit GEMM, {@code winograd} Winograd's
 * F(m x m, 3x3) where it applies, 3x3 stride 1) and {@code tile} Winograd's m (2 or 4; {@code auto} the engine's
 * rule): the numbers behind the rules.
 */
public class ConvBench extends KernelBench {
    @Param({"madry1", "madry2", "galloway1", "galloway2", "galloway3", "stem3x3", "cifar3x3",
            "vgg64x32_b32", "res128x16_b32", "vgg256x8_b32", "vgg512x4_b32", "vgg512x2_b32", "res512s2_b32", "vgg256to512x4_b32"})
    public String layer;

    @Param({"auto"})
    public String path;

    /** Winograd's tile where Winograd runs (system property {@code brink.winogradTile}): auto, 2 or 4. */
    @Param({"auto"})
    public String tile;

    private Backend cpu;
    private Tensor x, w, y, gy, dx, dw;
    private ConvGeometry g;

    @Setup
    public void setup() {
        int n = 128, c, o, h, k, stride, pad;
        switch (layer) {
            case "madry1" -> { c = 1; o = 32; h = 28; k = 5; stride = 1; pad = 2; }
            case "madry2" -> { c = 32; o = 64; h = 14; k = 5; stride = 1; pad = 2; }
            case "galloway1" -> { c = 3; o = 32; h = 32; k = 8; stride = 2; pad = 3; }
            case "galloway2" -> { c = 32; o = 64; h = 16; k = 6; stride = 2; pad = 0; }
            case "galloway3" -> { c = 64; o = 64; h = 6; k = 5; stride = 1; pad = 0; }
            case "stem3x3" -> { c = 3; o = 64; h = 32; k = 3; stride = 1; pad = 1; }
            case "cifar3x3" -> { c = 64; o = 64; h = 32; k = 3; stride = 1; pad = 1; }
            case "vgg64x32_b32" -> { n = 32; c = 64; o = 64; h = 32; k = 3; stride = 1; pad = 1; }
            case "res128x16_b32" -> { n = 32; c = 128; o = 128; h = 16; k = 3; stride = 1; pad = 1; }
            case "vgg256x8_b32" -> { n = 32; c = 256; o = 256; h = 8; k = 3; stride = 1; pad = 1; }
            case "vgg512x4_b32" -> { n = 32; c = 512; o = 512; h = 4; k = 3; stride = 1; pad = 1; }
            case "vgg512x2_b32" -> { n = 32; c = 512; o = 512; h = 2; k = 3; stride = 1; pad = 1; }
            case "res512s2_b32" -> { n = 32; c = 256; o = 512; h = 8; k = 3; stride = 2; pad = 1; }
            case "vgg256to512x4_b32" -> { n = 32; c = 256; o = 512; h = 4; k = 3; stride = 1; pad = 1; }
            default -> throw new IllegalArgumentException(layer);
        }
        System.setProperty("brink.conv", path); // both read when the first convolution runs, in this fork
        System.setProperty("brink.winogradTile", tile);
        cpu = Backends.get("cpu");
        g = ConvGeometry.of(stride, pad);
        int ho = g.outH(h, k), wo = g.outW(h, k);
        Generator gen = new Generator(1);
        x = Tensor.rand(gen, DType.FLOAT32, n, c, h, h);
        w = Tensor.rand(gen, DType.FLOAT32, o, c, k, k);
        gy = Tensor.rand(gen, DType.FLOAT32, n, o, ho, wo);
        y = Tensor.empty(cpu, DType.FLOAT32, n, o, ho, wo);
        dx = Tensor.empty(cpu, DType.FLOAT32, n, c, h, h);
        dw = Tensor.empty(cpu, DType.FLOAT32, o, c, k, k);
    }

    @Benchmark
    public void forward(Blackhole bh) {
        cpu.conv2d(x, w, g, y);
        bh.consume(y);
    }

    @Benchmark
    public void inputGrad(Blackhole bh) {
        cpu.conv2dInputGrad(gy, w, g, dx);
        bh.consume(dx);
    }

    @Benchmark
    public void weightGrad(Blackhole bh) {
        cpu.conv2dWeightGrad(x, gy, g, dw);
        bh.consume(dw);
    }
}
