package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.Backend;
import dev.brink.engine.backend.BackendProvider;

/** Service entry for the CPU backend: name "cpu", priority 0, always available. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend create() {
        return CpuBackend.INSTANCE;
    }
}
