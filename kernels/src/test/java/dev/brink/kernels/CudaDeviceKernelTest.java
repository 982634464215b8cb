package dev.brink.kernels;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every emulated kernel test once more on a real GPU (the PTX from the jar, JIT-compiled by the driver; cuBLAS and
 * cuDNN where they load), against the CPU backend. Each test is skipped, with the provider's reason, where no
 * CUDA device is usable.
 */
class CudaDeviceKernelTest {
    @Test
    void describesTheDeviceAndItsLibraries() {
        String d = DeviceFixture.cuda().describe();
        assertTrue(d.contains("sm_") && d.contains("cuBLAS") && d.contains("cuDNN"), d);
    }

    @Nested
    class Elementwise extends ElementwiseKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Reduce extends ReduceKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Indexing extends IndexingKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Pool extends PoolKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Scan extends ScanKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Random extends RandomKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Gemm extends GemmKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }

        /** On the device the cuBLAS path is the real one (or the kernel where cuBLAS does not load). */
        @Override
        @Test
        void cublasPathWithTheColumnMajorMapping() {
            checkAll(backend(), "device");
        }
    }

    @Nested
    class Conv extends ConvKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Attack extends AttackKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class LossKernels extends LossKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Emr extends EmrKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }

    @Nested
    class Optim extends OptimizerKernelTest {
        @Override
        CudaBackend backend() {
            return DeviceFixture.cuda();
        }
    }
}
