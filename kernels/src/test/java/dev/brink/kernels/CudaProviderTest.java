package dev.brink.kernels;

import dev.brink.engine.backend.BackendProvider;
import dev.brink.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery of the CUDA provider, and its reason in words where no device is usable (as on a CPU-only machine). */
class CudaProviderTest {
    static BackendProvider cuda() {
        return Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst().orElseThrow();
    }

    @Test
    void discoveredWithNameAndPriority() {
        BackendProvider p = cuda();
        assertEquals(10, p.priority());
        assertEquals(List.of("cuda", "cpu"), Backends.names().subList(0, 2), "cuda ranks before cpu");
    }

    @Test
    void probingNeverThrowsAndExplainsItself() {
        String reason = cuda().unavailableReason();
        assertEquals(reason, cuda().unavailableReason(), "probed once, same answer");
        String line = Backends.describe().stream().filter(l -> l.startsWith("cuda")).findFirst().orElseThrow();
        if (reason == null) {
            assertTrue(line.endsWith("available"), line);
            return;
        }
        assertTrue(reason.startsWith("no CUDA driver") || reason.startsWith("no CUDA device") || reason.startsWith("library missing")
                || reason.startsWith("driver too old") || reason.startsWith("no usable CUDA driver") || reason.contains("compute capability")
                || reason.startsWith("this build has no CUDA kernels") && !PtxResources.packed(), reason);
        assertTrue(line.contains("unavailable: " + reason), line);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("cuda"));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertEquals("cpu", Backends.auto().name(), "auto falls back to the CPU");
    }

    @Test
    void nativeLoadFailuresAreExplained() {
        assertTrue(CudaProbe.explain(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file")).startsWith("no CUDA driver"));
        String other = CudaProbe.explain(new UnsatisfiedLinkError("Error while loading native library \"JCublas2-11.7.0\"\nmore"));
        assertTrue(other.startsWith("library missing"), other);
        assertNotNull(CudaProbe.explain(new NoClassDefFoundError()));
    }
}
