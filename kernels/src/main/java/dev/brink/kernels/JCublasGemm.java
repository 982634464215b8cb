package dev.brink.kernels;

import dev.brink.engine.DType;
import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

/**
 * {@link Blas} by cuBLAS ({@code cublas[SD]gemmStridedBatched}) on the backend's stream, in the default math
 * mode (no TF32), so float32 products keep float32 accuracy. Row-major operands map onto cuBLAS's column-major
 * convention as {@link GemmPlan} describes.
 */
final class JCublasGemm implements Blas {
    private final JCudaDevice device;
    private final cublasHandle handle;
    private final String version;

    private JCublasGemm(JCudaDevice device, cublasHandle handle, String version) {
        this.device = device;
        this.handle = handle;
        this.version = version;
    }

    /** cuBLAS on {@code stream}, or null (and the reason appended to {@code status}) where it cannot be loaded. */
    static Blas tryCreate(JCudaDevice device, CUstream stream, StringBuilder status) {
        try {
            cublasHandle h = new cublasHandle();
            int r = JCublas2.cublasCreate(h);
            if (r != cublasStatus.CUBLAS_STATUS_SUCCESS) throw new IllegalStateException(cublasStatus.stringFor(r));
            JCublas2.cublasSetStream(h, new cudaStream_t(stream));
            int[] v = new int[1];
            JCublas2.cublasGetVersion(h, v);
            String version = "cuBLAS " + v[0] / 10000 + "." + v[0] / 100 % 100;
            status.append(version);
            return new JCublasGemm(device, h, version);
        } catch (Throwable e) {
            status.append("cuBLAS unavailable (").append(e instanceof LinkageError ? CudaProbe.explain(e) : e.getMessage())
                    .append("): built-in gemm kernel").append(e instanceof LinkageError ? CudaProbe.SHIM_HINT : "");
            return null;
        }
    }

    @Override
    public String describe() {
        return version;
    }

    @Override
    public boolean gemm(DType dtype, int m, int n, int k, int batch, Operand a, Operand b, Operand c, boolean accumulate) {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) return false;
        GemmPlan p = GemmPlan.of(m, n, k, a, b, c);
        if (p == null) return false;
        int opFirst = p.transFirst() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opSecond = p.transSecond() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int bytes = dtype.bytes();
        Pointer pa = ptr(a, bytes), pb = ptr(b, bytes), pc = ptr(c, bytes);
        int r;
        synchronized (device) {
            device.ensureCurrent();
            if (dtype == DType.FLOAT32) {
                Pointer one = Pointer.to(new float[] {1f}), beta = Pointer.to(new float[] {accumulate ? 1f : 0f});
                r = JCublas2.cublasSgemmStridedBatched(handle, opFirst, opSecond, n, m, k, one, pb, p.ldFirst(), b.batchStride(),
                        pa, p.ldSecond(), a.batchStride(), beta, pc, p.ldc(), c.batchStride(), batch);
            } else {
                Pointer one = Pointer.to(new double[] {1}), beta = Pointer.to(new double[] {accumulate ? 1 : 0});
                r = JCublas2.cublasDgemmStridedBatched(handle, opFirst, opSecond, n, m, k, one, pb, p.ldFirst(), b.batchStride(),
                        pa, p.ldSecond(), a.batchStride(), beta, pc, p.ldc(), c.batchStride(), batch);
            }
        }
        if (r != cublasStatus.CUBLAS_STATUS_SUCCESS)
            throw new IllegalStateException("cuBLAS gemm failed: " + cublasStatus.stringFor(r));
        return true;
    }

    private static Pointer ptr(Operand o, int bytes) {
        return ((JCudaDevice.Buf) o.buffer()).at(o.offset() * bytes);
    }
}
