package dev.brink.kernels;

import dev.brink.engine.Tensor;

import java.util.Arrays;

import static dev.brink.kernels.CudaBackend.sfx;

/**
 * Batched matmul with broadcasting. With cuBLAS: one strided-batched GEMM when every operand's batch dimensions
 * collapse to a single stride (operands that do not, or whose matrices are neither row- nor column-major, are
 * first copied to contiguous expanded form). Without cuBLAS: the tiled gemm kernel (gemm.cu), which takes any
 * strides and broadcast batch layout directly.
 */
final class CudaMatmul {
    static final int TILE = 16;

    private CudaMatmul() {}

    static void matmul(CudaBackend be, Tensor a, Tensor b, Tensor out) {
        CudaBackend.requireFloating("matmul", out);
        int[] os = out.shape();
        int r = os.length;
        int m = os[r - 2], n = os[r - 1], k = a.shape()[a.dim() - 1];
        if (out.numel() == 0) return;
        if (k == 0) {
            be.fill(out, 0);
            return;
        }
        Blas blas = be.device().blas();
        if (blas != null && viaBlas(be, blas, a, b, out, m, n, k)) return;
        viaKernel(be, a, b, out, m, n, k);
    }

    private static int[] batchShape(Tensor out) {
        int[] s = out.shape();
        return Arrays.copyOf(s, s.length - 2);
    }

    private static int[] batchStrides(Tensor t, int[] batch) {
        int[] s = t.shape(), st = t.strides();
        return Layouts.broadcastStrides(Arrays.copyOf(s, s.length - 2), Arrays.copyOf(st, st.length - 2), batch);
    }

    private static boolean viaBlas(CudaBackend be, Blas blas, Tensor a, Tensor b, Tensor out, int m, int n, int k) {
        int[] batch = batchShape(out);
        Layouts.Dims d = Layouts.simplify(batch, batchStrides(a, batch), batchStrides(b, batch), batchStrides(out, batch));
        if (d.rank() > 1) {
            // Batch dimensions that no single stride describes: expand both operands to contiguous batches.
            a = expanded(be, a, batch);
            b = expanded(be, b, batch);
            d = Layouts.simplify(batch, batchStrides(a, batch), batchStrides(b, batch), batchStrides(out, batch));
            if (d.rank() > 1) return false;
        }
        if (tryGemm(be, blas, a, b, out, m, n, k, d)) return true;
        return tryGemm(be, blas, be.contiguous(a), be.contiguous(b), out, m, n, k, d);
    }

    private static boolean tryGemm(CudaBackend be, Blas blas, Tensor a, Tensor b, Tensor out, int m, int n, int k, Layouts.Dims d) {
        int batch = d.rank() == 0 ? 1 : d.size()[0];
        return blas.gemm(out.dtype(), m, n, k, batch, operand(be, a, d, 0), operand(be, b, d, 1), operand(be, out, d, 2), false);
    }

    private static Blas.Operand operand(CudaBackend be, Tensor t, Layouts.Dims d, int op) {
        int[] st = t.strides();
        int r = st.length;
        long batchStride = d.rank() == 0 ? 0 : d.strides()[op][0];
        return new Blas.Operand(be.buf(t), t.offset(), st[r - 2], st[r - 1], batchStride);
    }

    /** t broadcast to batch + its matrix shape, as a new contiguous tensor. */
    private static Tensor expanded(CudaBackend be, Tensor t, int[] batch) {
        int[] s = t.shape();
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = s[s.length - 2];
        shape[batch.length + 1] = s[s.length - 1];
        Tensor e = be.temp(t.dtype(), shape);
        be.copy(t, e);
        return e;
    }

    private static void viaKernel(CudaBackend be, Tensor a, Tensor b, Tensor out, int m, int n, int k) {
        int[] batch = batchShape(out);
        int[] l = Layouts.layout(batch, new int[] {a.offset(), b.offset(), out.offset()}, batchStrides(a, batch),
                batchStrides(b, batch), batchStrides(out, batch));
        int[] as = a.strides(), bs = b.strides(), cs = out.strides();
        int[] p = new int[10 + l.length];
        int[] head = {m, n, k, 0, as[as.length - 2], as[as.length - 1], bs[bs.length - 2], bs[bs.length - 1],
                cs[cs.length - 2], cs[cs.length - 1]};
        System.arraycopy(head, 0, p, 0, 10);
        System.arraycopy(l, 0, p, 10, l.length);
        int[] grid = {Math.min(Layouts.MAX_GRID, (n + TILE - 1) / TILE), Math.min(Layouts.MAX_GRID, (m + TILE - 1) / TILE),
                Math.min(Layouts.MAX_GRID, Math.max(1, l[0]))};
        be.launch("gemm_" + sfx(out.dtype()), grid, new int[] {TILE, TILE, 1},
                new KernelArgs().ptr(be.buf(a)).ptr(be.buf(b)).ptr(be.buf(out)).struct(p));
    }
}
