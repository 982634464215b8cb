package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

import dev.brink.engine.Tensor;

import static dev.brink.kernels.KernelTestSupport.absCpu;
import static dev.brink.kernels.KernelTestSupport.assertMatchesScaled;
import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;

/**
 * conv.cu (conv2d_fwd_*, conv2d_bwd_data_*, conv2d_bwd_filter_*: the fallback when cuDNN is missing) against the
 * CPU backend: stride, padding, dilation, groups, rectangular kernels and a strided (transposed) input.
 */
class ConvKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    record Case(int n, int c, int h, int w, int o, int kh, int kw, ConvGeometry g) {}

    static final Case[] CASES = {
            new Case(2, 3, 7, 6, 4, 3, 3, ConvGeometry.of(1, 1)),
            new Case(2, 4, 9, 9, 6, 3, 3, ConvGeometry.of(2, 1)),
            new Case(1, 4, 8, 7, 4, 3, 2, new ConvGeometry(1, 2, 2, 0, 2, 1, 2)),
            new Case(3, 2, 5, 5, 2, 1, 1, ConvGeometry.of(1, 0)),
            new Case(2, 6, 6, 6, 3, 2, 2, new ConvGeometry(2, 2, 0, 1, 1, 1, 3))};

    @Test
    void forwardInputGradAndWeightGradMatchTheCpu() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (Case k : CASES) {
                for (boolean strided : new boolean[] {false, true}) {
                    ConvGeometry g = k.g();
                    KernelTestSupport.Pair x = strided
                            ? random(backend(), 101, t, false, k.n(), k.c(), k.w(), k.h()).map(v -> v.transpose(2, 3))
                            : random(backend(), 101, t, false, k.n(), k.c(), k.h(), k.w());
                    KernelTestSupport.Pair w = random(backend(), 102, t, false, k.o(), k.c() / g.groups(), k.kh(), k.kw());
                    int ho = g.outH(k.h(), k.kh()), wo = g.outW(k.w(), k.kw());
                    String what = t + " " + k + (strided ? " strided" : "");
                    KernelTestSupport.Pair y = empty(backend(), t, k.n(), k.o(), ho, wo);
                    KernelTestSupport.CPU.conv2d(x.cpu(), w.cpu(), g, y.cpu());
                    backend().conv2d(x.dev(), w.dev(), g, y.dev());
                    Tensor my = Tensor.empty(KernelTestSupport.CPU, DType.FLOAT64, y.shape());
                    KernelTestSupport.CPU.conv2d(absCpu(x.cpu()), absCpu(w.cpu()), g, my);
                    assertMatchesScaled("conv2d " + what, y.cpu(), y.dev(), my, (long) k.c() * k.kh() * k.kw());
                    KernelTestSupport.Pair gy = random(backend(), 103, t, false, k.n(), k.o(), ho, wo);
                    KernelTestSupport.Pair dx = empty(backend(), t, k.n(), k.c(), k.h(), k.w());
                    KernelTestSupport.CPU.conv2dInputGrad(gy.cpu(), w.cpu(), g, dx.cpu());
                    backend().conv2dInputGrad(gy.dev(), w.dev(), g, dx.dev());
                    Tensor mx = Tensor.empty(KernelTestSupport.CPU, DType.FLOAT64, dx.shape());
                    KernelTestSupport.CPU.conv2dInputGrad(absCpu(gy.cpu()), absCpu(w.cpu()), g, mx);
                    assertMatchesScaled("conv2dInputGrad " + what, dx.cpu(), dx.dev(), mx, (long) k.o() * k.kh() * k.kw());
                    KernelTestSupport.Pair dw = empty(backend(), t, w.shape());
                    KernelTestSupport.CPU.conv2dWeightGrad(x.cpu(), gy.cpu(), g, dw.cpu());
                    backend().conv2dWeightGrad(x.dev(), gy.dev(), g, dw.dev());
                    Tensor mw = Tensor.empty(KernelTestSupport.CPU, DType.FLOAT64, dw.shape());
                    KernelTestSupport.CPU.conv2dWeightGrad(absCpu(x.cpu()), absCpu(gy.cpu()), g, mw);
                    assertMatchesScaled("conv2dWeightGrad " + what, dw.cpu(), dw.dev(), mw, (long) k.n() * ho * wo);
                }
            }
        }
    }
}
