package dev.brink.app.cli;

import dev.brink.app.results.BuildInfo;
import dev.brink.app.results.CommandLines;
import dev.brink.app.vectors.ModelQuantities;
import dev.brink.app.vectors.ModelVectorMaker;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code brink vectors make MODEL --data D --limit N --out DIR}: a reference case computed by Brink. */
@Command(
        name = "make",
        mixinStandardHelpOptions = true,
        description = {
                "Write a model-level reference case computed by Brink, in the format 'brink vectors check' reads: model.json, weights.safetensors, "
                        + "data.safetensors (x, y, v), expected.safetensors and a README.md saying what each tensor is.",
                "Quantities (eval mode, L = mean cross-entropy): logits, loss, grad_x, grad (dL/dparam), hvp_x, hessian_x (the per-sample input Hessian, "
                        + "[N, D, D]), gradnorm and gradnorm.grad, jac_rows, emr and emr.grad. Computed in float64; the metadata states the "
                        + "tolerances a float32 engine should use.",
                "Example: brink vectors make cnn.safetensors --spec cnn.spec.json --data mnist --limit 4 --out ref/cnn"})
final class VectorsMakeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "A Brink model file (.safetensors), plain weights with --spec (e.g. exported from PyTorch), or a zoo model name "
                    + "(logreg, mlp-4x1024, madry-mnist, resnet18, wrn-16-2, ...; built for the data's input shape and classes, initialized with --seed).")
    String model;

    @Option(names = "--spec", paramLabel = "FILE", description = "Spec JSON describing MODEL when it holds plain weights.")
    Path specFile;

    @Mixin
    DataOptions data;

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--quantities", paramLabel = "LIST",
            description = "Comma-separated quantities to write, or all (default: all but hessian_x, which is included when a sample has at most "
                    + ModelVectorMaker.DEFAULT_HESSIAN_LIMIT + " elements; it takes one Hessian-vector product per input element, and at most "
                    + ModelQuantities.HESSIAN_MAX + " are allowed).")
    String quantities;

    @Option(names = "--dtype", paramLabel = "float64|float32", defaultValue = "float64",
            description = "Storage dtype (default: ${DEFAULT-VALUE}). Everything is computed in float64; with float32, weights, x and v are rounded first "
                    + "and the results last.")
    String dtype;

    @Option(names = "--hvp-vectors", paramLabel = "FILE",
            description = "A safetensors file whose tensor 'v' (x's shape) is the Hessian-vector product direction (default: a standard normal draw from --seed).")
    Path hvpVectors;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of v and of a zoo model's initialization (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--width", defaultValue = "1", description = "Width multiplier of a zoo model (default: ${DEFAULT-VALUE}).")
    double width;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The case folder to write (new or empty).")
    Path out;

    @Option(names = "--force", description = "Replace the case files in a non-empty DIR.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train, got " + split);
        DType store = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float64" -> DType.FLOAT64;
            case "float32" -> DType.FLOAT32;
            default -> throw new IllegalArgumentException("--dtype must be float64 or float32, got " + dtype);
        };
        if (data.limit == null)
            throw new IllegalArgumentException("--limit N is required: the case holds N samples (2 to 8 keep it small; the Jacobian rows alone are N K D values)");
        Dataset d = data.load(split.equals("train"));
        Map<String, String> provenance = new LinkedHashMap<>();
        SpecModel m = model(d, provenance);
        Tensor x = d.x(0, d.size()), y = d.y(0, d.size());
        Tensor v = hvpVectors == null ? null : readV(hvpVectors);
        if (v != null && !Arrays.equals(v.shape(), x.shape()))
            throw new IOException(hvpVectors + ": v has shape " + Arrays.toString(v.shape()) + "; it must have x's shape " + Arrays.toString(x.shape())
                    + " (" + d.size() + " samples)");
        List<String> q = quantities == null ? ModelVectorMaker.defaultQuantities(m.inputShape()) : ModelQuantities.parse(quantities);
        provenance.put("data", data.data);
        provenance.put("split", split);
        provenance.put("limit", Integer.toString(d.size()));
        if (hvpVectors != null) provenance.put("v.file", hvpVectors.toString());
        provenance.put("seed", Long.toString(seed));
        provenance.put("brink_version", BuildInfo.version());
        provenance.put("command", CommandLines.brink(args()));

        ModelVectorMaker.Made made = ModelVectorMaker.make(new ModelVectorMaker.Request(m, x, y, v, seed, q, store, provenance), out, force);
        o.printf(Locale.ROOT, "wrote %s: %d samples of %s, %d tensors (%s), %s, in %.1f s%n", out, d.size(), Arrays.toString(m.inputShape()),
                made.shapes().size(), String.join(", ", q), store.label(), made.seconds());
        o.printf(Locale.ROOT, "float32 tolerances: %s%n", String.join(", ", made.float32Tolerances().entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.0e", e.getValue())).toList()));
        o.printf("check it with: brink vectors check %s%n", out);
        o.flush();
        return 0;
    }

    /** The model: a file (with --spec: plain weights), or a zoo name built for the data. */
    private SpecModel model(Dataset d, Map<String, String> provenance) throws IOException {
        Path file = Path.of(model);
        if (Files.isRegularFile(file) || specFile != null || model.contains("/") || model.endsWith(".safetensors")) {
            LoadedModel lm = LoadedModel.load(file, specFile);
            provenance.put("model", file.toString());
            if (specFile != null) provenance.put("spec", specFile.toString());
            provenance.put("model.sha256", dev.brink.app.results.ResultJson.sha256(file));
            return lm.model();
        }
        if (!Zoo.names().contains(model) && !model.matches("wrn-\\d+-\\d+|vgg\\d+-cifar"))
            throw new IOException(model + ": no such model file, and not a zoo model (" + String.join(", ", Zoo.names()) + ", wrn-D-W, vggN-cifar)");
        int classes = model.equals("logreg") ? 1 : d.numClasses();
        Zoo.Options opt = Zoo.Options.DEFAULT.withWidth(width).withInput(d.sampleShape()).withClasses(classes);
        provenance.put("zoo", model);
        provenance.put("zoo.width", Double.toString(width));
        provenance.put("zoo.input", String.join(",", Arrays.stream(d.sampleShape()).mapToObj(Integer::toString).toList()));
        provenance.put("zoo.classes", Integer.toString(classes));
        provenance.put("zoo.init_seed", Long.toString(seed));
        return Zoo.build(model, opt, new Generator(seed));
    }

    private static Tensor readV(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file (--hvp-vectors)");
        Map<String, Tensor> t = SafeTensors.read(file).tensors();
        Tensor v = t.get("v");
        if (v == null) throw new IOException(file + ": holds no tensor 'v' (it has " + String.join(", ", t.keySet()) + ")");
        return v;
    }

    private List<String> args() {
        List<String> a = new ArrayList<>(List.of("vectors", "make", model));
        if (specFile != null) a.addAll(List.of("--spec", specFile.toString()));
        a.addAll(data.args());
        if (!split.equals("test")) a.addAll(List.of("--split", split));
        if (quantities != null) a.addAll(List.of("--quantities", quantities));
        a.addAll(List.of("--dtype", dtype.toLowerCase(Locale.ROOT)));
        if (hvpVectors != null) a.addAll(List.of("--hvp-vectors", hvpVectors.toString()));
        a.addAll(List.of("--seed", Long.toString(seed)));
        if (width != 1) a.addAll(List.of("--width", Double.toString(width)));
        a.addAll(List.of("--out", out.toString()));
        return a;
    }
}
