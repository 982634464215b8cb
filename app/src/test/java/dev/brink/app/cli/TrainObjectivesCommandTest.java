package dev.brink.app.cli;

import dev.brink.app.cli.Fixtures.Run;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.Checkpoint;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import dev.brink.robust.train.Objectives;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.brink.app.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * brink train with objectives: --objective (summed), --train-attack, --validation with the best model, the training
 * log, --resume with the settings from the checkpoint, and brink bench --objective; on a tiny MNIST-format data set.
 */
class TrainObjectivesCommandTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path spec;
    static final String NOISE = "test-input-noise";

    private static final String SPEC = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":8},{\"type\":\"tanh\"},{\"type\":\"linear\",\"out\":2}]}";

    /** 4x4 images, two classes (bright left half vs bright right half), in IDX format; and a test objective that draws random numbers. */
    @BeforeAll
    static void setUp() throws IOException {
        data = dir.resolve("toy");
        Files.createDirectories(data);
        writeSplit("train", 240, 1);
        writeSplit("t10k", 60, 2);
        spec = dir.resolve("tiny.json");
        Files.writeString(spec, SPEC);
        synchronized (Objectives.class) {
            if (!Objectives.names().contains(NOISE))
                Objectives.register(NOISE, "test only: cross-entropy on inputs plus uniform noise of the run's generator",
                        List.of(new dev.brink.robust.attack.Attacks.Option("scale", "0.3", "noise amplitude")),
                        (o, setup) -> {
                            double scale = o.real("scale");
                            return (model, batch, context) -> {
                                Tensor x = batch.x();
                                Tensor noise = Tensor.rand(context.generator(), DType.FLOAT32, x.shape()).sub(0.5).mul(scale);
                                Tensor logits = model.forward(x.add(noise));
                                return new Objective.Outcome(Objective.classificationLoss(logits, batch.y(), 0), logits, noise.abs().mean());
                            };
                        });
        }
    }

    private static void writeSplit(String prefix, int n, int seed) throws IOException {
        java.util.Random r = new java.util.Random(seed);
        try (DataOutputStream img = new DataOutputStream(Files.newOutputStream(data.resolve(prefix + "-images-idx3-ubyte")));
             DataOutputStream lbl = new DataOutputStream(Files.newOutputStream(data.resolve(prefix + "-labels-idx1-ubyte")))) {
            img.writeInt(0x803);
            img.writeInt(n);
            img.writeInt(4);
            img.writeInt(4);
            lbl.writeInt(0x801);
            lbl.writeInt(n);
            for (int i = 0; i < n; i++) {
                int y = i % 2;
                lbl.writeByte(y);
                for (int p = 0; p < 16; p++) img.writeByte(((p % 4 < 2) == (y == 0) ? 150 : 80) + r.nextInt(60));
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String[] train(Path output, int epochs, String... more) {
        return concat(new String[] {"train", "--spec", spec.toString(), "--data", data.toString(), "--epochs", Integer.toString(epochs),
                "--batch-size", "20", "--optimizer", "sgd", "--lr", "0.2", "--seed", "7", "-o", output.toString()}, more);
    }

    /** The log without its seconds column (the one column that may differ between identical runs). */
    private static List<String> logWithoutSeconds(Path log) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            String[] c = l.split(",", -1);
            c[7] = "";
            rows.add(String.join(",", c));
        }
        return rows;
    }

    @Test
    void helpListsEveryRegisteredObjectiveWithItsOptions() {
        Run h = run("train", "--help");
        assertEquals(0, h.code(), h.err());
        for (String n : Objectives.names()) assertTrue(h.out().contains(n + ": "), n + " missing from\n" + h.out());
        assertTrue(h.out().contains("label-smoothing=0") && h.out().contains("--objective=SPEC") && h.out().contains("--train-attack=SPEC")
                && h.out().contains("--validation=N|FRACTION") && h.out().contains("--val-attack=SPEC"), h.out());
    }

    @Test
    void listObjectivesPrintsEveryRegisteredNameOneALine() {
        Run r = run("train", "--list-objectives");
        assertEquals(0, r.code(), r.err());
        assertEquals(Objectives.names(), List.of(r.out().strip().split("\\R")));
    }

    @Test
    void badObjectivesAndAttacksAreNamedBeforeTheDataLoads() {
        Path o = dir.resolve("bad/m.safetensors");
        String missing = dir.resolve("no-such-data").toString();
        String[][] cases = {
                {"--objective", "no-such-objective"}, {"--objective", "cross-entropy:beta=2"}, {"--objective", "cross-entropy:label-smoothing"},
                {"--train-attack", "no-such-attack:eps=0.3"}, {"--train-attack", "pgd:steps=3"}, {"--val-attack", "pgd:steps=3"},
                {"--validation", "1.5"}, {"--validation", "-3"}, {"--label-smoothing", "0.1", "--objective", "cross-entropy"}};
        String[] expected = {"unknown objective 'no-such-objective'", "cross-entropy: unknown option(s) [beta]", "expected KEY=VALUE",
                "--train-attack no-such-attack:eps=0.3", "give its budget", "--val-attack pgd:steps=3: give its budget",
                "--validation must be a sample count or a fraction", "--validation must be", "--label-smoothing cannot be combined with --objective"};
        for (int i = 0; i < cases.length; i++) {
            Run r = run(concat(new String[] {"train", "--spec", spec.toString(), "--data", missing, "-o", o.toString()}, cases[i]));
            assertNotEquals(0, r.code(), Arrays.toString(cases[i]));
            assertTrue(r.err().contains(expected[i]), Arrays.toString(cases[i]) + ": " + r.err());
            assertFalse(r.out().contains("loading"), "fails before the data loads: " + r.out());
        }
    }

    @Test
    void mixedAtTakesATrainAttackWithoutABudgetAsDocumented() {
        // mixed-at sets the inner attack's norm and eps from its own linf-eps / l2-eps: --train-attack without eps
        // trains (it was refused with "give its budget", found by Li et al.'s reproduction script)
        Path o = dir.resolve("mixed/m.safetensors");
        Run r = run(train(o, 1, "--objective", "mixed-at:linf-eps=0.1,l2-eps=0.5", "--train-attack", "pgd:steps=2,early-stop=false"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("objective mixed-at:linf-eps=0.1,l2-eps=0.5; training attack pgd:steps=2"), r.out());
        assertTrue(Files.exists(o));
        // an attack without a budget is still refused where an objective would use it, or none would
        for (String obj : new String[] {"pgd-at", "cross-entropy"}) {
            Run bad = run(train(dir.resolve("mixed/bad.safetensors"), 1, "--objective", obj, "--train-attack", "pgd:steps=2"));
            assertNotEquals(0, bad.code(), obj);
            assertTrue(bad.err().contains("give its budget"), obj + ": " + bad.err());
        }
        // validation needs a budget for its default attack: named, not guessed
        Run val = run(train(dir.resolve("mixed/val.safetensors"), 1, "--objective", "mixed-at", "--train-attack", "pgd:steps=2", "--validation", "20"));
        assertNotEquals(0, val.code());
        assertTrue(val.err().contains("give --val-attack with its budget"), val.err());
    }

    @Test
    void summedObjectivesTrainAndAreRecordedInTheModel() throws IOException {
        Path o = dir.resolve("sum/m.safetensors");
        Run r = run(train(o, 2, "--objective", "cross-entropy:l2=0.001", "--objective", NOISE + ":scale=0.2"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("objective cross-entropy:l2=0.001 + " + NOISE + ":scale=0.2"), r.out());
        assertTrue(r.out().contains("regularizer"), "the summed regularizer is reported: " + r.out());
        assertEquals("[\"cross-entropy:l2=0.001\",\"" + NOISE + ":scale=0.2\"]", ModelFile.load(o).info().extra().get(TrainSettings.OBJECTIVES_KEY));
        List<String> log = Files.readAllLines(dir.resolve("sum/m.log.csv"));
        assertEquals(TrainingLog.HEADER, log.get(0));
        assertEquals(3, log.size(), "a row per epoch: " + log);
        assertFalse(log.get(1).split(",", -1)[2].isEmpty(), "regularizer column: " + log);
    }

    @Test
    void labelSmoothingStandsForTheCrossEntropyOption() throws IOException {
        Path o = dir.resolve("ls/m.safetensors");
        Run r = run(train(o, 1, "--label-smoothing", "0.1"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("deprecated"), r.err());
        assertEquals("[\"cross-entropy:label-smoothing=0.1\"]", ModelFile.load(o).info().extra().get(TrainSettings.OBJECTIVES_KEY));
    }

    @Test
    void validationSplitIsSeededAndDisjointFromTraining() {
        // samples made unique by their pixels: sample i holds i in its first two bytes
        int n = 100;
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i;
            px[i * 4 + 1] = (byte) (i >> 8);
            labels[i] = i % 2;
        }
        Dataset d = Dataset.of("toy-train", px, new int[] {1, 2, 2}, labels, List.of("a", "b"));
        int count = TrainSettings.validationCount("0.25", n);
        assertEquals(25, count);
        Dataset.Split s = d.split(count, 7), again = d.split(count, 7), other = d.split(count, 8);
        Set<Integer> val = ids(s.validation()), tr = ids(s.train());
        assertEquals(25, val.size());
        assertEquals(75, tr.size());
        Set<Integer> both = new HashSet<>(val);
        both.retainAll(tr);
        assertTrue(both.isEmpty(), "disjoint: " + both);
        assertEquals(val, ids(again.validation()), "same seed, same split");
        assertNotEquals(val, ids(other.validation()), "another seed, another split");
        assertEquals(40, TrainSettings.validationCount("40", n));
        assertThrows(IllegalArgumentException.class, () -> TrainSettings.validationCount("100", n));
    }

    private static Set<Integer> ids(Dataset d) {
        Set<Integer> s = new HashSet<>();
        float[] x = d.x(0, d.size()).toFloatArray();
        for (int i = 0; i < d.size(); i++) s.add(Math.round(x[i * 4] * 255) + 256 * Math.round(x[i * 4 + 1] * 255));
        assertEquals(d.size(), s.size(), "unique samples");
        return s;
    }

    @Test
    void theBestModelIsTheBestValidationEpoch() throws IOException {
        Path o = dir.resolve("best/m.safetensors");
        Run r = run(train(o, 4, "--validation", "60", "--val-attack", "pgd:eps=0.15,steps=3"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("val robust"), r.out());
        List<String> log = Files.readAllLines(dir.resolve("best/m.log.csv"));
        int bestEpoch = -1;
        double bestScore = -1;
        for (String row : log.subList(1, log.size())) {
            String[] c = row.split(",", -1);
            double score = Double.parseDouble(c[5]);
            if (score > bestScore) {
                bestScore = score;
                bestEpoch = Integer.parseInt(c[0]);
            }
            assertEquals(score == bestScore && Integer.parseInt(c[0]) == bestEpoch ? "1" : "0", c[8], "best flag of " + row);
            // validation also logs the effective margins of its correctly classified points: positive, finite
            double margin = Double.parseDouble(c[9]), spread = Double.parseDouble(c[10]);
            assertTrue(margin > 0 && Double.isFinite(margin) && spread >= 0, "margin columns of " + row);
        }
        assertTrue(bestEpoch < 4, "the run is chosen so that the best epoch is not the last: " + log);
        ModelFile best = ModelFile.load(dir.resolve("best/m.best.safetensors"));
        assertEquals(Integer.toString(bestEpoch - 1), best.info().extra().get(Trainer.BEST_EPOCH_KEY), log.toString());
        // the same run stopped after the best epoch ends with the best file's weights
        Path shorter = dir.resolve("best-short/m.safetensors");
        assertEquals(0, run(train(shorter, bestEpoch, "--validation", "60", "--val-attack", "pgd:eps=0.15,steps=3")).code());
        ModelFile s = ModelFile.load(shorter);
        s.state().forEach((n, w) -> assertArrayEquals(w.toFloatArray(), best.state().get(n).toFloatArray(), n));
    }

    @Test
    void resumeGivesTheSameNumbersForCrossEntropyAndForARandomObjective() throws IOException {
        for (String objective : List.of("cross-entropy:l2=0.001", NOISE)) {
            String[] opts = {"--objective", objective, "--validation", "0.25", "--val-attack", "pgd:eps=0.1,steps=3"};
            Path straight = dir.resolve("straight-" + objective.replace(':', '_') + "/m.safetensors");
            Path split = dir.resolve("split-" + objective.replace(':', '_') + "/m.safetensors");
            assertEquals(0, run(train(straight, 3, opts)).code());
            assertEquals(0, run(train(split, 1, opts)).code());
            Run r = run("train", "--resume", "--data", data.toString(), "--epochs", "3", "--batch-size", "20", "-o", split.toString());
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("resuming") && r.out().contains("objective " + objective), r.out());
            assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(split), objective + ": same model file byte for byte");
            assertArrayEquals(Files.readAllBytes(straight.resolveSibling("m.best.safetensors")), Files.readAllBytes(split.resolveSibling("m.best.safetensors")),
                    objective + ": same best model");
            assertEquals(logWithoutSeconds(straight.resolveSibling("m.log.csv")), logWithoutSeconds(split.resolveSibling("m.log.csv")), objective + ": same log");
        }
    }

    @Test
    void resumeContinuesWithTheCheckpointsBatchSize() throws IOException {
        // regression: --resume without --batch-size used the default 128 instead of the run's 20 (found by the objectives smoke run)
        Path straight = dir.resolve("batch-straight/m.safetensors");
        Path split = dir.resolve("batch-split/m.safetensors");
        assertEquals(0, run(train(straight, 2)).code());
        assertEquals(0, run(train(split, 1)).code());
        Run other = run("train", "--resume", "--data", data.toString(), "--epochs", "2", "--batch-size", "30", "-o", split.toString());
        assertNotEquals(0, other.code());
        assertTrue(other.err().contains("--batch-size 30 differs from the checkpoint's --batch-size 20"), other.err());
        Run r = run("train", "--resume", "--data", data.toString(), "--epochs", "2", "-o", split.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(split), "same model file byte for byte");
    }

    @Test
    void resumeRefusesOtherSettingsAndKeepsTheLogConsistent() throws IOException {
        Path o = dir.resolve("conflict/m.safetensors");
        assertEquals(0, run(train(o, 2, "--objective", NOISE)).code());
        Run r = run("train", "--resume", "--data", data.toString(), "--epochs", "3", "--objective", "cross-entropy", "-o", o.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--objective cross-entropy differs from the checkpoint's --objective " + NOISE), r.err());
        Run v = run("train", "--resume", "--data", data.toString(), "--epochs", "3", "--validation", "10", "-o", o.toString());
        assertTrue(v.err().contains("--validation 10 differs"), v.err());
        // a log with rows beyond the checkpoint (a crash between log and checkpoint) is cut back on resume
        Path log = dir.resolve("conflict/m.log.csv");
        Files.writeString(log, Files.readString(log) + "3,9,,9,,,9,1.0,0\n");
        Run ok = run("train", "--resume", "--data", data.toString(), "--epochs", "3", "--batch-size", "20", "--objective", NOISE, "-o", o.toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        List<String> rows = Files.readAllLines(log);
        assertEquals(4, rows.size(), rows.toString());
        assertFalse(rows.get(3).startsWith("3,9,"), rows.toString());
        assertEquals(2, Checkpoint.load(o.resolveSibling("m.safetensors.ckpt")).epoch());
    }

    @Test
    void benchTimesAnObjectiveAgainstCrossEntropy() {
        Run r = run("bench", "--objective", "cross-entropy:l2=0.01", "--objective", "cross-entropy+" + NOISE, "--model", "logreg", "--batch", "8", "--smoke");
        assertEquals(0, r.code(), r.out() + r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines[lines.length - 3].trim().endsWith("cross-entropy") && lines[lines.length - 3].contains("1.00"), r.out());
        assertTrue(lines[lines.length - 2].trim().endsWith("cross-entropy:l2=0.01"), r.out());
        assertTrue(lines[lines.length - 1].trim().endsWith("cross-entropy + " + NOISE), r.out());
        Run bad = run("bench", "--objective", "nope", "--model", "logreg", "--smoke");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("unknown objective 'nope'"), bad.err());
    }
}
