package dev.brink.app.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.app.cli.BrinkCli;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code brink vectors make} from the command line on a PyTorch-exported model and on a zoo model, each followed by
 * {@code brink vectors check --report}; and the errors of both commands.
 */
class VectorsMakeCliTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cmd = BrinkCli.newCommandLine();
        StringWriter o = new StringWriter(), e = new StringWriter();
        cmd.setOut(new PrintWriter(o, true));
        cmd.setErr(new PrintWriter(e, true));
        int code = cmd.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    /** {@code test-vectors/pytorch/mnist-cnn-bn}: an exported PyTorch CNN with 64 MNIST test images. */
    private static Path fixture() {
        for (Path q = Paths.get("").toAbsolutePath(); q != null; q = q.getParent()) {
            Path d = q.resolve("test-vectors").resolve("pytorch").resolve("mnist-cnn-bn");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("test-vectors/pytorch/mnist-cnn-bn not found above " + Paths.get("").toAbsolutePath());
    }

    private static JsonNode json(Path f) throws IOException {
        return new ObjectMapper().readTree(Files.readString(f));
    }

    /** The PyTorch model with all quantities (hessian_x included: 784 elements per sample), then checked. */
    @Test
    void aPyTorchExportedModel() throws IOException {
        Path fx = fixture(), out = tmp.resolve("cnn");
        Run r = run("vectors", "make", fx.resolve("cnn.safetensors").toString(), "--spec", fx.resolve("cnn.spec.json").toString(),
                "--data", fx.toString(), "--limit", "1", "--quantities", "all", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("wrote " + out + ": 1 samples of [1, 28, 28]"), r.out());
        for (String f : ModelVectorMaker.files()) assertTrue(Files.isRegularFile(out.resolve(f)), f);
        SafeTensors.Contents e = SafeTensors.read(out.resolve(ModelVectorCheck.EXPECTED));
        assertArrayEquals(new int[] {1, 784, 784}, e.tensors().get("hessian_x").shape());
        assertEquals(DType.FLOAT64, e.tensors().get("logits").dtype());
        assertEquals(String.join(",", ModelQuantities.ALL), e.metadata().get("quantities"));
        assertTrue(e.metadata().get("command").startsWith("./brink vectors make "), e.metadata().toString());
        assertEquals(ModelVectorCheck.MODEL, "model.json");
        String readme = Files.readString(out.resolve(ModelVectorMaker.README));
        assertTrue(readme.contains("# Reference case: mnist-cnn-bn") && readme.contains("| `hessian_x` | [1, 784, 784] |"), readme);
        // the PyTorch names were mapped to Brink's, and the weights are the export's
        Map<String, Tensor> w = SafeTensors.read(out.resolve(ModelVectorCheck.WEIGHTS)).tensors();
        Map<String, Tensor> exported = SafeTensors.read(fx.resolve("cnn.safetensors")).tensors();
        assertArrayEquals(exported.get("0.weight").toDoubleArray(), w.get("layers.0.weight").toDoubleArray(), 0);
        assertArrayEquals(exported.get("1.running_var").toDoubleArray(), w.get("layers.1.running_var").toDoubleArray(), 0);

        Path report = tmp.resolve("ci").resolve("report.json");
        Run c = run("vectors", "check", out.toString(), "--report", report.toString());
        assertEquals(0, c.exitCode(), c.out() + c.err());
        assertTrue(c.out().contains("1 case, 11 quantities: 11 PASS, 0 FAIL"), c.out());
        JsonNode doc = json(report);
        assertEquals("brink-vectors-report/1", doc.get("format").asText());
        assertEquals("pass", doc.get("status").asText());
        JsonNode q = doc.get("cases").get(0).get("quantities");
        assertEquals(ModelQuantities.ALL.size(), q.size());
        for (int i = 0; i < q.size(); i++) {
            assertEquals(ModelQuantities.ALL.get(i), q.get(i).get("name").asText());
            assertTrue(q.get(i).get("error").asDouble() <= 1e-12, q.get(i).toString());
            assertTrue(q.get(i).get("pass").asBoolean());
        }
    }

    /** A zoo model built for the data, stored in float32 with given HVP vectors; then a corrupted copy fails with a report. */
    @Test
    void aZooModelAndTheReportOfAFailure() throws IOException {
        Path fx = fixture(), out = tmp.resolve("madry");
        Tensor v = Tensor.randn(new Generator(3), DType.FLOAT64, 3, 1, 28, 28);
        Path vf = tmp.resolve("v.safetensors");
        SafeTensors.write(vf, Map.of("v", v), Map.of());
        Run r = run("vectors", "make", "madry-mnist", "--width", "0.0625", "--data", fx.toString(), "--limit", "3", "--dtype", "float32",
                "--quantities", "logits,loss,grad_x,grad,hvp_x,jac_rows,emr", "--hvp-vectors", vf.toString(), "--seed", "5", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        SafeTensors.Contents d = SafeTensors.read(out.resolve(ModelVectorCheck.DATA));
        assertEquals(DType.FLOAT32, d.tensors().get("x").dtype());
        assertArrayEquals(v.to(DType.FLOAT32).toDoubleArray(), d.tensors().get("v").toDoubleArray(), 0);
        assertEquals("madry-mnist", d.metadata().get("zoo"));
        assertEquals("given", d.metadata().get("v"));
        assertEquals("logits,loss,grad_x,grad.*,hvp_x,jac_rows,emr", d.metadata().get("quantities"));
        Run c = run("vectors", "check", out.toString());
        assertEquals(0, c.exitCode(), c.out() + c.err());
        assertTrue(c.out().contains("1 case, 7 quantities: 7 PASS, 0 FAIL"), c.out());

        // another engine's case with a wrong value: exit 1, and the report says which quantity and by how much
        Path bad = tmp.resolve("cases").resolve("bad");
        Files.createDirectories(bad);
        for (String f : ModelVectorMaker.files()) Files.copy(out.resolve(f), bad.resolve(f));
        SafeTensors.Contents e = SafeTensors.read(bad.resolve(ModelVectorCheck.EXPECTED));
        Map<String, Tensor> t = new LinkedHashMap<>(e.tensors());
        t.put("hvp_x", t.get("hvp_x").mul(1.01));
        SafeTensors.write(bad.resolve(ModelVectorCheck.EXPECTED), t, e.metadata());
        Path broken = tmp.resolve("cases").resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve(ModelVectorCheck.MODEL), "{}");
        Path report = tmp.resolve("report.json");
        Run f = run("vectors", "check", tmp.resolve("cases").toString(), "--report", report.toString());
        assertEquals(2, f.exitCode(), f.out() + f.err());
        JsonNode doc = json(report);
        assertEquals("malformed", doc.get("status").asText());
        JsonNode cases = doc.get("cases");
        assertEquals("bad", cases.get(0).get("case").asText());
        assertEquals("fail", cases.get(0).get("status").asText());
        JsonNode hvp = null;
        for (JsonNode q : cases.get(0).get("quantities")) if (q.get("name").asText().equals("hvp_x")) hvp = q;
        assertNotNull(hvp);
        assertFalse(hvp.get("pass").asBoolean());
        assertEquals(0.01 / 1.01, hvp.get("error").asDouble(), 1e-6);
        assertEquals("broken", cases.get(1).get("case").asText());
        assertEquals("malformed", cases.get(1).get("status").asText());
        assertTrue(cases.get(1).get("message").asText().contains("model.json"), cases.get(1).toString());
        assertEquals(1, doc.get("summary").get("fail").asInt());

        Run missing = run("vectors", "check", tmp.resolve("nope").toString(), "--report", report.toString());
        assertEquals(2, missing.exitCode());
        assertEquals("malformed", json(report).get("status").asText());
        assertTrue(json(report).get("message").asText().contains("no such file"), json(report).toString());
    }

    @Test
    void badArgumentsNameTheProblem() throws IOException {
        Path fx = fixture();
        String data = fx.toString();
        Run r = run("vectors", "make", "madry-mnist", "--data", data, "--out", tmp.resolve("a").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--limit N is required"), r.err());
        r = run("vectors", "make", "madry-mnist", "--data", data, "--limit", "2", "--dtype", "float16", "--out", tmp.resolve("a").toString());
        assertTrue(r.err().contains("--dtype must be float64 or float32, got float16"), r.err());
        r = run("vectors", "make", "no-such-model", "--data", data, "--limit", "2", "--out", tmp.resolve("a").toString());
        assertTrue(r.err().contains("no-such-model: no such model file, and not a zoo model"), r.err());
        r = run("vectors", "make", "madry-mnist", "--data", data, "--limit", "2", "--quantities", "logits,hessian", "--out", tmp.resolve("a").toString());
        assertTrue(r.err().contains("unknown quantity 'hessian'"), r.err());
        Path spec = tmp.resolve("cifar.json");
        Files.writeString(spec, "{\"input\": [3, 32, 32], \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"linear\", \"out\": 10, \"bias\": true}]}");
        Path weights = tmp.resolve("cifar.safetensors");
        SafeTensors.write(weights, Map.of("layers.1.weight", Tensor.zeros(10, 3072), "layers.1.bias", Tensor.zeros(10)), Map.of());
        r = run("vectors", "make", weights.toString(), "--spec", spec.toString(), "--data", data, "--limit", "2", "--out", tmp.resolve("a").toString());
        assertTrue(r.err().contains("the data's samples are [1, 28, 28]") && r.err().contains("the model takes [3, 32, 32]"), r.err());
        Path vf = tmp.resolve("w.safetensors");
        SafeTensors.write(vf, Map.of("w", Tensor.zeros(2, 1, 28, 28)), Map.of());
        r = run("vectors", "make", "madry-mnist", "--data", data, "--limit", "2", "--hvp-vectors", vf.toString(), "--out", tmp.resolve("a").toString());
        assertTrue(r.err().contains(vf + ": holds no tensor 'v'"), r.err());
        assertFalse(Files.exists(tmp.resolve("a")), "nothing is written when the arguments are wrong");
    }
}
