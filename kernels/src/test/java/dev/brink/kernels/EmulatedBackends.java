package dev.brink.kernels;

import dev.brink.engine.backend.Backend;

/** Public access, for tests in other packages, to the CUDA backend over the shared kernel emulator. */
public final class EmulatedBackends {
    private EmulatedBackends() {}

    /** The CUDA backend over the emulator (one per JVM). */
    public static Backend cuda() {
        return KernelTestSupport.emulated();
    }

    /** Names of the kernels launched on emulated devices so far in this JVM. */
    public static java.util.Set<String> launched() {
        return EmulatedDevice.LAUNCHED;
    }
}
