package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.BackendProvider;
import dev.brink.engine.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CpuBackendProviderTest {
    @Test
    void providerDescribesTheSingletonCpuBackend() {
        CpuBackendProvider p = new CpuBackendProvider();
        assertEquals("cpu", p.name());
        assertEquals(0, p.priority());
        assertNull(p.unavailableReason());
        assertSame(CpuBackend.INSTANCE, p.create());
        assertEquals("cpu", CpuBackend.INSTANCE.name());
    }

    @Test
    void discoveredThroughServiceLoader() {
        boolean found = false;
        for (BackendProvider p : Backends.providers()) found |= p instanceof CpuBackendProvider;
        assertTrue(found, "CpuBackendProvider not registered in META-INF/services");
        assertSame(CpuBackend.INSTANCE, Backends.get("cpu"));
    }
}
