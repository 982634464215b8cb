package dev.brink.app.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, case 1, through the CLI: a 152-byte model file whose spec declares linear 784 -> 1,000,000 and holds no
 * tensors made {@code brink info} allocate 3.2 GB and die of an OutOfMemoryError; a sparse file with an extra
 * 1.6e9-element U8 tensor was read whole. Both now fail from the header with the tensors named, also in a JVM whose
 * heap (64 MB) could not hold what they declare.
 */
class ModelFileLimitsCommandTest {
    static final String MILLION = "{\"input\":[784],\"layers\":[{\"type\":\"linear\",\"out\":1000000}]}";
    static final String TEN = "{\"input\":[784],\"layers\":[{\"type\":\"linear\",\"out\":10}]}";

    @TempDir
    static Path dir;
    static Path tiny, extra, good;

    @BeforeAll
    static void craft() throws IOException {
        tiny = Fixtures.sparse(dir.resolve("tiny.safetensors"), Map.of("brink.format", "1", "brink.spec", MILLION), "", 0);
        extra = Fixtures.sparse(dir.resolve("extra.safetensors"), Map.of("brink.format", "1", "brink.spec", TEN),
                "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]},"
                        + "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[10,784],\"data_offsets\":[40,31400]},"
                        + "\"extra\":{\"dtype\":\"U8\",\"shape\":[1600000000],\"data_offsets\":[31400,1600031400]}", 1_600_031_400L);
        good = Fixtures.sparse(dir.resolve("good.safetensors"), Map.of("brink.format", "1", "brink.spec", TEN),
                "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]},"
                        + "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[10,784],\"data_offsets\":[40,31400]}", 31_400);
    }

    static final String TINY_MISSING = "missing: layers.0.weight [1000000, 784] float32";
    static final String EXTRA_UNEXPECTED = "unexpected: extra [1600000000] int32";

    @Test
    void infoRefusesBothFilesFromTheirHeaders() throws IOException {
        assertTrue(Files.size(tiny) <= 152, "the issue's file is 152 bytes, this one " + Files.size(tiny));
        Fixtures.Run t = Fixtures.run("info", tiny.toString());
        assertEquals(1, t.code(), t.all());
        assertTrue(t.err().contains(tiny + ": state dict does not match the model (2 problems)") && t.err().contains(TINY_MISSING)
                && t.err().contains("missing: layers.0.bias [1000000] float32"), t.err());
        Fixtures.Run e = Fixtures.run("info", extra.toString());
        assertEquals(1, e.code(), e.all());
        assertTrue(e.err().contains(extra + ": state dict does not match the model (1 problem)") && e.err().contains(EXTRA_UNEXPECTED), e.err());
        Fixtures.Run g = Fixtures.run("info", good.toString());
        assertEquals(0, g.code(), g.all());
        assertTrue(g.out().contains("parameters  7,850 in 2 tensors"), g.out());
    }

    @Test
    void aSixtyFourMegabyteHeapIsEnough() throws Exception {
        assertSmallHeapRun(good, 0, "parameters  7,850");
        assertSmallHeapRun(tiny, 1, TINY_MISSING);
        assertSmallHeapRun(extra, 1, EXTRA_UNEXPECTED);
    }

    /** {@code brink info FILE} in a fresh JVM with -Xmx64m: the exit code, and {@code text} in its output, and no OutOfMemoryError. */
    private static void assertSmallHeapRun(Path file, int code, String text) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), BrinkCli.class.getName(), "--backend", "cpu", "info", file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, "brink info " + file + " still running after 120 s: " + out);
        assertFalse(out.contains("OutOfMemoryError"), out);
        assertEquals(code, p.exitValue(), out);
        assertTrue(out.contains(text), out);
    }
}
