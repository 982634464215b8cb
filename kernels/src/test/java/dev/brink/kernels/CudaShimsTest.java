package dev.brink.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shims of {@code make cuda-shims} (built with this module): JCublas and JCudnn 11.7.0 load through them (the
 * cuBLAS 11 and cuDNN 8 symbol versions are defined), and where no cuBLAS 12/13 or cuDNN 9 exists, as here, the
 * forwarded functions answer with the libraries' own error statuses instead of ending the process. On an H200
 * with CUDA 13 the same shims gave the CUDA backend cuBLAS 13.1 (docs/kernels.md).
 */
class CudaShimsTest {
    @Test
    void jcudaLoadsThroughTheShimsAndGetsAnErrorStatusWithoutTheRealLibraries() throws IOException, InterruptedException {
        Path shims = Path.of("target", "cuda-shims").toAbsolutePath();
        assertTrue(Files.isRegularFile(shims.resolve("libcublas.so.11")) && Files.isRegularFile(shims.resolve("libcudnn.so.8")),
                "the build makes the shims (make cuda-shims) in " + shims);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), ShimProbe.class.getName());
        pb.environment().put("LD_LIBRARY_PATH", shims.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe hung");
        assertEquals(0, p.exitValue(), "the probe failed:\n" + out);
        List<String> lines = out.lines().filter(l -> l.startsWith("cu")).toList();
        assertEquals(2, lines.size(), out);
        String libraries = installedLibraries();
        // CUBLAS_STATUS_NOT_INITIALIZED and CUDNN_STATUS_NOT_SUPPORTED where no real library stands behind a shim;
        // where one does (a GPU machine), the call reached it and returned its own status
        if (!libraries.contains("libcublas.so.13") && !libraries.contains("libcublas.so.12"))
            assertEquals("cublasCreate 1", lines.get(0), out);
        if (!libraries.contains("libcudnn.so.9"))
            assertEquals("cudnnCreate 9", lines.get(1), out);
    }

    /** This JVM's class path plus where the probe and JCuda were loaded from (a test launcher may add its own). */
    private static String classPath() {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (Class<?> c : new Class<?>[] {ShimProbe.class, jcuda.Pointer.class, jcuda.jcublas.JCublas2.class, jcuda.jcudnn.JCudnn.class}) {
            try {
                cp.append(java.io.File.pathSeparator).append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (java.net.URISyntaxException | NullPointerException e) {
                // not loaded from a file: the class path has to do
            }
        }
        return cp.toString();
    }

    /** The dynamic linker's cache ({@code ldconfig -p}), or "" where it cannot be read. */
    private static String installedLibraries() {
        for (String ldconfig : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"}) {
            try {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) return out;
            } catch (IOException | InterruptedException e) {
                // try the next path
            }
        }
        return "";
    }
}
