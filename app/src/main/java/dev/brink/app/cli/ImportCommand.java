package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.nn.io.ImportOptions;
import dev.brink.nn.io.ModelLoader;
import dev.brink.nn.spec.SpecException;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.NameScheme;
import dev.brink.nn.io.OutputPaths;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.io.StateDictImport;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.zoo.Zoo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code brink import}: a PyTorch state dict saved as safetensors (by {@code scripts/export_pytorch.py}, or
 * {@code safetensors.torch.save_file}) plus its architecture (a spec, or a zoo model) becomes a Brink model file,
 * once: names are mapped as {@link StateDictImport} describes, every tensor is checked, and the file is written
 * atomically (an existing file is replaced only when the new one is complete).
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {"Converts PyTorch weights (safetensors) into a Brink model file, checking every name and shape.",
                "Names: nn.Sequential (0.weight), torchvision ResNet (layer1.0.conv1.weight), RobustBench WideResNet "
                        + "(block1.layer.0.bn1.weight); *.num_batches_tracked is ignored, a module. prefix stripped.",
                "Example: brink import cnn.safetensors --spec cnn.spec.json -o models/cnn.safetensors"})
public final class ImportCommand implements Callable<Integer> {

    static final class Architecture {
        @Option(names = "--spec", paramLabel = "FILE", description = "Spec JSON of the model (scripts/export_pytorch.py writes one).")
        Path spec;

        @Option(names = "--model", paramLabel = "NAME", description = "Zoo model instead of a spec, e.g. resnet18, wrn-28-10 (see brink train --help).")
        String zoo;
    }

    @Parameters(index = "0", paramLabel = "WEIGHTS", description = "The PyTorch weights (.safetensors).")
    Path weights;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Architecture arch;

    @Option(names = "--classes", paramLabel = "K", defaultValue = "10", description = "Classes of a zoo model (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1", description = "Width multiplier of a zoo model (default: ${DEFAULT-VALUE}).")
    double width;

    @Option(names = "--input", paramLabel = "C,H,W", description = "Input shape of a zoo model (default: the model's own, e.g. 3,32,32).")
    String input;

    @Option(names = "--prefix", paramLabel = "P", description = "Strip P from the names that start with it (e.g. module.). "
            + "Without it, a first name component shared by every tensor is stripped.")
    String prefix;

    @Option(names = "--rename", paramLabel = "FROM=TO", description = "Replace the name prefix FROM by TO (repeatable; first match wins), "
            + "e.g. --rename features.=layers.")
    List<String> renames = new ArrayList<>();

    @Option(names = "--names", paramLabel = "SCHEME", defaultValue = "auto",
            description = "auto, brink, sequential, torchvision-resnet or robustbench-wrn (default: ${DEFAULT-VALUE}: chosen from the names).")
    String names;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The Brink model file to write.")
    Path output;

    @picocli.CommandLine.Mixin
    ModelLoadOptions loadOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isRegularFile(weights)) throw new IOException(weights + ": no such weights file");
        OutputPaths.checkFile("-o", output, true);
        if (!(width > 0) || Double.isInfinite(width)) throw new IllegalArgumentException("--width must be a positive number, got " + width);
        List<ImportOptions.Rename> rules = new ArrayList<>();
        for (String r : renames) rules.add(ImportOptions.Rename.parse(r));
        ImportOptions opt = new ImportOptions(prefix, rules, NameScheme.parse(names));

        JsonNode specJson;
        String zooName = "";
        if (arch.spec != null) {
            if (!Files.isRegularFile(arch.spec)) throw new IOException(arch.spec + ": no such spec file");
            specJson = ModelSpec.parse(Files.readString(arch.spec));
        } else {
            Zoo.Options z = Zoo.Options.DEFAULT.withClasses(classes).withWidth(width);
            if (input != null) z = z.withInput(parseShape(input));
            specJson = Zoo.spec(arch.zoo, z);
            zooName = arch.zoo;
        }
        ModelLoader.Imported imported;
        try {
            imported = ModelLoader.importWeights(weights, specJson, opt, zooName);
        } catch (SpecException e) {
            throw new IOException((arch.spec != null ? arch.spec.toString() : "zoo model " + arch.zoo) + ": " + e.getMessage(), e);
        }
        LoadedModel.checkFinite(weights, imported.loaded().nonFinite(), loadOptions.allowNonFinite, spec.commandLine().getErr());
        SpecModel model = imported.loaded().model();
        StateDictImport.Result r = imported.renaming();

        Map<String, dev.brink.engine.Tensor> state = new LinkedHashMap<>();
        for (String k : model.stateDict().keySet()) state.put(k, r.state().get(k));
        ModelInfo info = new ModelInfo(model.specJson(), zooName)
                .withExtra("brink.imported.from", weights.getFileName().toString())
                .withExtra("brink.imported.names", r.scheme().label());
        for (Map.Entry<String, String> e : imported.metadata().entrySet())
            if (e.getKey().startsWith("brink.") && !e.getKey().startsWith("brink.imported.") && !ModelFile.isReserved(e.getKey()))
                info = info.withExtra(e.getKey(), e.getValue());
        Path dir = output.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        ModelFile.save(output, state, info);

        out.printf("imported %s: %d tensors, names read as %s%n", weights, state.size(), r.scheme().label());
        for (String n : r.notes()) if (!n.startsWith("names read as")) out.println("  " + n);
        out.printf("model    %s, input %s -> output %s, %,d parameters%n", zooName.isEmpty() ? "(spec " + arch.spec + ")" : zooName,
                Arrays.toString(model.inputShape()), Arrays.toString(model.outputShape()), model.parameterCount());
        out.printf("wrote    %s%n", output);
        out.flush();
        return 0;
    }

    static int[] parseShape(String s) {
        try {
            return Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--input must be C,H,W (e.g. 3,32,32), got '" + s + "'");
        }
    }
}
