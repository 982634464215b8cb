package dev.brink.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code make gpu-check} (scripts/gpu-check.sh) runs the device tests on a lent GPU machine through the JUnit
 * console, selected by the class-name pattern {@code DEVICE_TESTS} in the script. Every test class here that takes
 * its backend from {@link DeviceFixture} (a test that needs a GPU) must match it, or it would never run on a GPU;
 * the emulated tests, which the CPU machines run, must not. Where no GPU is listed the script stops at once, saying
 * why. (The whole script runs without a GPU in {@code make gpu-check-dry}, too slow for this suite.)
 */
class GpuCheckSelectionTest {
    static final Path SCRIPT = Path.of("..", "scripts", "gpu-check.sh");
    static final Path TESTS = Path.of("src", "test", "java");

    /** The script's DEVICE_TESTS pattern, as the JUnit console's --include-classname reads it (a Java regex). */
    static Pattern deviceTests() throws IOException {
        Matcher m = Pattern.compile("(?m)^DEVICE_TESTS='([^']+)'$").matcher(Files.readString(SCRIPT));
        assertTrue(m.find(), "no DEVICE_TESTS='...' line in " + SCRIPT);
        return Pattern.compile(m.group(1));
    }

    private static final Pattern USES_FIXTURE = Pattern.compile("DeviceFixture\\.(cuda|assumeDevice)\\(");

    /** Fully qualified names of the test sources that call DeviceFixture's cuda() or assumeDevice(). */
    static List<String> deviceTestClasses() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = TESTS.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".").replaceAll("\\.java$", "");
                if (!name.endsWith(".DeviceFixture") && USES_FIXTURE.matcher(Files.readString(f)).find()) names.add(name);
            }
        }
        return names;
    }

    @Test
    void everyTestThatNeedsAGpuIsSelectedAndNoEmulatedOne() throws IOException {
        Pattern p = deviceTests();
        List<String> device = deviceTestClasses();
        assertTrue(device.size() >= 3, "expected the CudaDevice*Test classes, found " + device);
        for (String c : device) {
            assertTrue(p.matcher(c).matches(), c + " needs a GPU (DeviceFixture) but make gpu-check's DEVICE_TESTS " + p + " leaves it out: name it CudaDevice*Test");
            assertTrue(p.matcher(c + "$Nested").matches(), "nested classes of " + c);
        }
        for (String c : List.of("dev.brink.kernels.CudaProviderTest", "dev.brink.kernels.CudaShimsTest"))
            assertTrue(p.matcher(c).matches(), c);
        for (String c : List.of("dev.brink.kernels.ElementwiseKernelTest", "dev.brink.engine.vectors.EmulatedCudaOpVectorTest",
                "dev.brink.kernels.KernelInventoryTest", "dev.brink.kernels.GpuCheckSelectionTest"))
            assertFalse(p.matcher(c).matches(), c + " runs here, not in make gpu-check");
    }

    /** nvidia-smi that lists no device (as on a machine whose GPU is gone): exit 2 at once, nothing written. */
    @Test
    void stopsAtOnceWithExit2WhereNoGpuIsListed(@TempDir Path dir) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho 'No devices were found'\nexit 6\n");
        assertTrue(smi.toFile().setExecutable(true));
        Path out = Files.createDirectories(dir.resolve("out"));
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("OUT", out.toString());
        pb.environment().remove("GPU_CHECK_DRY");
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), text);
        assertEquals(2, p.exitValue(), text);
        assertTrue(text.contains("no CUDA device here: nvidia-smi lists none (No devices were found)") && text.contains("GPU_CHECK_DRY=1"), text);
        try (Stream<Path> written = Files.list(out)) {
            assertEquals(0, written.count(), "stopped before writing anything");
        }
    }
}
