package dev.brink.kernels;

import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;

/** Run by {@link CudaShimsTest} in a child JVM: prints the status of cublasCreate and cudnnCreate. */
public final class ShimProbe {
    private ShimProbe() {}

    public static void main(String[] args) {
        JCublas2.setExceptionsEnabled(false);
        JCudnn.setExceptionsEnabled(false);
        System.out.println("cublasCreate " + JCublas2.cublasCreate(new cublasHandle()));
        System.out.println("cudnnCreate " + JCudnn.cudnnCreate(new cudnnHandle()));
    }
}
