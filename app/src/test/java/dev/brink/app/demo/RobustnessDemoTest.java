package dev.brink.app.demo;

import dev.brink.app.cli.BrinkCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The demo end to end in quick mode (synthetic data, tiny models): report, plot, grid, transfer set; models reused. */
class RobustnessDemoTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    @Test
    void quickDemoWritesTheReportAndReusesItsModels() throws Exception {
        Path rep = dir.resolve("rep"), models = dir.resolve("models");
        String out = run("demo", "--quick", "--out", rep.toString(), "--models", models.toString());
        for (String step : new String[] {"[1/7] data", "[2/7] models", "[3/7] sweep", "[4/7] attacks", "[5/7] transfer", "[6/7] training methods", "[7/7] report"})
            assertTrue(out.contains(step), out);
        String html = Files.readString(rep.resolve("index.html"));
        assertTrue(html.contains("Accuracy versus epsilon") && html.contains("sweep.png") && html.contains("grid.png") && html.contains("worst case"), html);
        assertNotNull(ImageIO.read(rep.resolve("sweep.png").toFile()));
        assertNotNull(ImageIO.read(rep.resolve("grid.png").toFile()));
        assertTrue(Files.readString(rep.resolve("sweep.csv")).startsWith("attack,eps,accuracy"));
        assertTrue(Files.list(rep).anyMatch(p -> p.getFileName().toString().startsWith("transfer-")));
        assertTrue(out.contains("trained in"), out);
        assertTrue(html.contains("Standard, adversarial and EMR training under AutoAttack") && html.contains("margins.png"), html);
        assertNotNull(ImageIO.read(rep.resolve("margins.png").toFile()));

        // standard vs adversarial vs EMR: each model's AutoAttack and margins documents; adversarial training must
        // raise both the robust accuracy and the mean effective margin over standard training (seeded, so exact)
        com.fasterxml.jackson.databind.JsonNode runs = dev.brink.app.results.ResultJson.MAPPER.readTree(rep.resolve("results.json").toFile()).get("runs");
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> byId = new java.util.HashMap<>();
        runs.forEach(r -> byId.put(r.get("id").asText(), r.get("results")));
        for (String m : new String[] {"standard", "adversarial", "emr"}) {
            double robust = byId.get("autoattack-" + m).get("robust_accuracy").asDouble(), clean = byId.get("autoattack-" + m).get("clean_accuracy").asDouble();
            assertTrue(robust >= 0 && robust <= clean && clean <= 1, m + ": robust " + robust + ", clean " + clean);
            assertTrue(byId.get("margins-" + m).get("summary").get("test_margin_mean").asDouble() > 0, m);
        }
        assertTrue(byId.get("autoattack-adversarial").get("robust_accuracy").asDouble() > byId.get("autoattack-standard").get("robust_accuracy").asDouble(), byId.toString());
        assertTrue(byId.get("margins-adversarial").get("summary").get("test_margin_mean").asDouble()
                > byId.get("margins-standard").get("summary").get("test_margin_mean").asDouble(), byId.toString());

        String again = run("demo", "--quick", "--out", rep.toString(), "--models", models.toString());
        assertTrue(again.contains("reusing"), again);
        assertFalse(again.contains("trained in"), again);
    }

    @Test
    void engineTourStaysAvailable() {
        String out = run("demo", "--engine");
        assertTrue(out.contains("Brink engine demo"), out);
    }
}
