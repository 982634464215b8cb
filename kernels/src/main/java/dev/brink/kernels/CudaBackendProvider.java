package dev.brink.kernels;

import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.BackendProvider;

/**
 * Service entry for the CUDA backend: name "cuda", priority 10 (preferred over the CPU by {@code auto}). Creating
 * the provider loads nothing; {@link #unavailableReason()} probes the driver once (see {@link CudaProbe}).
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public String unavailableReason() {
        return CudaProbe.unavailableReason();
    }

    @Override
    public Backend create() {
        try {
            return new CudaBackend(JCudaDevice.open(CudaProbe.deviceOrdinal()));
        } catch (LinkageError e) {
            throw new IllegalStateException("cuda: cannot start the backend: " + CudaProbe.explain(e), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cuda: cannot start the backend: " + e.getMessage(), e);
        }
    }
}
