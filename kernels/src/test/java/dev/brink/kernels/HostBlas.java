package dev.brink.kernels;

import dev.brink.engine.DType;

/**
 * A stand-in for cuBLAS in the emulated tests: it executes the {@link GemmPlan} that {@link JCublasGemm} would
 * hand to {@code cublas[SD]gemmStridedBatched}, with the column-major semantics of the BLAS reference (op(X)
 * element (r, c) is {@code X[r + c * ld]}, or {@code X[c + r * ld]} when transposed), on host copies of the device
 * buffers. So the row-major-to-column-major mapping and CudaMatmul's cuBLAS path are tested without a GPU.
 */
final class HostBlas implements Blas {
    private final Device device;
    int calls;

    HostBlas(Device device) {
        this.device = device;
    }

    @Override
    public String describe() {
        return "host reference BLAS";
    }

    @Override
    public boolean gemm(DType dtype, int m, int n, int k, int batch, Operand a, Operand b, Operand c, boolean accumulate) {
        GemmPlan p = GemmPlan.of(m, n, k, a, b, c);
        if (p == null) return false;
        calls++;
        double[] mb = read(dtype, b.buffer()), ma = read(dtype, a.buffer()), mc = read(dtype, c.buffer());
        for (int i = 0; i < batch; i++) {
            long fb = b.offset() + i * b.batchStride(), sa = a.offset() + i * a.batchStride(), cc = c.offset() + i * c.batchStride();
            // column-major C (n x m) = op(first) (n x k) * op(second) (k x m)
            for (int r = 0; r < n; r++) {
                for (int col = 0; col < m; col++) {
                    double acc = 0;
                    for (int q = 0; q < k; q++) {
                        double x = mb[(int) (fb + (p.transFirst() ? q + (long) r * p.ldFirst() : r + (long) q * p.ldFirst()))];
                        double y = ma[(int) (sa + (p.transSecond() ? col + (long) q * p.ldSecond() : q + (long) col * p.ldSecond()))];
                        acc += x * y;
                    }
                    int o = (int) (cc + r + (long) col * p.ldc());
                    mc[o] = accumulate ? mc[o] + acc : acc;
                }
            }
        }
        write(dtype, c.buffer(), mc);
        return true;
    }

    private double[] read(DType t, Device.Buffer buf) {
        int n = (int) (buf.bytes() / t.bytes());
        double[] r = new double[n];
        if (t == DType.FLOAT32) {
            float[] f = new float[n];
            device.download(buf, 0, f);
            for (int i = 0; i < n; i++) r[i] = f[i];
        } else {
            device.download(buf, 0, r);
        }
        return r;
    }

    private void write(DType t, Device.Buffer buf, double[] v) {
        if (t == DType.FLOAT32) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
            device.upload(buf, 0, f);
        } else {
            device.upload(buf, 0, v);
        }
    }
}
