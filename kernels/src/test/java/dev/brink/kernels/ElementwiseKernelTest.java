package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.BinaryKernel;
import dev.brink.engine.backend.UnaryKernel;
import org.junit.jupiter.api.Test;

import static dev.brink.kernels.KernelTestSupport.assertMatches;
import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;

/**
 * elementwise.cu (fill_*, copy_*_*, unary_*, binary_*, where_*) against the CPU backend: every dtype, every op,
 * broadcast and strided operands, special values (NaN, infinities, signed zeros, overflow).
 */
class ElementwiseKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    @Test
    void fillWritesStridedViewsInEveryDtype() {
        for (DType t : DType.values()) {
            KernelTestSupport.Pair out = random(backend(), 1, t, false, 4, 6);
            KernelTestSupport.Pair view = out.map(x -> x.transpose(0, 1).slice(0, 1, 5, 2));
            KernelTestSupport.CPU.fill(view.cpu(), -2.75);
            backend().fill(view.dev(), -2.75);
            assertMatches("fill " + t, out);
            KernelTestSupport.CPU.fill(out.cpu(), 3e10);
            backend().fill(out.dev(), 3e10);
            assertMatches("fill saturating " + t, out);
        }
    }

    @Test
    void copyConvertsBetweenEveryPairOfDtypesWithBroadcasting() {
        for (DType s : DType.values()) {
            for (DType d : DType.values()) {
                KernelTestSupport.Pair src = random(backend(), 2, s, true, 3, 1, 5);
                if (s != DType.INT32) src = src.map(x -> x.mul(1e9));
                KernelTestSupport.Pair dst = empty(backend(), d, 2, 3, 4, 5);
                KernelTestSupport.Pair dv = dst.map(x -> x.permute(0, 2, 1, 3));
                KernelTestSupport.Pair sv = src.map(x -> x.permute(1, 0, 2).expand(4, 3, 5));
                KernelTestSupport.CPU.copy(sv.cpu(), dv.cpu().slice(0, 1, 2));
                backend().copy(sv.dev(), dv.dev().slice(0, 1, 2));
                assertMatches("copy " + s + " -> " + d, dst);
            }
        }
    }

    @Test
    void copyWithinOneStorageReadsTheSourceFirst() {
        KernelTestSupport.Pair x = random(backend(), 3, DType.FLOAT32, false, 8);
        KernelTestSupport.CPU.copy(x.cpu().slice(0, 0, 6), x.cpu().slice(0, 2, 8));
        backend().copy(x.dev().slice(0, 0, 6), x.dev().slice(0, 2, 8));
        assertMatches("overlapping copy", x);
        KernelTestSupport.Pair c = random(backend(), 4, DType.FLOAT64, false, 3, 4);
        KernelTestSupport.Pair d = empty(backend(), DType.FLOAT64, 3, 4);
        KernelTestSupport.CPU.copy(c.cpu(), d.cpu());
        backend().copy(c.dev(), d.dev());
        assertMatches("contiguous copy", d);
    }

    @Test
    void everyUnaryKernelInFloat32AndFloat64() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (UnaryKernel k : UnaryKernel.values()) {
                double alpha = k == UnaryKernel.POW_SCALAR ? 1.7 : 0.15;
                KernelTestSupport.Pair x = random(backend(), 5 + k.ordinal(), t, true, 4, 33);
                if (k == UnaryKernel.POW_SCALAR || k == UnaryKernel.LOG || k == UnaryKernel.SQRT) {
                    checkUnary(t + " " + k + " (negative inputs)", k, alpha, x);
                    x = x.map(Tensor::abs);
                }
                checkUnary(t + " " + k, k, alpha, x);
                checkUnary(t + " " + k + " strided", k, alpha, x.map(v -> v.transpose(0, 1)));
            }
        }
    }

    private void checkUnary(String what, UnaryKernel k, double alpha, KernelTestSupport.Pair x) {
        KernelTestSupport.Pair out = empty(backend(), x.dtype(), x.shape());
        KernelTestSupport.CPU.unary(k, alpha, x.cpu(), out.cpu());
        backend().unary(k, alpha, x.dev(), out.dev());
        assertMatches(what, out);
    }

    @Test
    void everyBinaryKernelInEveryDtypeWithBroadcasting() {
        for (DType t : DType.values()) {
            for (BinaryKernel k : BinaryKernel.values()) {
                KernelTestSupport.Pair a = random(backend(), 40 + k.ordinal(), t, true, 3, 1, 8);
                double[] bd = KernelTestSupport.data(60 + k.ordinal(), t, 32, true);
                if (t == DType.INT32 && k == BinaryKernel.POW) for (int i = 0; i < bd.length; i++) bd[i] = Math.abs(bd[i]);
                KernelTestSupport.Pair b = KernelTestSupport.pair(backend(), t, bd, 4, 8);
                KernelTestSupport.Pair out = empty(backend(), t, 3, 4, 8);
                KernelTestSupport.CPU.binary(k, a.cpu(), b.cpu(), out.cpu());
                backend().binary(k, a.dev(), b.dev(), out.dev());
                assertMatches(t + " " + k, out);
                KernelTestSupport.Pair same = empty(backend(), t, 4, 8);
                KernelTestSupport.Pair bt = b.map(v -> v.transpose(0, 1).contiguous().transpose(0, 1));
                KernelTestSupport.CPU.binary(k, b.cpu(), bt.cpu(), same.cpu());
                backend().binary(k, b.dev(), bt.dev(), same.dev());
                assertMatches(t + " " + k + " equal operands", same);
            }
        }
    }

    @Test
    void whereInEveryDtype() {
        for (DType t : DType.values()) {
            KernelTestSupport.Pair c = random(backend(), 80, t, false, 5, 1).map(v -> v.gt(v.scalarLike(0)));
            KernelTestSupport.Pair a = random(backend(), 81, t, true, 5, 6);
            KernelTestSupport.Pair b = random(backend(), 82, t, true, 6);
            KernelTestSupport.Pair out = empty(backend(), t, 5, 6);
            KernelTestSupport.CPU.where(c.cpu(), a.cpu(), b.cpu(), out.cpu());
            backend().where(c.dev(), a.dev(), b.dev(), out.dev());
            assertMatches("where " + t, out);
        }
    }
}
