package dev.brink.kernels;

import dev.brink.engine.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/** The real CUDA backend for the device tests, or a skipped test (with the provider's reason) where none runs. */
public final class DeviceFixture {
    private DeviceFixture() {}

    /** The provider's reason, or null where a CUDA device is usable. */
    public static String unavailableReason() {
        return new CudaBackendProvider().unavailableReason();
    }

    /** Skips the calling test (or class, from a {@code @BeforeAll}) unless a CUDA device is usable. */
    public static void assumeDevice() {
        String reason = unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "no CUDA device here: " + reason);
    }

    /** The CUDA backend of this process; skips the test where no device is usable. */
    public static CudaBackend cuda() {
        assumeDevice();
        return (CudaBackend) Backends.get("cuda");
    }
}
