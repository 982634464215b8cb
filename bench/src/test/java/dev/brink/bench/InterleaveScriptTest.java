package dev.brink.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/scripts/interleave.py} (what {@code make bench-compare} runs) with two fake engines: every engine runs
 * every workload once per round, in a fresh process, engines interleaved per workload, at N and (with --one-thread)
 * 1 thread, with the OPENBLAS_* variables removed and the thread variables set; the outputs join into the table.
 */
class InterleaveScriptTest {

    /** A runner that prints one line in the harness format, recording its arguments and environment. */
    private static String fakeEngine(Path dir, String label) throws IOException {
        Path script = dir.resolve(label + ".py");
        Files.writeString(script, """
                import os, sys
                name = sys.argv[-1]
                threads = sys.argv[sys.argv.index("--threads") + 1]
                with open(os.path.join(os.path.dirname(__file__), "calls.txt"), "a") as f:
                    f.write("%s %s %s %s %s\\n" % (sys.argv[1], name, threads, os.environ.get("OPENBLAS_CORETYPE", "unset"),
                                                os.environ.get("OMP_NUM_THREADS")))
                t = 0.2 if threads == "1" else 0.1
                print("%s\\t%.6f\\tpeak_rss_mib=7\\treps=%.6f,%.6f" % (name, t, t, t))
                """);
        return label + "=/usr/bin/python3 " + script + " " + label;
    }

    @Test
    void enginesAreInterleavedPerWorkloadAndRoundAndJoinIntoTheTable(@TempDir Path dir) throws Exception {
        Path script = Path.of("scripts", "interleave.py");
        assumeTrue(Files.isRegularFile(script), "run from the bench module directory");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "Debian's /usr/bin/python3 is not installed");
        Path out = dir.resolve("out");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "--out", out.toString(), "--rounds", "2", "--threads", "2",
                "--one-thread", "--workloads", Workloads.MADRY_TRAIN + " " + Workloads.SGEMM,
                "--engine", fakeEngine(dir, "Brink"), "--engine", fakeEngine(dir, "PyTorch"), "--", "--reps", "2");
        pb.environment().put("OPENBLAS_CORETYPE", "Haswell");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), log);
        assertEquals(0, p.exitValue(), log);

        List<String> calls = Files.readAllLines(dir.resolve("calls.txt"));
        // round 1: madry at 2 threads (Brink, PyTorch), at 1 thread (Brink, PyTorch), then sgemm likewise; round 2 again
        assertEquals(16, calls.size(), String.join("\n", calls));
        assertEquals(List.of("Brink " + Workloads.MADRY_TRAIN + " 2 unset 2", "PyTorch " + Workloads.MADRY_TRAIN + " 2 unset 2",
                "Brink " + Workloads.MADRY_TRAIN + " 1 unset 1", "PyTorch " + Workloads.MADRY_TRAIN + " 1 unset 1",
                "Brink " + Workloads.SGEMM + " 2 unset 2"), calls.subList(0, 5));
        assertEquals(calls.subList(0, 8), calls.subList(8, 16));

        Map<String, CompareTable.Runs> brink = CompareTable.read(out.resolve("brink.tsv"));
        assertEquals(4, brink.get(Workloads.MADRY_TRAIN).seconds().size(), "2 rounds x 2 reps pooled");
        assertEquals(4, CompareTable.read(out.resolve("pytorch-1thread.tsv")).get(Workloads.MADRY_TRAIN).seconds().size());
        assertEquals(7, brink.get(Workloads.MADRY_TRAIN).peakRss());
        String load = Files.readString(out.resolve("othercpu.tsv"));
        assertTrue(load.startsWith("Brink\t") && load.contains("\nPyTorch\t"), load);
        String scaling = CompareTable.scalingTable(
                List.of(brink, Map.of(), CompareTable.read(out.resolve("pytorch.tsv"))),
                List.of(CompareTable.read(out.resolve("brink-1thread.tsv")), Map.of(), CompareTable.read(out.resolve("pytorch-1thread.tsv"))), 2);
        assertTrue(scaling.contains("| " + Workloads.MADRY_TRAIN + " | 0.2 / 0.1 | 2.00 | 0.2 / 0.1 | 2.00 |"), scaling);
        assertFalse(Files.exists(out.resolve("dl4j.tsv")));
    }

    /** With --keep-going (make gpu-check) a failing runner costs its own workload only: the others still run. */
    @Test
    void keepGoingRecordsAFailedRunAsNaAndRunsTheRest(@TempDir Path dir) throws Exception {
        Path script = Path.of("scripts", "interleave.py");
        assumeTrue(Files.isRegularFile(script), "run from the bench module directory");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "Debian's /usr/bin/python3 is not installed");
        Path failing = dir.resolve("failing.py");
        Files.writeString(failing, """
                import sys
                name = sys.argv[-1]
                if name == "%s":
                    sys.stderr.write("out of device memory\\n")
                    sys.exit(3)
                print("%%s\\t0.1\\tpeak_rss_mib=7\\treps=0.1" %% name)
                """.formatted(Workloads.MADRY_TRAIN));
        Path out = dir.resolve("out");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "--out", out.toString(), "--rounds", "1", "--threads", "1",
                "--keep-going", "--workloads", Workloads.MADRY_TRAIN + " " + Workloads.SGEMM,
                "--engine", "Brink=/usr/bin/python3 " + failing, "--engine", fakeEngine(dir, "PyTorch"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), log);
        assertEquals(1, p.exitValue(), "exit 1 after the remaining runs:\n" + log);
        assertTrue(log.contains("Brink failed on " + Workloads.MADRY_TRAIN + " (exit 3)"), log);
        assertEquals(List.of(Workloads.MADRY_TRAIN + "\tn/a\tfailed=exit 3: out of device memory", Workloads.SGEMM + "\t0.1\tpeak_rss_mib=7\treps=0.1"),
                Files.readAllLines(out.resolve("brink.tsv")));
        assertEquals(2, Files.readAllLines(out.resolve("pytorch.tsv")).size(), "PyTorch ran both workloads");
        assertTrue(Files.readString(out.resolve("brink.log")).contains("out of device memory"));
        assertTrue(Double.isNaN(CompareTable.read(out.resolve("brink.tsv")).get(Workloads.MADRY_TRAIN).median()));
    }

    /** --run-timeout stops a run that hangs (a GPU workload that never ends would eat make gpu-check's budget). */
    @Test
    void runTimeoutStopsARunAndRecordsWhy(@TempDir Path dir) throws Exception {
        Path script = Path.of("scripts", "interleave.py");
        assumeTrue(Files.isRegularFile(script), "run from the bench module directory");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "Debian's /usr/bin/python3 is not installed");
        Path hanging = dir.resolve("hanging.py");
        Files.writeString(hanging, """
                import sys, time
                name = sys.argv[-1]
                if name == "%s":
                    time.sleep(60)
                print("%%s\\t0.1\\treps=0.1" %% name)
                """.formatted(Workloads.MADRY_TRAIN));
        Path out = dir.resolve("out");
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", script.toString(), "--out", out.toString(), "--rounds", "1", "--threads", "1",
                "--keep-going", "--run-timeout", "1", "--workloads", Workloads.MADRY_TRAIN + " " + Workloads.SGEMM,
                "--engine", "Brink=/usr/bin/python3 " + hanging);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), log);
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "the hanging run was not stopped");
        assertEquals(1, p.exitValue(), log);
        assertEquals(List.of(Workloads.MADRY_TRAIN + "\tn/a\tfailed=exit 124: timeout after 1 s", Workloads.SGEMM + "\t0.1\treps=0.1"),
                Files.readAllLines(out.resolve("brink.tsv")));
    }
}
