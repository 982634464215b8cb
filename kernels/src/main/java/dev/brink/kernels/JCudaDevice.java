package dev.brink.kernels;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * {@link Device} on a real GPU through the JCuda driver API: the device's primary context (shared with cuBLAS and
 * cuDNN), one non-blocking stream for every kernel, copy and library call, and the PTX modules of the jar loaded
 * with {@code cuModuleLoadData} (JIT-compiled by the driver for the device at hand). Host transfers are queued on
 * the same stream. Methods are synchronized and make the context current on the calling thread.
 */
final class JCudaDevice implements Device {
    /** A cuMemAlloc allocation. */
    record Buf(CUdeviceptr ptr, long bytes) implements Buffer {
        Pointer at(long byteOffset) {
            return byteOffset == 0 ? ptr : ptr.withByteOffset(byteOffset);
        }
    }

    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);
    private final String name;
    private final Blas blas;
    private final Dnn dnn;
    private final String libraries;

    private JCudaDevice(int ordinal) {
        JCudaDriver.setExceptionsEnabled(false);
        check(JCudaDriver.cuInit(0), "cuInit");
        CUdevice dev = new CUdevice();
        check(JCudaDriver.cuDeviceGet(dev, ordinal), "cuDeviceGet");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, dev), "cuDevicePrimaryCtxRetain");
        ensureCurrent();
        check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        name = deviceName(dev);
        for (Map.Entry<String, String> m : PtxResources.modules().entrySet()) {
            CUmodule module = new CUmodule();
            byte[] image = (m.getValue() + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int r = JCudaDriver.cuModuleLoadData(module, image);
            if (r != CUresult.CUDA_SUCCESS)
                throw new IllegalStateException("cannot load kernel module " + m.getKey() + ": " + CUresult.stringFor(r)
                        + (r == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION ? " (the driver is too old for this PTX)" : ""));
            List<String> entries = PtxResources.entries(m.getValue());
            for (String e : entries) {
                CUfunction f = new CUfunction();
                check(JCudaDriver.cuModuleGetFunction(f, module, e), "cuModuleGetFunction " + e);
                functions.put(e, f);
            }
        }
        StringBuilder lib = new StringBuilder();
        blas = JCublasGemm.tryCreate(this, stream, lib);
        lib.append("; ");
        dnn = JCudnnConv.tryCreate(this, stream, lib);
        libraries = lib.toString();
    }

    /** Opens device {@code ordinal}. */
    static JCudaDevice open(int ordinal) {
        return new JCudaDevice(ordinal);
    }

    private static String deviceName(CUdevice dev) {
        byte[] b = new byte[256];
        JCudaDriver.cuDeviceGetName(b, b.length, dev);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        int[] major = new int[1], minor = new int[1], drv = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        JCudaDriver.cuDriverGetVersion(drv);
        long[] total = new long[1];
        JCudaDriver.cuDeviceTotalMem(total, dev);
        return String.format(Locale.ROOT, "%s (sm_%d%d, %.1f GiB, driver CUDA %s)", new String(b, 0, n).trim(),
                major[0], minor[0], total[0] / 1073741824.0, JCudaProbe.version(drv[0]));
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS)
            throw new IllegalStateException("CUDA error in " + what + ": " + CUresult.stringFor(result));
    }

    /** Makes the device's context current on the calling thread (once per thread). */
    void ensureCurrent() {
        if (!bound.get()) {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            bound.set(true);
        }
    }

    private static Buf buf(Buffer b) {
        return (Buf) b;
    }

    @Override
    public String describe() {
        return name + "; " + libraries;
    }

    @Override
    public synchronized Buffer alloc(long bytes) {
        ensureCurrent();
        CUdeviceptr p = new CUdeviceptr();
        int r = cuMemAlloc(p, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY)
            throw new DeviceOutOfMemoryException("CUDA out of device memory allocating " + CachingAllocator.mib(bytes));
        check(r, "cuMemAlloc");
        return new Buf(p, bytes);
    }

    @Override
    public synchronized void free(Buffer b) {
        ensureCurrent();
        check(cuMemFree(buf(b).ptr()), "cuMemFree");
    }

    @Override
    public synchronized long[] memoryInfo() {
        ensureCurrent();
        long[] free = new long[1], total = new long[1];
        return JCudaDriver.cuMemGetInfo(free, total) == CUresult.CUDA_SUCCESS ? new long[] {free[0], total[0]} : null;
    }

    private static Pointer host(Object data) {
        if (data instanceof float[] f) return Pointer.to(f);
        if (data instanceof double[] d) return Pointer.to(d);
        if (data instanceof int[] i) return Pointer.to(i);
        if (data instanceof long[] l) return Pointer.to(l);
        throw new IllegalArgumentException("host array of " + data.getClass().getSimpleName());
    }

    private static long bytes(Object data) {
        if (data instanceof float[] f) return 4L * f.length;
        if (data instanceof double[] d) return 8L * d.length;
        if (data instanceof int[] i) return 4L * i.length;
        if (data instanceof long[] l) return 8L * l.length;
        throw new IllegalArgumentException("host array of " + data.getClass().getSimpleName());
    }

    /**
     * Ordered on the stream. From pageable host memory (a Java array) the driver stages the data before returning,
     * so the array may change afterwards.
     */
    @Override
    public synchronized void upload(Buffer dst, long byteOffset, Object data) {
        ensureCurrent();
        check(cuMemcpyHtoDAsync((CUdeviceptr) buf(dst).at(byteOffset), host(data), bytes(data), stream), "cuMemcpyHtoDAsync");
    }

    /** Ordered on the stream; into pageable host memory it returns once the copy is complete. */
    @Override
    public synchronized void download(Buffer src, long byteOffset, Object data) {
        ensureCurrent();
        check(cuMemcpyDtoHAsync(host(data), (CUdeviceptr) buf(src).at(byteOffset), bytes(data), stream), "cuMemcpyDtoHAsync");
        synchronizeStream();
    }

    @Override
    public synchronized void copy(Buffer dst, long dstOffset, Buffer src, long srcOffset, long bytes) {
        ensureCurrent();
        check(cuMemcpyDtoDAsync((CUdeviceptr) buf(dst).at(dstOffset), (CUdeviceptr) buf(src).at(srcOffset), bytes, stream), "cuMemcpyDtoDAsync");
    }

    @Override
    public synchronized void memset(Buffer dst, long byteOffset, long bytes, byte value) {
        ensureCurrent();
        check(cuMemsetD8Async((CUdeviceptr) buf(dst).at(byteOffset), value, bytes, stream), "cuMemsetD8Async");
    }

    @Override
    public synchronized void launch(String kernel, int[] grid, int[] block, KernelArgs args) {
        ensureCurrent();
        CUfunction f = functions.get(kernel);
        if (f == null) throw new IllegalStateException("no CUDA kernel named " + kernel + " in the jar's PTX");
        List<Object> values = args.values();
        Pointer[] params = new Pointer[values.size()];
        for (int i = 0; i < params.length; i++) params[i] = param(values.get(i));
        check(cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, stream, Pointer.to(params), null),
                "launch of " + kernel);
    }

    private static Pointer param(Object v) {
        if (v instanceof KernelArgs.Ptr p) return Pointer.to(buf(p.buffer()).at(p.byteOffset()));
        if (v instanceof Integer i) return Pointer.to(new int[] {i});
        if (v instanceof Long l) return Pointer.to(new long[] {l});
        if (v instanceof Double d) return Pointer.to(new double[] {d});
        if (v instanceof KernelArgs.Struct s) return Pointer.to(s.ints());
        throw new IllegalArgumentException("kernel argument of type " + v.getClass().getSimpleName());
    }

    private void synchronizeStream() {
        int r = cuStreamSynchronize(stream);
        if (r != CUresult.CUDA_SUCCESS)
            throw new IllegalStateException("a CUDA kernel failed: " + CUresult.stringFor(r) + " (the CUDA context is unusable after this)");
    }

    @Override
    public synchronized void synchronize() {
        ensureCurrent();
        synchronizeStream();
    }

    @Override
    public Blas blas() {
        return blas;
    }

    @Override
    public Dnn dnn() {
        return dnn;
    }

    @Override
    public synchronized void close() {
        ensureCurrent();
        synchronizeStream();
    }
}
