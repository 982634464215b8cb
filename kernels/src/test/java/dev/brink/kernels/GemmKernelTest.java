package dev.brink.kernels;

import dev.brink.engine.DType;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static dev.brink.kernels.KernelTestSupport.empty;
import static dev.brink.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend.matmul against the CPU backend on both paths: the built-in tiled kernel (gemm.cu: gemm_f32, gemm_f64)
 * and the cuBLAS path (CudaMatmul's batching and {@link GemmPlan}'s column-major mapping, executed by
 * {@link HostBlas}): broadcast batch dimensions, transposed and sliced operands, vectors, tile edges and k = 0.
 */
class GemmKernelTest {
    CudaBackend backend() {
        return KernelTestSupport.emulated();
    }

    private static final int[][][] CASES = {
            {{5, 7}, {7, 3}}, {{17, 33}, {33, 18}}, {{2, 1, 3, 4}, {5, 4, 6}}, {{1, 9}, {9, 1}}, {{4, 0}, {0, 3}},
            {{3, 16, 16}, {16, 16}}, {{2, 3, 2, 5}, {2, 1, 5, 4}}};

    void checkAll(CudaBackend be, String path) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[][] c : CASES) {
                check(be, path, t, c[0], c[1], v -> v, v -> v);
                if (c[0].length == 2 && c[0][0] > 1) {
                    // transposed (column-major) and sliced views
                    check(be, path + " transposed", t, new int[] {c[0][1], c[0][0]}, c[1], v -> v.transpose(0, 1), v -> v);
                    check(be, path + " transposed B", t, c[0], new int[] {c[1][1], c[1][0]}, v -> v, v -> v.transpose(0, 1));
                    check(be, path + " sliced", t, new int[] {c[0][0], c[0][1] + 3}, c[1], v -> v.slice(1, 1, c[0][1] + 1), v -> v);
                }
            }
        }
    }

    private void check(CudaBackend be, String path, DType t, int[] as, int[] bs, UnaryOperator<dev.brink.engine.Tensor> fa,
                       UnaryOperator<dev.brink.engine.Tensor> fb) {
        KernelTestSupport.Pair a = random(be, 91, t, false, as).map(fa);
        KernelTestSupport.Pair b = random(be, 92, t, false, bs).map(fb);
        int[] sa = a.shape(), sb = b.shape();
        int r = Math.max(sa.length, sb.length);
        int[] out = new int[r];
        for (int d = 0; d < r - 2; d++) {
            int x = d - (r - sa.length), y = d - (r - sb.length);
            out[d] = Math.max(x >= 0 ? sa[x] : 1, y >= 0 ? sb[y] : 1);
        }
        out[r - 2] = sa[sa.length - 2];
        out[r - 1] = sb[sb.length - 1];
        KernelTestSupport.Pair o = empty(be, t, out);
        KernelTestSupport.CPU.fill(o.cpu(), Double.NaN);
        be.fill(o.dev(), Double.NaN);
        KernelTestSupport.CPU.matmul(a.cpu(), b.cpu(), o.cpu());
        be.matmul(a.dev(), b.dev(), o.dev());
        dev.brink.engine.Tensor mag = dev.brink.engine.Tensor.empty(KernelTestSupport.CPU, DType.FLOAT64, out);
        KernelTestSupport.CPU.matmul(KernelTestSupport.absCpu(a.cpu()), KernelTestSupport.absCpu(b.cpu()), mag);
        KernelTestSupport.assertMatchesScaled(path + " matmul " + t + " " + java.util.Arrays.toString(sa) + " x "
                + java.util.Arrays.toString(sb), o.cpu(), o.dev(), mag, sa[sa.length - 1]);
    }

    @Test
    void builtInGemmKernel() {
        checkAll(backend(), "gemm kernel");
    }

    @Test
    void cublasPathWithTheColumnMajorMapping() {
        EmulatedDevice dev = new EmulatedDevice();
        HostBlas host = new HostBlas(dev);
        dev.withBlas(host);
        checkAll(new CudaBackend(dev), "blas");
        assertTrue(host.calls > 20, "the blas path ran (" + host.calls + " calls)");
    }
}
