package dev.brink.app.cli;

import dev.brink.app.cli.Fixtures.Run;
import dev.brink.app.results.ResultJson;
import dev.brink.robust.eval.SweepCsv;
import dev.brink.robust.eval.TransferSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.brink.app.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.*;

/** brink attack / sweep end to end on a tiny model trained by the test on a tiny IDX data set. */
class AttackSweepCommandTest {
    @TempDir
    static Path dir;
    static Path data, model, model2;

    private static final String SPEC = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":8},{\"type\":\"tanh\"},{\"type\":\"linear\",\"out\":2}]}";

    /** 4x4 images, two classes (bright left half vs bright right half), as in TrainEvalInfoCommandTest. */
    @BeforeAll
    static void setUp() throws IOException {
        data = dir.resolve("toy");
        Files.createDirectories(data);
        Fixtures.idx(data, 200, 60, i -> i % 2);
        Path spec = dir.resolve("tiny.json");
        Files.writeString(spec, SPEC);
        model = dir.resolve("m/tiny.safetensors");
        model2 = dir.resolve("m/tiny2.safetensors");
        for (Path m : new Path[] {model, model2}) {
            Run t = run("train", "--spec", spec.toString(), "--data", data.toString(), "--epochs", "3", "--batch-size", "20", "--lr", "0.05",
                    "--seed", m == model ? "3" : "4", "-o", m.toString());
            assertEquals(0, t.code(), t.out() + t.err());
        }
    }


    static double number(String text, String label) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(label) + "\\s+([0-9.]+)").matcher(text);
        assertTrue(m.find(), "no '" + label + "' in " + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void attackPrintsTheNumbersAndSavesTheExamples() throws IOException {
        Path out = dir.resolve("attack1");
        Run r = run("attack", model.toString(), "--data", data.toString(), "--limit", "40", "--attack", "fgsm", "--eps", "0.5",
                "--batch-size", "16", "--out", out.toString(), "--transfer-to", model2.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        double clean = number(r.out(), "clean accuracy"), robust = number(r.out(), "robust accuracy"), success = number(r.out(), "success rate");
        assertTrue(clean > 0.9, r.out());
        assertTrue(robust < clean, "eps 0.5 FGSM fools a linear-ish model on some samples: " + r.out());
        assertEquals(robust, clean * (1 - success), 0.026, r.out());
        assertTrue(r.out().contains("mean norms") && r.out().contains("model calls") && r.out().contains("transfer fgsm ->"), r.out());

        TransferSet set = TransferSet.load(out.resolve("adversarial.safetensors"));
        assertEquals(Math.round(clean * 40), set.size(), "the correctly classified samples");
        assertArrayEquals(new int[] {set.size(), 1, 4, 4}, set.adversarial().shape());
        assertEquals("fgsm", set.attack());
        assertEquals("tiny", set.sourceModel());
        float[] a = set.adversarial().toFloatArray(), x = set.clean().toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] >= 0 && a[i] <= 1, "inside the box");
            assertTrue(Math.abs(a[i] - x[i]) <= 0.5 + 1e-6, "inside the ball");
        }
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertNotNull(grid);
        assertTrue(grid.getHeight() > 3 * 84);
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("grid.png") && html.contains("Robust accuracy") && html.contains("Transfer"));
    }

    @Test
    void severalAttacksGiveTheWorstCase() {
        Path out = dir.resolve("attack2");
        Run r = run("attack", model.toString(), "--data", data.toString(), "--limit", "30", "--attack", "fgsm", "--attack", "fgsm:loss=cw,label=fgsm-cw",
                "--eps", "0.4", "--target", "least-likely", "--out", out.toString(), "--no-save", "--grid", "4");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("worst case over 2 attacks"), r.out());
        assertTrue(r.out().contains("[fgsm-cw] robust accuracy"), r.out());
        assertFalse(Files.exists(out.resolve("adversarial-fgsm.safetensors")));
        assertTrue(Files.exists(out.resolve("grid.png")));
    }

    /** --attack-misclassified: every (sample, target) pair is attacked, the accuracies stay those of the default. */
    @Test
    void attackMisclassifiedCountsEveryPair() throws IOException {
        Run only = run("attack", model.toString(), "--data", data.toString(), "--limit", "40", "--attack", "fgsm", "--eps", "0.3",
                "--target", "1", "--no-save", "--grid", "0", "--out", dir.resolve("am1").toString());
        Run all = run("attack", model.toString(), "--data", data.toString(), "--limit", "40", "--attack", "fgsm", "--eps", "0.3",
                "--target", "1", "--grid", "0", "--out", dir.resolve("am2").toString(), "--attack-misclassified");
        assertEquals(0, only.code(), only.err());
        assertEquals(0, all.code(), all.err());
        var a = ResultJson.MAPPER.readTree(dir.resolve("am1/results.json").toFile());
        var b = ResultJson.MAPPER.readTree(dir.resolve("am2/results.json").toFile());
        var sa = a.get("results").get("attacks").get(0);
        var sb = b.get("results").get("attacks").get(0);
        assertEquals(20, sb.get("attacked").asInt(), "every class-0 sample (target 1), misclassified or not");
        assertEquals(a.get("results").get("clean_correct").asInt() - 20, sa.get("attacked").asInt(), "the correctly classified class-0 samples: " + a);
        assertEquals(sa.get("robust_accuracy").asDouble(), sb.get("robust_accuracy").asDouble(), 1e-12);
        // FGSM at eps 0.3 moves every pixel of a 4x4 image: the mean L0 over all attacked samples is 16 or a little less
        // (pixels clipped at the box), over the successful ones the same
        double l0 = sb.get("mean_norms_attacked").get("l0").asDouble();
        assertTrue(l0 > 8 && l0 <= 16, "mean L0 over the attacked samples: " + sb);
        assertTrue(b.get("config").get("attack_misclassified").asBoolean());
        assertFalse(a.get("config").get("attack_misclassified").asBoolean());
        assertTrue(b.get("command").asText().contains("--attack-misclassified"), b.get("command").asText());
        TransferSet set = TransferSet.load(dir.resolve("am2/adversarial.safetensors"));
        assertEquals(20, set.size(), "the transfer set holds every attacked pair");
        assertEquals("true", set.metadata().get("attack_misclassified"));

        Run untargeted = run("attack", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--eps", "0.3", "--attack-misclassified",
                "--out", dir.resolve("am3").toString());
        assertNotEquals(0, untargeted.code());
        assertTrue(untargeted.err().contains("--attack-misclassified needs --target"), untargeted.err());
    }

    @Test
    void sweepWritesCsvAndPng() throws IOException {
        Path out = dir.resolve("sweep");
        Run r = run("sweep", model.toString(), "--data", data.toString(), "--limit", "30", "--attack", "fgsm", "--attack", "fgsm:loss=cw,label=fgsm-cw",
                "--eps", "0:0.2:0.1", "--until-zero", "--max-eps", "0.6", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> lines = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(SweepCsv.HEADER, lines.get(0));
        var rows = SweepCsv.read(out.resolve("sweep.csv"));
        assertTrue(rows.stream().anyMatch(x -> x.attack().equals("worst-case")));
        assertTrue(rows.stream().anyMatch(x -> x.attack().equals("fgsm-cw") && Math.abs(x.eps() - 0.2) < 1e-9));
        double maxEps = rows.stream().mapToDouble(x -> x.eps()).max().orElseThrow();
        assertTrue(maxEps >= 0.2 - 1e-9 && maxEps <= 0.6 + 1e-9, "extension stays within --max-eps: " + maxEps);
        // robust accuracy along the sweep never exceeds clean accuracy and the worst case is below each attack
        for (var row : rows) assertTrue(row.accuracy() <= row.cleanAccuracy() + 1e-12);
        BufferedImage png = ImageIO.read(out.resolve("sweep.png").toFile());
        assertNotNull(png);
        assertTrue(Files.size(out.resolve("sweep.png")) > 5_000);
    }

    @Test
    void badInputIsReportedBeforeWork() {
        Run unknown = run("attack", model.toString(), "--data", data.toString(), "--attack", "nope", "--eps", "0.1", "--out", dir.resolve("x").toString());
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("unknown attack 'nope'"), unknown.err());

        Run neg = run("attack", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--eps", "-0.1", "--out", dir.resolve("x").toString());
        assertNotEquals(0, neg.code());
        assertTrue(neg.err().contains("eps"), neg.err());

        Run norm = run("attack", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--norm", "l0", "--eps", "3", "--out", dir.resolve("x").toString());
        assertNotEquals(0, norm.code());
        assertTrue(norm.err().contains("not supported"), norm.err());

        Run noEps = run("attack", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--out", dir.resolve("x").toString());
        assertNotEquals(0, noEps.code());
        assertTrue(noEps.err().contains("--eps"), noEps.err());

        Run opt = run("sweep", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--steps", "10", "--out", dir.resolve("x").toString());
        assertNotEquals(0, opt.code());
        assertTrue(opt.err().contains("steps"), opt.err());

        Run range = run("sweep", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--eps", "0:1:0", "--out", dir.resolve("x").toString());
        assertNotEquals(0, range.code());
        assertFalse(Files.exists(dir.resolve("x")), "nothing written");
    }

    @Test
    void helpListsTheAttacksAndTheirOptions() {
        Run h = run("attack", "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("NAME[:KEY=VALUE,...]") && h.out().contains("fgsm:") && h.out().contains("Attacks (NAME"), h.out());
        Run s = run("sweep", "--help");
        assertTrue(s.out().contains("--until-zero"), s.out());
    }
}
