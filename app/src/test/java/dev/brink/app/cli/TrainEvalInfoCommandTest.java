package dev.brink.app.cli;

import dev.brink.app.cli.Fixtures.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.brink.app.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.*;

/** brink train / eval / info end to end on a tiny MNIST-format data set written by the test. */
class TrainEvalInfoCommandTest {
    @TempDir
    static Path dir;
    static Path data;

    /** 4x4 images, two classes (bright left half vs bright right half), in IDX format like MNIST. */
    @BeforeAll
    static void writeData() throws IOException {
        data = dir.resolve("toy");
        Files.createDirectories(data);
        Fixtures.idx(data, 200, 60, i -> i % 2);
    }


    private static final String SPEC = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":8},{\"type\":\"tanh\"},{\"type\":\"linear\",\"out\":2}]}";

    @Test
    void trainWritesAModelThatEvalAndInfoRead() throws IOException {
        Path spec = dir.resolve("tiny.json");
        Files.writeString(spec, SPEC);
        Path model = dir.resolve("out/tiny.safetensors");
        Run t = run("train", "--spec", spec.toString(), "--data", data.toString(), "--epochs", "3", "--batch-size", "20",
                "--lr", "0.05", "--seed", "3", "-o", model.toString());
        assertEquals(0, t.code(), t.out() + t.err());
        assertTrue(t.out().contains("epoch 3/3"), t.out());
        assertTrue(Files.exists(model) && Files.exists(dir.resolve("out/tiny.safetensors.ckpt")));

        Run e = run("eval", model.toString(), "--data", data.toString());
        assertEquals(0, e.code(), e.out() + e.err());
        double acc = Double.parseDouble(e.out().replaceAll("(?s).*accuracy ([0-9.]+).*", "$1"));
        assertTrue(acc > 0.95, e.out());

        Run em = run("eval", model.toString(), "--data", data.toString(), "--effective-margins");
        assertEquals(0, em.code(), em.out() + em.err());
        java.util.regex.Matcher mm = java.util.regex.Pattern.compile("effective margin \\(Liu and Chan\\): mean ([-0-9.]+), std ([0-9.]+) over (\\d+) samples").matcher(em.out());
        assertTrue(mm.find(), em.out());
        assertTrue(Double.parseDouble(mm.group(1)) > 0 && Double.parseDouble(mm.group(2)) > 0, em.out());

        Run i = run("info", model.toString());
        assertEquals(0, i.code(), i.out() + i.err());
        assertTrue(i.out().contains("parameters  154 in 4 tensors") && i.out().contains("Linear(16 -> 8)") && i.out().contains("brink.epochs"), i.out());
    }

    @Test
    void resumeContinuesAnInterruptedRunToTheSameWeights() throws IOException {
        Path spec = dir.resolve("tiny2.json");
        Files.writeString(spec, SPEC);
        Path straight = dir.resolve("a/m.safetensors");
        Path split = dir.resolve("b/m.safetensors");
        String[] common = {"--data", data.toString(), "--batch-size", "20", "--seed", "5", "--optimizer", "sgd", "--lr", "0.1", "--schedule", "step:1:0.5"};
        assertEquals(0, run(concat(new String[] {"train", "--spec", spec.toString(), "--epochs", "3", "-o", straight.toString()}, common)).code());
        assertEquals(0, run(concat(new String[] {"train", "--spec", spec.toString(), "--epochs", "1", "-o", split.toString()}, common)).code());
        Run r = run(concat(new String[] {"train", "--resume", "--epochs", "3", "-o", split.toString()}, common));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("resuming") && r.out().contains("epoch 2 of 3"), r.out());
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(split), "same weights and metadata byte for byte");
    }

    @Test
    void badInputIsNamed() throws IOException {
        Run unknown = run("train", "--model", "lenet", "--data", data.toString(), "-o", dir.resolve("x.safetensors").toString());
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("unknown zoo model 'lenet'"), unknown.err());

        Path corrupt = dir.resolve("corrupt.safetensors");
        Files.write(corrupt, new byte[] {1, 2, 3});
        Run c = run("eval", corrupt.toString(), "--data", data.toString());
        assertNotEquals(0, c.code());
        assertTrue(c.err().contains("corrupt.safetensors"), c.err());

        Run d = run("eval", corrupt.toString(), "--data", dir.resolve("nowhere").toString());
        assertNotEquals(0, d.code());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
