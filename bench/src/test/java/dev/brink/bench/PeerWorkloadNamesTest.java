package dev.brink.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The PyTorch script lists the same workloads, in the same order (without importing torch, so it is fast). */
class PeerWorkloadNamesTest {

    @Test
    void pytorchScriptListsTheSameWorkloads() throws IOException, InterruptedException {
        Path script = Path.of("pytorch", "workloads.py");
        assumeTrue(Files.isRegularFile(script), "run from the bench module directory");
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "Debian's /usr/bin/python3 is not installed");
        Process p = new ProcessBuilder(python.toString(), script.toString(), "--list").redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        assumeTrue(done, "python did not answer in time");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        List<String> names = Arrays.stream(out.strip().split("\n")).map(String::strip).toList();
        assertEquals(Workloads.NAMES, names);
    }
}
