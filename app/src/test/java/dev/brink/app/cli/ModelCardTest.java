package dev.brink.app.cli;

import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code brink report}: the card of a small linear model on an image-folder data set, whose model file, class
 * names and training log all carry HTML and script payloads. The page must show them as text, fetch nothing, and
 * hold every section with its reproducing command. {@link ModelCardBrowserTest} renders the same card in Chromium.
 */
class ModelCardTest {
    /** A payload that sets window.__owned if it ever reaches the page as markup. */
    static final String SCRIPT = "<script>window.__owned=1</script>";
    static final String IMG = "<img src=x onerror=window.__owned=1>";

    @TempDir
    static Path dir;
    static Path card;
    static Fixtures.Run run;

    @BeforeAll
    static void makeCard() throws IOException {
        card = card(dir);
    }

    /** Writes the hostile fixture into {@code dir} and runs {@code brink report}; returns card.html. */
    static Path card(Path dir) throws IOException {
        Path data = dir.resolve("folder");
        // class names are folder names: an <img onerror> payload (no '/' allowed in a name)
        images(data.resolve("train"), 16);
        images(data.resolve("test"), 12);
        Path model = dir.resolve("evil.safetensors");
        float[] w = new float[2 * 16];
        for (int k = 0; k < 2; k++) for (int p = 0; p < 16; p++) w[k * 16 + p] = ((p % 4 < 2) == (k == 0)) ? 1f : -1f;
        ModelFile.save(model, Map.of("layers.1.weight", Tensor.of(w, 2, 16), "layers.1.bias", Tensor.of(new float[2], 2)),
                new ModelInfo(Fixtures.linearSpec(2), "zoo" + SCRIPT, Map.of("brink.note", SCRIPT + IMG, "brink." + IMG, "v</td></tr></table>" + SCRIPT)));
        Files.writeString(dir.resolve("evil.log.csv"), "epoch,train_loss,regularizer,train_acc,val_clean,val_robust,test_acc,seconds,best,note\n"
                + "1,0.9,,0.5,,,0.6,1.0,0,\"" + SCRIPT + "\"\n2,0.5,,0.7,,,0.8,1.0,1,\"" + IMG + ",</pre>\"\n3,0.3,,0.9,,,0.9,1.0,1,x\n");
        run = Fixtures.run("report", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--eps", "0,0.1,0.3",
                "--title", "card of " + SCRIPT, "--out", dir.resolve("card").toString());
        assertEquals(0, run.code(), run.all());
        return dir.resolve("card").resolve(ReportCommand.CARD);
    }

    private static void images(Path root, int perClass) throws IOException {
        String[] classes = {IMG + "left", "right"};
        java.util.Random r = new java.util.Random(root.hashCode());
        for (int k = 0; k < 2; k++) {
            Path c = Files.createDirectories(root.resolve(classes[k]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 16; p++) {
                    int v = ((p % 4 < 2) == (k == 0) ? 200 : 30) + r.nextInt(40);
                    img.getRaster().setSample(p % 4, p / 4, 0, v);
                }
                ImageIO.write(img, "png", c.resolve(i + ".png").toFile());
            }
        }
    }

    @Test
    void untrustedStringsFromTheModelFileDataAndLogAreText() throws IOException {
        String html = Files.readString(card);
        assertFalse(html.toLowerCase().contains("<script"), "no script element reaches the page");
        assertFalse(html.contains("<img src=x"), "no element from a class name or metadata");
        assertFalse(html.contains("v</td>"), "metadata cannot close the table");
        String escaped = "&lt;script&gt;window.__owned=1&lt;/script&gt;";
        assertTrue(html.contains("<h1>card of " + escaped + "</h1>"), "the title as text");
        assertTrue(html.contains("zoo" + escaped), "the zoo name as text");
        assertTrue(html.contains("brink.&lt;img src=x onerror=window.__owned=1&gt;"), "a metadata key as text");
        assertTrue(html.contains("&lt;img src=x onerror=window.__owned=1&gt;left"), "a class name as text");
        assertTrue(html.contains("&lt;/pre&gt;"), "training-log text as text");
    }

    @Test
    void thePageIsSelfContained() throws IOException {
        String html = Files.readString(card);
        Matcher m = Pattern.compile("(?i)\\b(src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            assertTrue(m.group(2).startsWith("data:"), "a reference out of the page: " + m.group(0).substring(0, Math.min(80, m.group(0).length())));
            if (m.group(2).startsWith("data:image/png;base64,")) images++;
        }
        // the sweep's plot and the training log's two curves
        assertTrue(images >= 3, "inlined figures: " + images);
        assertFalse(Pattern.compile("(?i)url\\(|@import|<link|<iframe").matcher(html).find(), "no CSS or frame fetches");
    }

    @Test
    void everySectionIsThereWithItsCommand() throws IOException {
        String html = Files.readString(card);
        for (String s : new String[] {"<h2>Model</h2>", "<h2>Training log</h2>", "<h2>Clean and robust accuracy</h2>", "<h2>Analysis: margins</h2>",
                "<h2>How this card was made</h2>"})
            assertTrue(html.contains(s), s);
        assertTrue(html.contains("$ ./brink sweep "), "the sweep's command");
        assertTrue(html.contains("--attack fgsm --seed 0 --batch-size 100 --eps 0,0.1,0.3"), "the sweep's settings");
        assertTrue(html.contains("$ ./brink analyze margins "), "the analysis' command");
        assertTrue(html.contains("test_margin_mean"), "the analysis' summary numbers");
        assertTrue(html.contains("download=\"margins.csv\""), "the analysis' table as a download");
        assertTrue(Files.isRegularFile(dir.resolve("card").resolve("analysis").resolve("margins").resolve("summary.json")));
        assertTrue(Files.isRegularFile(dir.resolve("card").resolve("sweep").resolve("sweep.csv")));
        // the linear model separates the two halves: clean accuracy 1 on the 24 test images
        assertTrue(html.contains("24 samples, clean accuracy 1.0000"), "clean accuracy line");
        assertTrue(html.contains("3 epoch(s) from"), "the training log found next to the model");
    }

    @Test
    void anAutoAttackDirectoryWithoutResultsIsRefusedBeforeWork() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("no-aa"));
        Fixtures.Run r = Fixtures.run("report", dir.resolve("evil.safetensors").toString(), "--data", dir.resolve("folder").toString(),
                "--autoattack", empty.toString(), "--out", dir.resolve("card2").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--autoattack " + empty + ": no results.json"), r.err());
        assertFalse(Files.exists(dir.resolve("card2").resolve(ReportCommand.CARD)));
    }

    @Test
    void anUnknownAnalysisIsAnErrorNamingTheKnownOnes() {
        Fixtures.Run r = Fixtures.run("report", dir.resolve("evil.safetensors").toString(), "--data", dir.resolve("folder").toString(),
                "--analysis", "nonesuch", "--out", dir.resolve("card3").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("nonesuch") && r.err().contains("margins"), r.err());
    }
}
