package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.backend.ConvGeometry;
import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnStatus;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link Dnn} by cuDNN: convolution forward, backward-data and backward-filter on the backend's stream. Each
 * geometry gets its descriptors and algorithm once (cached): the fastest deterministic algorithm that
 * {@code cudnnGet*Algorithm_v7} reports, in FMA math (no TF32) unless the system property {@code brink.cuda.tf32}
 * is true. Weights must be packed OIHW; x, y and gradients may be strided with positive strides.
 */
final class JCudnnConv implements Dnn {
    private static final boolean TF32 = Boolean.getBoolean("brink.cuda.tf32");

    private final JCudaDevice device;
    private final cudnnHandle handle;
    private final String version;
    private final Map<String, Plan> plans = new HashMap<>();

    /** Descriptors and chosen algorithm of one convolution call shape. */
    private record Plan(cudnnTensorDescriptor x, cudnnFilterDescriptor w, cudnnConvolutionDescriptor conv,
                        cudnnTensorDescriptor y, int algo, long workspace) {}

    private JCudnnConv(JCudaDevice device, cudnnHandle handle, String version) {
        this.device = device;
        this.handle = handle;
        this.version = version;
    }

    /** cuDNN on {@code stream}, or null (and the reason appended to {@code status}) where it cannot be loaded. */
    static Dnn tryCreate(JCudaDevice device, CUstream stream, StringBuilder status) {
        try {
            cudnnHandle h = new cudnnHandle();
            int r = JCudnn.cudnnCreate(h);
            if (r != cudnnStatus.CUDNN_STATUS_SUCCESS) throw new IllegalStateException(cudnnStatus.stringFor(r));
            JCudnn.cudnnSetStream(h, new cudaStream_t(stream));
            long v = JCudnn.cudnnGetVersion();
            // cuDNN 8 encodes 8.9.2 as 8902, cuDNN 9 encodes 9.14.0 as 91400
            String version = v >= 90000 ? "cuDNN " + v / 10000 + "." + v / 100 % 100 + "." + v % 100
                    : "cuDNN " + v / 1000 + "." + v / 100 % 10 + "." + v % 100;
            status.append(version);
            return new JCudnnConv(device, h, version);
        } catch (Throwable e) {
            status.append("cuDNN unavailable (").append(e instanceof LinkageError ? CudaProbe.explain(e) : e.getMessage())
                    .append("): built-in convolution kernels").append(e instanceof LinkageError ? CudaProbe.SHIM_HINT : "");
            return null;
        }
    }

    @Override
    public String describe() {
        return version;
    }

    private static int dataType(DType t) {
        return t == DType.FLOAT64 ? cudnnDataType.CUDNN_DATA_DOUBLE : cudnnDataType.CUDNN_DATA_FLOAT;
    }

    private static boolean usable(Tensor4 t, boolean packed) {
        for (int d = 0; d < 4; d++) if (t.strides()[d] <= 0 && t.shape()[d] > 1) return false;
        if (!packed) return true;
        int[] s = t.shape(), st = t.strides();
        return st[3] == 1 && st[2] == s[3] && st[1] == s[2] * s[3] && st[0] == s[1] * s[2] * s[3];
    }

    private static void ok(int status, String what) {
        if (status != cudnnStatus.CUDNN_STATUS_SUCCESS)
            throw new IllegalStateException("cuDNN " + what + " failed: " + cudnnStatus.stringFor(status));
    }

    private cudnnTensorDescriptor tensor(DType t, Tensor4 v) {
        cudnnTensorDescriptor d = new cudnnTensorDescriptor();
        ok(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
        int[] s = v.shape(), st = v.strides();
        ok(JCudnn.cudnnSetTensor4dDescriptorEx(d, dataType(t), s[0], s[1], s[2], s[3],
                Math.max(st[0], 1), Math.max(st[1], 1), Math.max(st[2], 1), Math.max(st[3], 1)), "cudnnSetTensor4dDescriptorEx");
        return d;
    }

    /** Descriptors for input-shaped x, weight-shaped w and output-shaped y, with the algorithm of {@code kind}. */
    private Plan plan(String kind, DType t, Tensor4 x, Tensor4 w, Tensor4 y, ConvGeometry g) {
        String key = kind + t + Arrays.toString(x.shape()) + Arrays.toString(x.strides()) + Arrays.toString(w.shape())
                + Arrays.toString(y.shape()) + Arrays.toString(y.strides()) + g;
        Plan p = plans.get(key);
        if (p != null) return p;
        cudnnTensorDescriptor xd = tensor(t, x), yd = tensor(t, y);
        cudnnFilterDescriptor wd = new cudnnFilterDescriptor();
        ok(JCudnn.cudnnCreateFilterDescriptor(wd), "cudnnCreateFilterDescriptor");
        int[] ws = w.shape();
        ok(JCudnn.cudnnSetFilter4dDescriptor(wd, dataType(t), cudnnTensorFormat.CUDNN_TENSOR_NCHW, ws[0], ws[1], ws[2], ws[3]), "cudnnSetFilter4dDescriptor");
        cudnnConvolutionDescriptor cd = new cudnnConvolutionDescriptor();
        ok(JCudnn.cudnnCreateConvolutionDescriptor(cd), "cudnnCreateConvolutionDescriptor");
        ok(JCudnn.cudnnSetConvolution2dDescriptor(cd, g.padH(), g.padW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(),
                cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, dataType(t)), "cudnnSetConvolution2dDescriptor");
        ok(JCudnn.cudnnSetConvolutionGroupCount(cd, g.groups()), "cudnnSetConvolutionGroupCount");
        ok(JCudnn.cudnnSetConvolutionMathType(cd, TF32 ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");
        int[] count = new int[1];
        int algo = -1;
        long mem = 0;
        switch (kind) {
            case "fwd" -> {
                cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[8];
                for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionFwdAlgoPerf();
                ok(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, xd, wd, cd, yd, perf.length, count, perf), "forward algorithm");
                for (int pass = 0; pass < 2 && algo < 0; pass++)
                    for (int i = 0; i < count[0] && algo < 0; i++)
                        if (perf[i].status == cudnnStatus.CUDNN_STATUS_SUCCESS && (pass == 1 || perf[i].determinism == cudnnDeterminism.CUDNN_DETERMINISTIC)) {
                            algo = perf[i].algo;
                            mem = perf[i].memory;
                        }
            }
            case "bwdData" -> {
                cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[8];
                for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
                ok(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, wd, yd, cd, xd, perf.length, count, perf), "backward-data algorithm");
                for (int pass = 0; pass < 2 && algo < 0; pass++)
                    for (int i = 0; i < count[0] && algo < 0; i++)
                        if (perf[i].status == cudnnStatus.CUDNN_STATUS_SUCCESS && (pass == 1 || perf[i].determinism == cudnnDeterminism.CUDNN_DETERMINISTIC)) {
                            algo = perf[i].algo;
                            mem = perf[i].memory;
                        }
            }
            default -> {
                cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[8];
                for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
                ok(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, xd, yd, cd, wd, perf.length, count, perf), "backward-filter algorithm");
                for (int pass = 0; pass < 2 && algo < 0; pass++)
                    for (int i = 0; i < count[0] && algo < 0; i++)
                        if (perf[i].status == cudnnStatus.CUDNN_STATUS_SUCCESS && (pass == 1 || perf[i].determinism == cudnnDeterminism.CUDNN_DETERMINISTIC)) {
                            algo = perf[i].algo;
                            mem = perf[i].memory;
                        }
            }
        }
        p = algo < 0 ? null : new Plan(xd, wd, cd, yd, algo, mem);
        if (p != null) plans.put(key, p);
        return p;
    }

    private static Pointer at(Tensor4 t, DType d) {
        return ((JCudaDevice.Buf) t.buffer()).at(t.offset() * d.bytes());
    }

    private static Pointer scalar(DType t, double v) {
        return t == DType.FLOAT64 ? Pointer.to(new double[] {v}) : Pointer.to(new float[] {(float) v});
    }


    /** One library call once its plan and workspace are known. */
    private interface Call {
        int run(Plan p, Pointer workspace);
    }

    /**
     * Plans under the device lock, takes the workspace from the caching allocator outside it (the allocator may
     * synchronize the device, so the locks are never taken in the opposite order), then runs under the lock.
     */
    private boolean execute(String kind, DType t, Tensor4 x, Tensor4 w, Tensor4 y, ConvGeometry g, Workspace ws, Call call) {
        if (!usable(x, false) || !usable(w, true) || !usable(y, false)) return false;
        Plan p;
        synchronized (device) {
            device.ensureCurrent();
            p = plan(kind, t, x, w, y, g);
        }
        if (p == null) return false;
        Pointer space = p.workspace() == 0 ? new Pointer() : ((JCudaDevice.Buf) ws.atLeast(p.workspace())).at(0);
        synchronized (device) {
            device.ensureCurrent();
            ok(call.run(p, space), "convolution " + kind);
        }
        return true;
    }

    @Override
    public boolean forward(DType t, Tensor4 x, Tensor4 w, ConvGeometry g, Tensor4 y, Workspace ws) {
        return execute("fwd", t, x, w, y, g, ws, (p, space) -> JCudnn.cudnnConvolutionForward(handle, scalar(t, 1), p.x(), at(x, t),
                p.w(), at(w, t), p.conv(), p.algo(), space, p.workspace(), scalar(t, 0), p.y(), at(y, t)));
    }

    @Override
    public boolean backwardData(DType t, Tensor4 gy, Tensor4 w, ConvGeometry g, Tensor4 dx, Workspace ws) {
        return execute("bwdData", t, dx, w, gy, g, ws, (p, space) -> JCudnn.cudnnConvolutionBackwardData(handle, scalar(t, 1), p.w(),
                at(w, t), p.y(), at(gy, t), p.conv(), p.algo(), space, p.workspace(), scalar(t, 0), p.x(), at(dx, t)));
    }

    @Override
    public boolean backwardFilter(DType t, Tensor4 x, Tensor4 gy, ConvGeometry g, Tensor4 dw, Workspace ws) {
        return execute("bwdFilter", t, x, dw, gy, g, ws, (p, space) -> JCudnn.cudnnConvolutionBackwardFilter(handle, scalar(t, 1), p.x(),
                at(x, t), p.y(), at(gy, t), p.conv(), p.algo(), space, p.workspace(), scalar(t, 0), p.w(), at(dw, t)));
    }
}
