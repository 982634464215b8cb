package dev.brink.kernels;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage of the kernels: the set compiled to PTX by nvcc (packed in the jar), the set the g++ emulator
 * registered, and {@link KernelCatalog} are equal; and every kernel is launched by the emulated test the catalog
 * names for it (run here if it has not run yet in this JVM).
 */
class KernelInventoryTest {
    static TreeSet<String> ptxKernels() {
        TreeSet<String> names = new TreeSet<>();
        for (Map.Entry<String, String> m : PtxResources.modules().entrySet()) names.addAll(PtxResources.entries(m.getValue()));
        return names;
    }

    static TreeSet<String> emulatedKernels() {
        TreeSet<String> emulated = new TreeSet<>(Emulator.shared().kernelNames());
        emulated.removeIf(n -> n.startsWith("selftest_"));
        return emulated;
    }

    @Test
    void emulatorAndCatalogAgree() {
        TreeSet<String> emulated = emulatedKernels();
        TreeSet<String> catalog = new TreeSet<>();
        for (KernelCatalog.Entry e : KernelCatalog.ENTRIES) assertTrue(catalog.add(e.kernel()), "listed twice: " + e.kernel());
        assertEquals(emulated, catalog, "kernels in the emulator (g++) vs KernelCatalog (each kernel needs its emulated test)");
        assertTrue(emulated.size() >= 70, "expected every kernel family, found " + emulated);
    }

    /** Where nvcc built the PTX (skipped, saying so, in a CPU-only build made without nvcc). */
    @Test
    void ptxAndEmulatorAgree() {
        Assumptions.assumeTrue(PtxResources.packed(), "this build has no PTX: nvcc was not on the PATH when it was built");
        assertEquals(ptxKernels(), emulatedKernels(), "kernels in PTX (nvcc) vs in the emulator (g++)");
    }

    @Test
    void everyKernelIsLaunchedByItsTest() throws Exception {
        List<String> missing = new ArrayList<>();
        for (KernelCatalog.Entry e : KernelCatalog.ENTRIES) {
            if (!EmulatedDevice.LAUNCHED.contains(e.kernel())) {
                Object test = e.test().getDeclaredConstructor().newInstance();
                Method m = e.test().getDeclaredMethod(e.method());
                m.setAccessible(true);
                m.invoke(test);
            }
            if (!EmulatedDevice.LAUNCHED.contains(e.kernel())) missing.add(e.kernel() + " (" + e.test().getSimpleName() + "." + e.method() + ")");
        }
        assertTrue(missing.isEmpty(), "kernels that their test never launched: " + missing);
    }
}
