package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.SafeTensors;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch ResNets and WideResNets under their own names ({@code test-vectors/generate_pytorch_zoo.py}) imported with
 * {@code brink import --model ...} (or a spec) must compute PyTorch's logits, not only load: this pins the name
 * mapping and the zoo architectures to the originals. The committed case is a tiny RobustBench WideResNet in
 * {@code test-vectors/pytorch/}; {@code make pytorch-zoo-check} adds torchvision's resnet18 (CIFAR stem and ImageNet
 * stem) through {@code BRINK_PYTORCH_ZOO=DIR}.
 */
class PyTorchZooImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<Path> cases() throws IOException {
        List<Path> roots = new ArrayList<>(List.of(ImportCommandTest.fixture().getParent()));
        String extra = System.getenv("BRINK_PYTORCH_ZOO");
        if (extra != null && !extra.isBlank()) roots.add(Path.of(extra));
        List<Path> cases = new ArrayList<>();
        for (Path r : roots) {
            try (Stream<Path> s = Files.list(r)) {
                s.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().forEach(cases::add);
            }
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> importedModelsComputePyTorchsLogits() throws IOException {
        List<Path> cases = cases();
        assertTrue(cases.stream().anyMatch(c -> c.getFileName().toString().startsWith("robustbench-wrn")), cases.toString());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
    }

    private void check(Path dir) throws IOException {
        JsonNode args = JSON.readTree(dir.resolve("case.json").toFile()).get("args");
        Path out = tmp.resolve(dir.getFileName() + ".safetensors");
        List<String> cmd = new ArrayList<>(List.of("import", dir.resolve("weights.safetensors").toString()));
        for (JsonNode a : args) cmd.add(a.asText().endsWith(".json") ? dir.resolve(a.asText()).toString() : a.asText());
        cmd.addAll(List.of("-o", out.toString()));
        StringWriter o = new StringWriter(), e = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int code = cl.execute(cmd.toArray(String[]::new));
        assertEquals(0, code, o + "\n" + e);
        assertFalse(o.toString().contains("no counterpart"), o.toString());

        SafeTensors.Contents data = SafeTensors.read(dir.resolve("data.safetensors"));
        LoadedModel m = LoadedModel.load(out, null);
        m.model().eval();
        Tensor logits;
        try (var g = GradMode.noGrad()) {
            logits = m.model().forward(data.tensors().get("x"));
        }
        float[] want = data.tensors().get("logits").toFloatArray(), got = logits.toFloatArray();
        assertEquals(want.length, got.length);
        double scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        double maxDiff = 0;
        for (int i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
        assertTrue(maxDiff <= 1e-4 * Math.max(1, scale), dir.getFileName() + ": logits differ from PyTorch's by up to " + maxDiff
                + " (largest logit " + scale + ")");
    }
}
