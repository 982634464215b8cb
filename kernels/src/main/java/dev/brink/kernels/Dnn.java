package dev.brink.kernels;

import dev.brink.engine.DType;
import dev.brink.engine.backend.ConvGeometry;

/** Convolutions by a vendor library (cuDNN); {@link CudaConv} falls back to the direct convolution kernels. */
public interface Dnn {
    /** A 4-d device tensor: element offset, NCHW (or OIHW) shape and element strides. */
    record Tensor4(Device.Buffer buffer, long offset, int[] shape, int[] strides) {}

    /** Scratch memory for one library call, valid until the next call. */
    interface Workspace {
        Device.Buffer atLeast(long bytes);
    }

    /** y = conv(x, w). Returns false when the library cannot take these tensors. */
    boolean forward(DType t, Tensor4 x, Tensor4 w, ConvGeometry g, Tensor4 y, Workspace ws);

    /** dx = gradient of conv with respect to x, given gy. Returns false when the library cannot take these tensors. */
    boolean backwardData(DType t, Tensor4 gy, Tensor4 w, ConvGeometry g, Tensor4 dx, Workspace ws);

    /** dw = gradient of conv with respect to w, given x and gy. Returns false when the library cannot take these tensors. */
    boolean backwardFilter(DType t, Tensor4 x, Tensor4 gy, ConvGeometry g, Tensor4 dw, Workspace ws);

    /** Library name and version, for {@code brink info}. */
    String describe();
}
