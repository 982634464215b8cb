package dev.brink.app.cli;

import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code brink analyze}: listing, errors, and the margins of a linear model checked against its exact distances. */
class AnalyzeCommandTest {
    @TempDir
    static Path dir;
    static Path data, model;

    @BeforeAll
    static void write() throws Exception {
        data = Fixtures.idx(dir.resolve("toy"), 30, 20, i -> i % 2);
        model = Fixtures.linearModel(dir.resolve("lin.safetensors"), 2, 0.5f);
    }

    @Test
    void listsTheAnalysesWithoutData() {
        Fixtures.Run r = Fixtures.run("analyze", "--list");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("margins:") && r.out().contains("bins"), r.out());
    }

    @Test
    void unknownAnalysisFailsBeforeLoadingAnything() {
        Fixtures.Run r = Fixtures.run("analyze", "nope", dir.resolve("missing.safetensors").toString(), "--data", data.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("unknown analysis 'nope'"), r.err());
    }

    /** A linear classifier's effective margin is its exact L2 distance to the decision boundary. */
    @Test
    void marginsOfALinearModelAreItsDistancesToTheBoundary() throws Exception {
        Path out = dir.resolve("m");
        Fixtures.Run r = Fixtures.run("analyze", "margins:bins=5", model.toString(), "--data", data.toString(), "--with-train", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        Dataset test = Datasets.load(data, false);
        List<String> lines = Files.readAllLines(out.resolve("margins.csv"));
        assertEquals("split,index,label,prediction,margin", lines.get(0));
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (!f[0].equals("test")) continue;
            int i = Integer.parseInt(f[1]);
            float[] x = test.x(i, i + 1).toFloatArray();
            double z0 = 0, z1 = 0.5;
            for (int p = 0; p < 16; p++) {
                double w0 = (p % 4 < 2) ? 1 : -1;
                z0 += w0 * x[p];
                z1 -= w0 * x[p];
            }
            int y = test.label(i);
            double distance = (y == 0 ? z0 - z1 : z1 - z0) / 8.0; // ||w0 - w1|| = 2 * sqrt(16)
            assertEquals(distance, Double.parseDouble(f[4]), 1e-5, line);
            assertEquals(z0 >= z1 ? 0 : 1, Integer.parseInt(f[3]), line);
            checked++;
        }
        assertEquals(20, checked);
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.contains("\"test_margin_mean\"") && summary.contains("\"train_margin_mean\""), summary);
        assertTrue(summary.contains("./brink analyze margins:bins=5 " + model), summary);
        assertEquals(1 + 2 * 5, Files.readAllLines(out.resolve("margins-histogram.csv")).size());
    }

    /** --json prints the result document on standard output: the summary's numbers, the model's hash, the command without --out. */
    @Test
    void jsonGivesTheSummaryAsAResultDocument() throws Exception {
        Path out = dir.resolve("j");
        Fixtures.Run r = Fixtures.run("analyze", "margins", model.toString(), "--data", data.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.all());
        com.fasterxml.jackson.databind.JsonNode doc = dev.brink.app.results.ResultJson.MAPPER.readTree(r.out());
        com.fasterxml.jackson.databind.JsonNode summary = dev.brink.app.results.ResultJson.MAPPER.readTree(out.resolve("summary.json").toFile()).get("summary");
        assertEquals(summary, doc.get("results").get("summary"));
        assertTrue(doc.get("results").get("summary").get("test_margin_mean").asDouble() > 0, r.out());
        assertEquals(dev.brink.app.results.ResultJson.sha256(model), doc.get("config").get("model").get("sha256").asText());
        assertEquals(20, doc.get("config").get("data").get("samples").asInt(), r.out());
        String command = doc.get("command").asText();
        assertTrue(command.startsWith("./brink analyze margins " + model) && !command.contains("--out"), command);
        assertTrue(r.err().contains("analysis margins of"), "the human lines go to standard error: " + r.err());
    }
}
