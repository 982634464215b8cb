package dev.brink.app.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.zoo.Zoo;
import dev.brink.app.cli.BrinkCli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code brink vectors check} on the committed PyTorch model vectors ({@code test-vectors/models/}, made by
 * {@code test-vectors/generate_models.py}) and on corrupted copies of one case.
 */
class ModelVectorsTest {

    /** The zoo variants the suite must hold. */
    private static final List<String> REQUIRED_ZOO = List.of("madry-mnist-small", "resnet18-small", "wrn-16-2-small",
            "galloway-cifar-small", "emr-cnn-small", "mlp-small", "vgg11-small");

    /** Every layer type of the spec language (ModelSpec's Javadoc). */
    private static final Set<String> LAYER_TYPES = Set.of("linear", "conv2d", "maxpool2d", "avgpool2d", "global_avgpool",
            "flatten", "relu", "tanh", "sigmoid", "softplus", "leaky_relu", "dropout", "batchnorm2d", "batchnorm1d", "residual",
            "normalize");

    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cmd = new CommandLine(new BrinkCli());
        StringWriter o = new StringWriter(), e = new StringWriter();
        cmd.setOut(new PrintWriter(o, true));
        cmd.setErr(new PrintWriter(e, true));
        int code = cmd.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    /** {@code test-vectors/models}, found by walking up from the working directory. */
    static Path models() {
        for (Path q = Paths.get("").toAbsolutePath(); q != null; q = q.getParent()) {
            Path d = q.resolve("test-vectors").resolve("models");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("test-vectors/models not found above " + Paths.get("").toAbsolutePath());
    }

    private static List<Path> cases() throws IOException {
        return ModelVectorCheck.findCases(List.of(models()));
    }

    @Test
    void everyCommittedCasePasses() throws IOException {
        List<Path> cases = cases();
        Run r = run("vectors", "check", models().toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        long lines = r.out().lines().filter(l -> l.endsWith("PASS") || l.contains("  PASS  ")).count();
        assertEquals(cases.size() * ModelVectorCheck.QUANTITIES.size(), lines, r.out());
        assertFalse(r.out().contains("FAIL  "), r.out());
        assertTrue(r.out().contains("vectors check: " + cases.size() + " cases, " + lines + " quantities: " + lines + " PASS, 0 FAIL"), r.out());
    }

    @Test
    void theSuiteCoversEveryLayerTypeAndTheRequiredZooModels() throws IOException {
        Set<String> names = new TreeSet<>(), types = new TreeSet<>();
        for (Path c : cases()) {
            names.add(c.getFileName().toString());
            collectTypes(ModelSpec.parse(Files.readString(c.resolve(ModelVectorCheck.MODEL))).get("layers"), types);
        }
        assertEquals(new TreeSet<>(LAYER_TYPES), types);
        for (String z : REQUIRED_ZOO) assertTrue(names.contains(z), "missing zoo case " + z + " in " + names);
        assertTrue(names.containsAll(List.of("residual-identity", "residual-projection", "batchnorm-eval")), names.toString());
    }

    private static void collectTypes(JsonNode layers, Set<String> out) {
        for (JsonNode l : layers) {
            out.add(l.get("type").asText());
            if (l.has("body")) collectTypes(l.get("body"), out);
            if (l.has("shortcut")) collectTypes(l.get("shortcut"), out);
        }
    }

    /** The generator transcribes the zoo in Python; each zoo case must be exactly what {@link Zoo#spec} gives. */
    @Test
    void zooCasesAreTheZoosSpecs() throws IOException {
        int zoo = 0;
        for (Path c : cases()) {
            Map<String, String> meta = SafeTensors.readHeader(c.resolve(ModelVectorCheck.EXPECTED)).metadata();
            if (!meta.containsKey("zoo")) continue;
            zoo++;
            int[] input = Arrays.stream(meta.get("zoo.input").split(",")).mapToInt(Integer::parseInt).toArray();
            Zoo.Options opt = Zoo.Options.DEFAULT.withWidth(Double.parseDouble(meta.get("zoo.width"))).withInput(input)
                    .withClasses(Integer.parseInt(meta.get("zoo.classes")));
            if (meta.get("zoo.normalization").equals("cifar10")) opt = opt.withNormalization(Zoo.CIFAR10_MEAN, Zoo.CIFAR10_STD);
            JsonNode want = Zoo.spec(meta.get("zoo"), opt);
            JsonNode have = ModelSpec.parse(Files.readString(c.resolve(ModelVectorCheck.MODEL)));
            assertEquals(want.get("input"), have.get("input"), c.toString());
            assertEquals(want.get("layers"), have.get("layers"), c + ": the generator's transcription differs from Zoo.spec");
            assertEquals(want.get("name"), have.get("name"), c.toString());
        }
        assertTrue(zoo >= REQUIRED_ZOO.size(), "only " + zoo + " zoo cases");
    }

    // ------------------------------------------------------------------ corrupted copies

    /** A copy of one small committed case under {@code tmp/name}. */
    private Path copyCase(String name) throws IOException {
        Path src = models().resolve("layers").resolve("batchnorm-eval");
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(src)) {
            for (Path f : s.toList()) Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return dst;
    }

    private static void rewrite(Path file, java.util.function.Consumer<Map<String, Tensor>> edit) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, Tensor> t = new LinkedHashMap<>(c.tensors());
        edit.accept(t);
        SafeTensors.write(file, t, c.metadata());
    }

    private static void assertMalformed(Run r, Path file, String... fragments) {
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains(file.toString()), "message should name " + file + ":\n" + r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), "message should contain '" + f + "':\n" + r.err());
        assertTrue(r.out().contains("MALFORMED"), r.out());
    }

    @Test
    void aCopyPassesAndTheCaseFolderItselfIsAcceptedAsDir() throws IOException {
        Path c = copyCase("good");
        Run r = run("vectors", "check", c.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().startsWith("good "), r.out());
        assertTrue(r.out().contains("1 case, 10 quantities: 10 PASS, 0 FAIL"), r.out());
    }

    @Test
    void truncatedWeightsAreMalformed() throws IOException {
        Path c = copyCase("truncated");
        Path w = c.resolve(ModelVectorCheck.WEIGHTS);
        byte[] b = Files.readAllBytes(w);
        Files.write(w, Arrays.copyOf(b, b.length - 100));
        assertMalformed(run("vectors", "check", tmp.toString()), w);
    }

    @Test
    void aMissingExpectedTensorIsMalformed() throws IOException {
        Path c = copyCase("missing");
        Path e = c.resolve(ModelVectorCheck.EXPECTED);
        rewrite(e, t -> t.remove("hvp_x"));
        assertMalformed(run("vectors", "check", c.toString()), e, "missing tensor 'hvp_x'");
    }

    @Test
    void aMissingWeightIsMalformed() throws IOException {
        Path c = copyCase("missing-weight");
        Path w = c.resolve(ModelVectorCheck.WEIGHTS);
        rewrite(w, t -> t.remove("layers.1.running_var"));
        assertMalformed(run("vectors", "check", c.toString()), w, "layers.1.running_var");
    }

    @Test
    void aWrongShapeIsMalformed() throws IOException {
        Path c = copyCase("shape");
        Path d = c.resolve(ModelVectorCheck.DATA);
        rewrite(d, t -> {
            Tensor x = t.get("x");
            int[] s = x.shape();
            t.put("x", x.reshape(s[0], s[1], s[2] * s[3]));
        });
        assertMalformed(run("vectors", "check", c.toString()), d, "x has shape");

        Path c2 = copyCase("weight-shape");
        Path w = c2.resolve(ModelVectorCheck.WEIGHTS);
        rewrite(w, t -> t.put("layers.0.weight", t.get("layers.0.weight").flatten(1)));
        assertMalformed(run("vectors", "check", c2.toString()), w, "layers.0.weight");
    }

    @Test
    void labelsOutOfRangeAndBadSpecsAreMalformed() throws IOException {
        Path c = copyCase("labels");
        Path d = c.resolve(ModelVectorCheck.DATA);
        rewrite(d, t -> t.put("y", Tensor.ofInts(new int[] {0, 1, 9}, 3)));
        assertMalformed(run("vectors", "check", c.toString()), d, "label 9");

        Path c2 = copyCase("spec");
        Path m = c2.resolve(ModelVectorCheck.MODEL);
        Files.writeString(m, Files.readString(m).replace("\"batchnorm1d\"", "\"batchnorm3d\""));
        assertMalformed(run("vectors", "check", c2.toString()), m, "batchnorm3d");
    }

    @Test
    void aWrongValueFailsAndTheOtherCasesStillRun() throws IOException {
        copyCase("a-good");
        Path c = copyCase("b-bad");
        rewrite(c.resolve(ModelVectorCheck.WEIGHTS), t -> t.put("layers.11.weight", t.get("layers.11.weight").mul(1.001)));
        Run r = run("vectors", "check", tmp.toString());
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("2 cases, 20 quantities: "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("b-bad ") && l.contains("logits") && l.contains("FAIL")), r.out());
        assertTrue(r.out().lines().filter(l -> l.startsWith("a-good ")).allMatch(l -> l.contains("PASS")), r.out());
    }

    @Test
    void missingOrEmptyDirsAreErrors() throws IOException {
        Run r = run("vectors", "check", tmp.resolve("nope").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("nope") && r.err().contains("no such file"), r.err());

        Files.createDirectories(tmp.resolve("empty").resolve("sub"));
        r = run("vectors", "check", tmp.resolve("empty").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("holds no test case"), r.err());

        r = run("vectors", "check");
        assertEquals(CommandLine.ExitCode.USAGE, r.exitCode());
    }
}
