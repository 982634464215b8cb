package dev.brink.robust.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalysisOutputTest {
    @TempDir
    Path dir;

    @Test
    void writesTablesFiguresAndAManifestWithTheCommand() throws Exception {
        AnalysisOutput out = new AnalysisOutput(dir, "demo", "./brink analyze demo m.safetensors --data mnist");
        out.csv("t.csv", "a table", List.of("name", "value"), List.of(List.of("a,b", 1.5), List.of("say \"hi\"", -2)));
        out.png("f.png", "a figure", new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB));
        out.summary("mean", 0.25);
        out.summary("worst", Double.NEGATIVE_INFINITY);
        out.summary("note", "</script><b>");
        out.finish();
        assertEquals("name,value\n\"a,b\",1.5\n\"say \"\"hi\"\"\",-2\n", Files.readString(dir.resolve("t.csv")));
        assertEquals(2, javax.imageio.ImageIO.read(dir.resolve("f.png").toFile()).getHeight());
        String json = Files.readString(dir.resolve("summary.json"));
        assertTrue(json.contains("\"command\": \"./brink analyze demo m.safetensors --data mnist\""), json);
        assertTrue(json.contains("\"mean\": 0.25"), json);
        assertTrue(json.contains("\"worst\": \"-Infinity\""), json);
        assertFalse(json.contains("<"), "markup is escaped in the manifest: " + json);
        assertTrue(json.contains("{\"file\": \"f.png\", \"caption\": \"a figure\"}"), json);
        assertEquals(List.of(new AnalysisOutput.Item("t.csv", "a table")), out.tables());
    }

    @Test
    void refusesPathsWrongExtensionsDuplicatesAndRaggedRows() throws Exception {
        AnalysisOutput out = new AnalysisOutput(dir, "demo", "cmd");
        List<String> h = List.of("a");
        assertThrows(IllegalArgumentException.class, () -> out.csv("../x.csv", "", h, List.of()));
        assertThrows(IllegalArgumentException.class, () -> out.csv("sub/x.csv", "", h, List.of()));
        assertThrows(IllegalArgumentException.class, () -> out.csv("x.png", "", h, List.of()));
        out.csv("x.csv", "", h, List.of());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> out.csv("x.csv", "", h, List.of()));
        assertTrue(twice.getMessage().contains("x.csv twice"), twice.getMessage());
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> out.csv("y.csv", "", h, List.of(List.of(1, 2))));
        assertTrue(ragged.getMessage().contains("row of 2 values under a header of 1"), ragged.getMessage());
        assertFalse(Files.exists(dir.resolve("../x.csv")));
    }

    @Test
    void unknownAnalysesAndOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Analyses.parse("nope"));
        assertTrue(e.getMessage().contains("unknown analysis 'nope'") && e.getMessage().contains("margins"), e.getMessage());
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class, () -> Analyses.parse("margins:binz=3"));
        assertTrue(o.getMessage().contains("binz"), o.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Analyses.parse("margins:bins=0"));
    }
}
