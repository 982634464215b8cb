package dev.brink.app.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The model card and {@code sweep.html} in a real browser (headless Chromium, {@link HeadlessChromium}): every image
 * decodes, no script error, nothing wider than the window at a desktop (1280 px) and a phone (390 px) width, nothing
 * fetched, and none of the hostile strings of {@link ModelCardTest}'s fixture runs as script. A deliberately broken
 * page shows that the checker catches each of these.
 */
class ModelCardBrowserTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void needsChromium() {
        HeadlessChromium.chromium();
    }

    @Test
    void theCardRendersCleanlyAtDesktopAndPhoneWidths() throws Exception {
        Path card = ModelCardTest.card(dir);
        for (int width : new int[] {1280, 390}) {
            HeadlessChromium.Check c = HeadlessChromium.render(card, width, dir);
            assertEquals(width, c.innerWidth(), "the window is as wide as asked");
            assertTrue(c.images() >= 3, "figures: " + c.images());
            assertEquals(1, c.scripts(), "only the checker's script is on the page");
            assertEquals(java.util.List.of(), c.problems(), "at " + width + " px");
        }
    }

    @Test
    void sweepHtmlRendersCleanlyAtPhoneWidth() throws Exception {
        Path data = Fixtures.idx(dir.resolve("toy"), 20, 20, i -> i % 2);
        Path model = Fixtures.linearModel(dir.resolve("lin.safetensors"), 2, 0f);
        Fixtures.Run r = Fixtures.run("sweep", model.toString(), "--data", data.toString(), "--attack", "fgsm", "--attack", "pgd:steps=3",
                "--eps", "0:0.3:0.1", "--out", dir.resolve("sweep").toString());
        assertEquals(0, r.code(), r.all());
        Path page = dir.resolve("sweep").resolve("sweep.html");
        String html = Files.readString(page);
        assertTrue(html.contains("data:image/png;base64,"), "the plot inlined");
        assertTrue(html.contains("$ ./brink sweep "), "the command");
        HeadlessChromium.Check c = HeadlessChromium.render(page, 390, dir);
        assertEquals(1, c.images());
        assertEquals(java.util.List.of(), c.problems());
    }

    @Test
    void theCheckerCatchesABrokenImageAScriptErrorAWideLayoutAndAFetch() throws IOException, InterruptedException {
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
                + "<img src=\"data:image/png;base64,AAAA\" alt=\"broken\"><img src=\"missing.png\" alt=\"absent\"><img src=\"present.png\" alt=\"fetched\">"
                + "<div style=\"width:2000px\">wide</div><script>undefinedFunction();</script><script>console.error('boom')</script></body></html>");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", dir.resolve("present.png").toFile());
        HeadlessChromium.Check c = HeadlessChromium.render(bad, 390, dir);
        assertEquals(390, c.innerWidth(), c.toString());
        assertEquals(2, c.broken().size(), c.toString());
        assertTrue(c.errors().stream().anyMatch(e -> e.startsWith("script error") && e.contains("undefinedFunction")), c.toString());
        assertTrue(c.errors().stream().anyMatch(e -> e.contains("console.error: boom")), c.toString());
        assertTrue(c.scrollWidth() > c.innerWidth(), c.toString());
        assertTrue(c.resources().stream().anyMatch(s -> s.endsWith("present.png")), c.toString());
    }
}
