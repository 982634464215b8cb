package dev.brink.app.cli;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.data.Datasets;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.SafeTensors;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PyTorch path end to end on the committed fixture {@code test-vectors/pytorch/mnist-cnn-bn} (a batch-norm CNN
 * trained on MNIST in PyTorch and exported by {@code scripts/export_pytorch.py} under PyTorch's own names; made by
 * {@code test-vectors/generate_pytorch.py}): {@code brink import}, {@code brink info --spec}, {@code brink eval
 * --spec}, and the imported model's logits against PyTorch's.
 */
class ImportCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code test-vectors/pytorch/mnist-cnn-bn}, found by walking up from the working directory. */
    static Path fixture() {
        for (Path q = Paths.get("").toAbsolutePath(); q != null; q = q.getParent()) {
            Path d = q.resolve("test-vectors").resolve("pytorch").resolve("mnist-cnn-bn");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("test-vectors/pytorch/mnist-cnn-bn not found above " + Paths.get("").toAbsolutePath());
    }

    private static Path weights() {
        return fixture().resolve("cnn.safetensors");
    }

    private static Path spec() {
        return fixture().resolve("cnn.spec.json");
    }

    private static Path images() {
        return fixture().resolve("t10k-images-idx3-ubyte");
    }

    /** The fixture's images as the model's input, [N, 1, 28, 28] in [0, 1] (pixels / 255, as PyTorch was given). */
    private static Tensor inputs(Dataset d) {
        return d.x(0, d.size());
    }

    @Test
    void theFixtureHoldsPyTorchNamesNotBrinks() throws IOException {
        Map<String, Tensor> t = SafeTensors.read(weights()).tensors();
        assertTrue(t.containsKey("0.weight") && t.containsKey("1.num_batches_tracked") && t.containsKey("17.weight"), t.keySet().toString());
        assertTrue(Files.size(weights()) + Files.size(images()) < 200_000);
    }

    @Test
    void importedModelGivesPyTorchsLogitsAndAccuracy() throws IOException {
        Path out = tmp.resolve("models").resolve("cnn.safetensors");
        Run r = run("import", weights().toString(), "--spec", spec().toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("names read as sequential"), r.out());
        assertTrue(r.out().contains("ignored 4 batch-norm counters"), r.out());
        assertTrue(r.out().contains("layer indices paired in order (file -> spec): 13->12 14->13 17->16"), r.out());
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of(out), s.toList(), "only the model file, no temporary file left");
        }
        ModelFile mf = ModelFile.load(out);
        assertTrue(mf.state().containsKey("layers.16.weight"));
        assertEquals("sequential", mf.info().extra().get("brink.imported.names"));

        SafeTensors.Contents expected = SafeTensors.read(fixture().resolve("expected.safetensors"));
        float[] want = expected.tensors().get("logits").toFloatArray();
        Dataset d = Datasets.load(images(), false);
        LoadedModel m = LoadedModel.load(out, null);
        m.model().eval();
        Tensor logits;
        try (var g = GradMode.noGrad()) {
            logits = m.model().forward(inputs(d));
        }
        float[] got = logits.toFloatArray();
        assertEquals(want.length, got.length);
        double maxDiff = 0;
        for (int i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i])));
        assertTrue(maxDiff < 1e-4, "logits differ from PyTorch's by up to " + maxDiff);
        int[] pred = logits.argmax(1).toIntArray();
        int correct = 0;
        for (int i = 0; i < d.size(); i++) if (pred[i] == d.label(i)) correct++;
        assertEquals(Integer.parseInt(expected.metadata().get("correct")), correct, "clean accuracy differs from PyTorch's");
    }

    @Test
    void evalWithSpecReadsTheExportDirectlyAndMatchesPyTorchsAccuracy() throws IOException {
        Run r = run("eval", weights().toString(), "--spec", spec().toString(), "--data", images().toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Matcher m = Pattern.compile("accuracy\\W+([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        String want = SafeTensors.readHeader(fixture().resolve("expected.safetensors")).metadata().get("accuracy");
        assertEquals(Double.parseDouble(want), Double.parseDouble(m.group(1)), 1e-4, r.out());
    }

    @Test
    void infoTakesASpec() {
        Run r = run("info", weights().toString(), "--spec", spec().toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("input       [1, 28, 28] -> output [10]"), r.out());
        assertTrue(r.out().contains("(spec " + spec() + ")"), r.out());
        assertTrue(r.out().contains("GlobalAvgPool2d"), r.out());
        Run bad = run("info", "--spec", spec().toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("give the file too"), bad.err());
    }

    @Test
    void aSpecThatDoesNotFitFailsListingTheProblemsAndWritesNothing() throws IOException {
        Path wrong = tmp.resolve("wrong.spec.json");
        Files.writeString(wrong, Files.readString(spec()).replace("{\"type\": \"linear\", \"out\": 10", "{\"type\": \"linear\", \"out\": 12"));
        Path out = tmp.resolve("out.safetensors");
        Run r = run("import", weights().toString(), "--spec", wrong.toString(), "-o", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(weights() + ": state dict does not match the model (2 problems):"), r.err());
        assertTrue(r.err().contains("layers.16.weight: file has [10, 32], model expects [12, 32]"), r.err());
        assertTrue(r.err().contains("layers.16.bias: file has [10], model expects [12]"), r.err());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(wrong), s.toList());
        }
    }

    @Test
    void zooModelsAndBadOptionsAreCheckedToo() {
        Path out = tmp.resolve("o.safetensors");
        Run r = run("import", weights().toString(), "--model", "resnet18", "--width", "0.125", "-o", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("state dict does not match the model"), r.err());
        assertTrue(r.err().contains("layers.0.weight: file has [8, 1, 3, 3], model expects [8, 3, 3, 3]"), r.err());
        assertTrue(r.err().contains("missing: layers.20.weight [10, 64] float32"), r.err());
        assertTrue(r.err().contains("cannot pair layers: the file has tensors for 9 layers"), r.err());
        Run names = run("import", weights().toString(), "--spec", spec().toString(), "--names", "keras", "-o", out.toString());
        assertEquals(1, names.code());
        assertTrue(names.err().contains("unknown name scheme 'keras'"), names.err());
        Run both = run("import", weights().toString(), "--spec", spec().toString(), "--model", "resnet18", "-o", out.toString());
        assertEquals(CommandLine.ExitCode.USAGE, both.code());
        assertFalse(Files.exists(out));
    }
}
