package dev.brink.kernels;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.util.Locale;

/** The JCuda side of {@link CudaProbe}: cuInit, a device, a recent enough driver and compute capability. */
final class JCudaProbe {
    /** Oldest driver API that can JIT the kernels' PTX (ISA 7.0: CUDA 11.0). */
    static final int MIN_DRIVER = 11000;
    /** The PTX targets sm_80. */
    static final int MIN_CC = 80;

    private JCudaProbe() {}

    static String probe(int ordinal) {
        JCudaDriver.setExceptionsEnabled(false);
        int r = JCudaDriver.cuInit(0);
        if (r == CUresult.CUDA_ERROR_NO_DEVICE) return "no CUDA device (the driver found none)";
        if (r != CUresult.CUDA_SUCCESS) return "no usable CUDA driver (cuInit: " + CUresult.stringFor(r) + ")";
        int[] v = new int[1];
        JCudaDriver.cuDriverGetVersion(v);
        if (v[0] < MIN_DRIVER)
            return String.format(Locale.ROOT, "driver too old: it supports CUDA %s, the kernels need %s or newer", version(v[0]), version(MIN_DRIVER));
        int[] count = new int[1];
        r = JCudaDriver.cuDeviceGetCount(count);
        if (r != CUresult.CUDA_SUCCESS || count[0] == 0) return "no CUDA device";
        if (ordinal < 0 || ordinal >= count[0]) return "no CUDA device " + ordinal + " (" + count[0] + " present)";
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, ordinal);
        int[] major = new int[1], minor = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        int cc = major[0] * 10 + minor[0];
        if (cc < MIN_CC)
            return "device " + ordinal + " has compute capability " + major[0] + "." + minor[0] + "; the kernels need 8.0 or newer";
        return null;
    }

    static String version(int v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }
}
