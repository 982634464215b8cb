package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Generator;
import dev.brink.nn.io.ImportOptions;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.io.StateDictImport;
import dev.brink.nn.io.StateDicts;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model read for a command: either a Brink model file (safetensors whose metadata holds the spec) or a spec
 * JSON file plus a safetensors weights file, e.g. exported from PyTorch by {@code scripts/export_pytorch.py}. The
 * weights' names may be PyTorch's ({@link StateDictImport}: {@code nn.Sequential}, torchvision ResNet, RobustBench
 * WideResNet, a {@code module.} prefix, batch-norm counters); every name, shape and dtype is checked.
 */
public record LoadedModel(SpecModel model, ModelInfo info, Path source) {

    /** Loads {@code file}; when {@code specFile} is given, the file holds plain weights described by that spec. */
    public static LoadedModel load(Path file, Path specFile) throws IOException {
        return load(file, specFile, ImportOptions.AUTO);
    }

    /**
     * Loads {@code file}; when {@code specFile} is given, the file holds plain weights described by that spec, whose
     * names are read as {@code names} says.
     */
    public static LoadedModel load(Path file, Path specFile, ImportOptions names) throws IOException {
        requireFile(file, "model");
        if (specFile != null) {
            requireFile(specFile, "spec");
            JsonNode spec;
            SpecModel m;
            try {
                spec = ModelSpec.parse(Files.readString(specFile));
                m = ModelSpec.build(spec, new Generator(0));
            } catch (IllegalArgumentException e) {
                throw new IOException(specFile + ": " + e.getMessage(), e);
            }
            return fromWeights(file, spec, m, names, "");
        }
        ModelFile mf = ModelFile.load(file);
        SpecModel m;
        try {
            m = ModelSpec.build(mf.info().spec(), new Generator(0));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the architecture stored in the file cannot be built: " + e.getMessage(), e);
        }
        StateDicts.check(file, m.stateDict(), mf.state());
        StateDicts.copyInto(m.stateDict(), mf.state());
        return new LoadedModel(m, mf.info(), file);
    }

    /** A readable regular file, or an error saying what {@code file} is instead (missing, a directory, ...). */
    static void requireFile(Path file, String what) throws IOException {
        if (Files.isRegularFile(file)) return;
        if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not a " + what + " file");
        if (!Files.exists(file)) throw new IOException(file + ": no such " + what + " file");
        throw new IOException(file + ": not a regular file (a device, FIFO or socket), not a " + what + " file");
    }

    /** The model {@code m} (built from {@code spec}) with the weights of {@code file}, renamed as {@code names} says. */
    static LoadedModel fromWeights(Path file, JsonNode spec, SpecModel m, ImportOptions names, String zooName) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        StateDictImport.Result r = StateDictImport.adapt(file, spec, m.stateDict(), c.tensors(), names);
        StateDicts.copyInto(m.stateDict(), r.state());
        return new LoadedModel(m, new ModelInfo(m.specJson(), zooName), file);
    }
}
