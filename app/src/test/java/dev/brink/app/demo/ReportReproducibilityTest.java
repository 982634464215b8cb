package dev.brink.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.cli.BrinkCli;
import dev.brink.app.results.ResultJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every number of the demo report can be reproduced from the report: the quick demo (synthetic data written as an
 * image folder, tiny models) writes results.json with one run per command line it shows; each command is run here
 * in-process with --json, and its numbers must equal the report's, field by field (timings aside). Before the fix
 * this failed: the report's single-attack commands ran PGD with another random start than the demo's table.
 */
class ReportReproducibilityTest {
    @TempDir
    Path dir;

    private static String run(List<String> args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args.toArray(String[]::new));
        assertEquals(0, code, "brink " + String.join(" ", args) + "\n" + out + "\n" + err);
        return out.toString();
    }

    @Test
    void everyCommandOfTheDemoReportGivesTheReportsNumbers() throws Exception {
        Path rep = dir.resolve("rep"), models = dir.resolve("models");
        run(List.of("demo", "--quick", "--out", rep.toString(), "--models", models.toString()));
        JsonNode report = ResultJson.MAPPER.readTree(rep.resolve("results.json").toFile());
        assertEquals(ResultJson.FORMAT, report.get("format").asText());
        String html = Files.readString(rep.resolve("index.html"));
        JsonNode runs = report.get("runs");
        assertTrue(runs.size() >= 8, "clean accuracies, sweep, each attack row, worst cases, DeepFool: " + runs.size());
        List<String> ids = new ArrayList<>();
        for (JsonNode r : runs) {
            ids.add(r.get("id").asText());
            String command = r.get("command").asText();
            assertTrue(html.contains(command.replace("'", "&#39;")), "the report shows " + command);
            List<String> args = new ArrayList<>();
            r.get("args").forEach(a -> args.add(a.asText()));
            Path json = dir.resolve("cmd-" + ids.size() + ".json");
            if (!args.get(0).equals("eval")) args.addAll(List.of("--out", dir.resolve("cmd-" + ids.size()).toString()));
            args.add(1, "--json=" + json);
            run(args);
            JsonNode again = ResultJson.MAPPER.readTree(json.toFile());
            assertEquals(r.get("command").asText(), again.get("command").asText(), "the command describes itself the same way");
            assertEquals(numbers(r.get("results")), numbers(again.get("results")), r.get("id") + ": " + command);
            assertEquals(r.get("config").get("model"), again.get("config").get("model"), command);
            assertEquals(r.get("config").get("data"), again.get("config").get("data"), command);
            if (r.get("config").has("attacks")) assertEquals(r.get("config").get("attacks"), again.get("config").get("attacks"), command);
        }
        assertTrue(ids.contains("sweep") && ids.contains("attack-pgd-5") && ids.contains("attack-worst-case-linf"), ids.toString());
        for (String m : List.of("standard", "adversarial", "emr"))
            assertTrue(ids.contains("autoattack-" + m) && ids.contains("margins-" + m), ids.toString());

        // the models of the training-methods table: each shown brink train command writes the same file again
        JsonNode training = report.get("training");
        assertEquals(3, training.size(), training.toString());
        for (JsonNode t : training) {
            String command = t.get("command").asText();
            assertTrue(html.contains(command.replace("'", "&#39;")), "the report shows " + command);
            List<String> args = new ArrayList<>();
            t.get("args").forEach(a -> args.add(a.asText()));
            Path again = dir.resolve("again-" + t.get("id").asText() + ".safetensors");
            args.set(args.indexOf("-o") + 1, again.toString());
            run(args);
            assertEquals(t.get("model").get("sha256").asText(), ResultJson.sha256(again), command + " writes the same model");
        }
    }

    /** A copy without timings ("seconds" fields). */
    private static JsonNode numbers(JsonNode n) {
        JsonNode c = n.deepCopy();
        strip(c);
        return c;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove("seconds");
            for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) strip(it.next());
        } else if (n instanceof ArrayNode a) {
            a.forEach(ReportReproducibilityTest::strip);
        }
    }
}
