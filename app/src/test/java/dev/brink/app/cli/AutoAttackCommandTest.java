package dev.brink.app.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** brink autoattack end to end on the tiny two-class model and data of AttackSweepCommandTest. */
class AutoAttackCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        AttackSweepCommandTest.dir = dir; // the shared fixture: a tiny two-class IDX data set and a model trained on it
        AttackSweepCommandTest.setUp();
    }

    @Test
    void customListPrintsEachAttackWritesPerSampleResultsAndResumes() throws IOException {
        Path out = dir.resolve("aa");
        String[] cmd = {"autoattack", AttackSweepCommandTest.model.toString(), "--data", AttackSweepCommandTest.data.toString(), "--version", "custom",
                "-a", "fgsm", "-a", "pgd:steps=10,restarts=2", "--eps", "0.3", "--batch-size", "16", "--out", out.toString()};
        Fixtures.Run r = Fixtures.run(cmd);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("robust accuracy after fgsm"), r.out());
        assertTrue(r.out().contains("robust accuracy after pgd:steps=10,restarts=2"), r.out());
        double clean = AttackSweepCommandTest.number(r.out(), "clean accuracy");
        double robust = AttackSweepCommandTest.number(r.out(), "robust accuracy   ");
        assertTrue(robust <= clean, r.out());
        Path csv = out.resolve("per-sample.csv");
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("index,label,clean_prediction")), String.join("\n", lines));
        assertEquals(60, lines.stream().filter(l -> !l.startsWith("#") && !l.startsWith("index")).count());
        assertTrue(Files.isRegularFile(out.resolve("adversarial.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("results.json")));

        Fixtures.Run again = Fixtures.run(cmd);
        assertNotEquals(0, again.code(), "an earlier run in --out is not replaced silently");
        assertTrue(again.err().contains("--resume"), again.err());

        String before = Files.readString(csv);
        String[] resume = java.util.Arrays.copyOf(cmd, cmd.length + 1);
        resume[cmd.length] = "--resume";
        Fixtures.Run resumed = Fixtures.run(resume);
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("60 of 60 points already final"), resumed.out());
        assertEquals(before.replaceAll("seconds=[0-9.]+", ""), Files.readString(csv).replaceAll("seconds=[0-9.]+", ""), "a finished run resumes to the same results");

        String[] otherEps = resume.clone();
        otherEps[java.util.Arrays.asList(otherEps).indexOf("0.3")] = "0.2";
        Fixtures.Run mismatch = Fixtures.run(otherEps);
        assertNotEquals(0, mismatch.code());
        assertTrue(mismatch.err().contains("eps was '0.3', now '0.2'"), mismatch.err());
    }

    @Test
    void badOptionsAreRefusedBeforeAnyWork() {
        Fixtures.Run r = Fixtures.run("autoattack", AttackSweepCommandTest.model.toString(), "--data", AttackSweepCommandTest.data.toString(), "--eps", "0.3",
                "--version", "custom", "-a", "pgd:nosuch=1", "--out", dir.resolve("bad").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("nosuch"), r.err());
        r = Fixtures.run("autoattack", AttackSweepCommandTest.model.toString(), "--data", AttackSweepCommandTest.data.toString(), "--eps", "0.3", "--version", "fancy");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown AutoAttack version 'fancy'"), r.err());
        r = Fixtures.run("autoattack", AttackSweepCommandTest.model.toString(), "--data", AttackSweepCommandTest.data.toString(), "--eps", "0.3", "-a", "fgsm");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--version custom"), r.err());
    }
}
