package dev.brink.app.cli;

import dev.brink.app.cli.Fixtures.Run;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.brink.app.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13, cases 3 and 5 through the commands: no output replaces a non-file, and every command that writes
 * checks its outputs before any work (the errors come before the "loading ..." or "model ..." lines), naming the
 * option and the path.
 */
class OutputSafetyTest {
    @TempDir
    static Path dir;
    static Path data, spec, model;

    static final String SPEC = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":6},{\"type\":\"tanh\"},{\"type\":\"linear\",\"out\":2}]}";

    @BeforeAll
    static void setUp() throws IOException {
        data = dir.resolve("toy");
        Files.createDirectories(data);
        Fixtures.idx(data, 100, 40, i -> i % 2);
        spec = dir.resolve("tiny.json");
        Files.writeString(spec, SPEC);
        model = dir.resolve("tiny.safetensors");
        Map<String, Tensor> st = new TreeMap<>();
        st.put("layers.1.weight", Tensor.of(new float[6 * 16], 6, 16));
        st.put("layers.1.bias", Tensor.of(new float[6], 6));
        st.put("layers.3.weight", Tensor.of(new float[12], 2, 6));
        st.put("layers.3.bias", Tensor.of(new float[] {0.1f, -0.1f}, 2));
        ModelFile.save(model, st, new ModelInfo(SPEC, ""));
    }


    static boolean sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A character device like /dev/null: made with mknod where allowed (root), else /dev/null itself (not replaceable then). */
    static Path nullDevice(Path p) {
        return sh("mknod", p.toString(), "c", "1", "3") ? p : Path.of("/dev/null");
    }

    static boolean isCharacterDevice(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0020000;
    }

    private static Run train(Path output, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--spec", spec.toString(), "--data", data.toString(), "--epochs", "1",
                "--batch-size", "20", "-o", output.toString()));
        a.addAll(List.of(more));
        return run(a.toArray(String[]::new));
    }

    /** The command failed before any work, with an error that starts as given. */
    private static void refusedEarly(Run r, String start) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(start), "expected '" + start + "' in: " + r.err());
        assertFalse(r.out().contains("loading") || r.out().contains("model ") || r.out().contains("epoch"),
                "failed only after starting the work: " + r.out());
    }

    // ------------------------------------------------------------------ case 3: -o replaces only regular files

    @Test
    void trainRefusesADeviceNodeAndWritesNoCheckpointBesideIt() throws IOException {
        Path dev = nullDevice(dir.resolve("null-device"));
        refusedEarly(train(dev), "-o " + dev + ": is a character device");
        assertTrue(isCharacterDevice(dev), dev + " was replaced");
        assertFalse(Files.exists(Path.of(dev + ".ckpt")));
        assertFalse(Files.exists(dev.resolveSibling(dev.getFileName() + ".log.csv")));
    }

    @Test
    void trainRefusesAFifoASymlinkAndADirectory() throws IOException {
        Path fifo = dir.resolve("fifo.safetensors");
        assertTrue(sh("mkfifo", fifo.toString()));
        refusedEarly(train(fifo), "-o " + fifo + ": is a FIFO");
        assertFalse(Files.isRegularFile(fifo));

        Path real = dir.resolve("real.safetensors");
        Files.writeString(real, "not touched");
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real);
        refusedEarly(train(link), "-o " + link + ": is a symbolic link to " + real);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("not touched", Files.readString(real));

        Path d = Files.createDirectories(dir.resolve("models-dir"));
        refusedEarly(train(d), "-o " + d + ": is a directory");
        assertTrue(Files.isDirectory(d));
    }

    @Test
    void trainChecksItsCheckpointLogAndBestFilesToo() throws IOException {
        Path out = dir.resolve("side/m.safetensors");
        Files.createDirectories(dir.resolve("side/m.safetensors.ckpt"));
        refusedEarly(train(out), "-o (its checkpoint) " + dir.resolve("side/m.safetensors.ckpt") + ": is a directory");
        Files.delete(dir.resolve("side/m.safetensors.ckpt"));
        Files.createDirectories(dir.resolve("side/m.log.csv"));
        refusedEarly(train(out), "-o (its training log) " + dir.resolve("side/m.log.csv") + ": is a directory");
        Files.delete(dir.resolve("side/m.log.csv"));
        Files.createDirectories(dir.resolve("side/m.best.safetensors"));
        refusedEarly(train(out, "--validation", "20"), "-o (its best-model file) " + dir.resolve("side/m.best.safetensors") + ": is a directory");
        assertFalse(Files.exists(out));
    }

    @Test
    void staleTemporaryFilesOfAKilledRunAreRemovedByTheNextRun() throws IOException {
        Path out = dir.resolve("stale/m.safetensors");
        Files.createDirectories(out.getParent());
        FileTime dayAgo = FileTime.fromMillis(System.currentTimeMillis() - 24L * 3600 * 1000);
        Path[] left = {out.resolveSibling(".m.safetensors.tmp-0123456789abcdef"), out.resolveSibling(".m.safetensors.ckpt.tmp-00112233445566ff"),
                out.resolveSibling(".m.log.csv.tmp-a1b2c3d4e5f60789")};
        for (Path p : left) {
            Files.writeString(p, "half a file of a killed run");
            Files.setLastModifiedTime(p, dayAgo);
        }
        Path foreign = out.resolveSibling(".notes.txt.tmp-0123456789abcdef");
        Files.writeString(foreign, "another file's");
        Files.setLastModifiedTime(foreign, dayAgo);
        Run r = train(out);
        assertEquals(0, r.code(), r.out() + r.err());
        for (Path p : left) assertFalse(Files.exists(p), p + " is left");
        assertTrue(Files.exists(foreign), "a temporary file of another target is not touched");
    }

    // ------------------------------------------------------------------ case 5: outputs are checked before the work

    @Test
    void aDirectoryWhereNothingCanBeCreatedFailsBeforeTraining() {
        Path ro = Path.of("/proc/brink-test/m.safetensors"); // /proc refuses new files and folders, even to root
        Run r = train(ro);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("-o " + ro + ": cannot create directory"), r.err());
        assertFalse(r.out().contains("loading"), r.out());
        Path ro2 = Path.of("/proc/m.safetensors");
        refusedEarly(train(ro2), "-o " + ro2 + ": cannot create a file in /proc");
    }

    @Test
    void aFullDiskNamesTheFileThatCouldNotBeWritten() throws IOException {
        Path mnt = Files.createDirectories(dir.resolve("tiny-fs"));
        org.junit.jupiter.api.Assumptions.assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", mnt.toString()),
                "needs root to mount a 12 KiB tmpfs (AtomicFilesTest covers the message without it)");
        try {
            // a model of about 16k parameters (64 KB) cannot fit: the first checkpoint fails, after the checks passed
            String big = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":1000},{\"type\":\"linear\",\"out\":2}]}";
            Path bigSpec = dir.resolve("big.json");
            Files.writeString(bigSpec, big);
            Path out = mnt.resolve("m.safetensors");
            Run r = run("train", "--spec", bigSpec.toString(), "--data", data.toString(), "--epochs", "1", "--batch-size", "50", "-o", out.toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains(mnt + "/m.safetensors") && r.err().contains("No space left on device"), r.err());
            try (var s = Files.list(mnt)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary file is left");
            }
        } finally {
            sh("umount", "-l", mnt.toString());
        }
    }

    @Test
    void attackSweepAndAutoattackCheckOutBeforeLoadingAnything() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        refusedEarly(run("attack", model.toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0.1", "--out", file.toString()),
                "--out " + file + ": " + file + " is a regular file, not a directory");
        refusedEarly(run("sweep", model.toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0:0.2:0.1", "--out", file.toString()),
                "--out " + file + ": " + file + " is a regular file, not a directory");
        refusedEarly(run("autoattack", model.toString(), "--data", data.toString(), "--eps", "0.1", "--out", file.toString()),
                "--out " + file + ": " + file + " is a regular file, not a directory");
        Path out = dir.resolve("attack-out");
        Files.createDirectories(out.resolve("index.html"));
        refusedEarly(run("attack", model.toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0.1", "--out", out.toString()),
                "--out " + out.resolve("index.html") + ": is a directory");
        Path adv = dir.resolve("attack-out2");
        Files.createDirectories(adv.resolve("adversarial.safetensors"));
        refusedEarly(run("attack", model.toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0.1", "--out", adv.toString()),
                "--out " + adv.resolve("adversarial.safetensors") + ": is a directory");
    }

    @Test
    void jsonFilesAndImportAndDemoOutputsAreCheckedFirst() throws IOException {
        Path d = Files.createDirectories(dir.resolve("json-dir"));
        refusedEarly(run("eval", model.toString(), "--data", data.toString(), "--json=" + d), "--json " + d + ": is a directory");
        refusedEarly(run("attack", model.toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0.1", "--out", dir.resolve("a1").toString(),
                "--json=" + d), "--json " + d + ": is a directory");
        refusedEarly(run("import", model.toString(), "--spec", spec.toString(), "-o", d.toString()), "-o " + d + ": is a directory");
        Path file = dir.resolve("demo-file");
        Files.writeString(file, "x");
        refusedEarly(run("demo", "--quick", "--out", file.toString(), "--models", dir.resolve("demo-models").toString()),
                "--out " + file + ": " + file + " is a regular file, not a directory");
        refusedEarly(run("demo", "--quick", "--out", dir.resolve("demo-out").toString(), "--models", file.toString()),
                "--models " + file + ": " + file + " is a regular file, not a directory");
    }
}
