package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.app.results.ResultJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --json on eval, attack and sweep: JSON only on standard output, the documented fields, results.json beside the report. */
class JsonOutputTest {
    @TempDir
    static Path dir;
    static Path data, model;

    /** A tiny two-class 4x4 IDX set and a small MLP trained on it. */
    @BeforeAll
    static void model() throws Exception {
        data = dir.resolve("toy");
        Files.createDirectories(data);
        for (String prefix : new String[] {"train", "t10k"}) {
            int n = prefix.equals("train") ? 100 : 40;
            java.util.Random r = new java.util.Random(n);
            try (DataOutputStream img = new DataOutputStream(Files.newOutputStream(data.resolve(prefix + "-images-idx3-ubyte")));
                 DataOutputStream lbl = new DataOutputStream(Files.newOutputStream(data.resolve(prefix + "-labels-idx1-ubyte")))) {
                for (int v : new int[] {0x803, n, 4, 4}) img.writeInt(v);
                lbl.writeInt(0x801);
                lbl.writeInt(n);
                for (int i = 0; i < n; i++) {
                    lbl.writeByte(i % 2);
                    for (int p = 0; p < 16; p++) img.writeByte(((p % 4 < 2) == (i % 2 == 0) ? 200 : 30) + r.nextInt(40));
                }
            }
        }
        Path spec = dir.resolve("tiny.json");
        Files.writeString(spec, "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":8},{\"type\":\"tanh\"},{\"type\":\"linear\",\"out\":2}]}");
        model = dir.resolve("m/tiny.safetensors");
        Fixtures.Run t = Fixtures.run("train", "--spec", spec.toString(), "--data", data.toString(), "--epochs", "2",
                "--batch-size", "20", "--lr", "0.05", "-o", model.toString());
        assertEquals(0, t.code(), t.out() + t.err());
    }

    private static JsonNode stdout(String... args) throws Exception {
        Fixtures.Run r = Fixtures.run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode doc = ResultJson.MAPPER.readTree(r.out()); // fails unless stdout is JSON alone
        assertEquals(ResultJson.FORMAT, doc.get("format").asText());
        for (String k : new String[] {"version", "commit", "dirty"}) assertFalse(doc.get("tool").get(k).asText().isEmpty(), k);
        assertEquals(ResultJson.sha256(model), doc.get("config").get("model").get("sha256").asText());
        assertTrue(doc.get("command").asText().startsWith("./brink " + args[0] + " "), doc.get("command").asText());
        assertTrue(doc.get("timings").get("seconds").asDouble() >= 0);
        return doc;
    }

    @Test
    void evalAttackAndSweepPrintTheirResultAsJson() throws Exception {
        String m = model.toString(), d = data.toString();
        JsonNode eval = stdout("eval", "--json", m, "--data", d, "--limit", "20");
        assertEquals(20, eval.get("results").get("samples").asInt());
        assertEquals(20, eval.get("config").get("data").get("limit").asInt());
        assertEquals("cpu", eval.get("config").get("backend").asText());
        assertEquals("float32", eval.get("config").get("dtype").asText());

        Path out = dir.resolve("json-attack");
        JsonNode attack = stdout("attack", m, "--data", d, "--limit", "20", "--attack", "pgd", "--steps", "3", "--attack", "fgsm",
                "--eps", "0.1", "--seed", "7", "--out", out.toString(), "--json");
        JsonNode pgd = attack.get("config").get("attacks").get(0);
        assertEquals("3", pgd.get("params").get("steps").asText(), "--steps resolved into the attack's parameters");
        assertEquals("true", pgd.get("params").get("random-start").asText(), "defaults written out");
        assertEquals(0.1, pgd.get("eps").asDouble());
        assertEquals(7, attack.get("config").get("seed").asInt());
        assertEquals(2, attack.get("results").get("attacks").size());
        assertTrue(attack.get("results").has("worst_case"));
        assertTrue(attack.get("args").toString().contains("\"--steps\",\"3\""), attack.get("args").toString());
        JsonNode written = ResultJson.MAPPER.readTree(out.resolve("results.json").toFile());
        assertEquals(attack.get("results").get("attacks").get(0).get("robust_accuracy"), written.get("results").get("attacks").get(0).get("robust_accuracy"));
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains(attack.get("command").asText()) && html.contains("results.json") && html.contains("random-start=true"), html);

        Path sweepOut = dir.resolve("json-sweep");
        Path file = dir.resolve("sweep.json");
        Fixtures.Run r = Fixtures.run("sweep", m, "--data", d, "--limit", "20", "--attack", "fgsm", "--eps", "0:0.2:0.1",
                "--out", sweepOut.toString(), "--json=" + file);
        assertEquals(0, r.code(), r.err());
        JsonNode sweep = ResultJson.MAPPER.readTree(file.toFile());
        assertEquals(3, sweep.get("results").get("rows").size());
        assertEquals(sweep.get("results"), ResultJson.MAPPER.readTree(sweepOut.resolve("results.json").toFile()).get("results"));
    }
}
