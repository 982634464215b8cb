package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.nn.io.ImportOptions;
import dev.brink.nn.io.ModelFileException;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.ModelLoader;
import dev.brink.nn.io.NonFinite;
import dev.brink.nn.io.StateDictImport;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecException;
import dev.brink.nn.spec.SpecModel;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model read for a command: either a Brink model file (safetensors whose metadata holds the spec) or a spec
 * JSON file plus a safetensors weights file, e.g. exported from PyTorch by {@code scripts/export_pytorch.py}. The
 * weights' names may be PyTorch's ({@link StateDictImport}: {@code nn.Sequential}, torchvision ResNet, RobustBench
 * WideResNet, a {@code module.} prefix, batch-norm counters); every name, shape and dtype is checked on the file's
 * header before any tensor is read ({@link ModelLoader}), and a model with NaN or infinite weights is refused
 * (or, with {@code --allow-nonfinite}, loaded with a warning).
 */
public record LoadedModel(SpecModel model, ModelInfo info, Path source) {

    /** Loads {@code file}; when {@code specFile} is given, the file holds plain weights described by that spec. */
    public static LoadedModel load(Path file, Path specFile) throws IOException {
        return load(file, specFile, ImportOptions.AUTO, false, null);
    }

    /**
     * Loads {@code file}; when {@code specFile} is given, the file holds plain weights described by that spec, whose
     * names are read as {@code names} says. Non-finite weights are an error naming the file and the first bad
     * tensor, unless {@code allowNonFinite}, when the same text goes to {@code warnings} as a warning.
     */
    public static LoadedModel load(Path file, Path specFile, ImportOptions names, boolean allowNonFinite, PrintWriter warnings) throws IOException {
        requireFile(file, "model");
        ModelLoader.Loaded loaded;
        if (specFile != null) {
            requireFile(specFile, "spec");
            try {
                JsonNode spec = ModelSpec.parse(Files.readString(specFile));
                loaded = ModelLoader.importWeights(file, spec, names, "").loaded();
            } catch (SpecException e) {
                throw new IOException(specFile + ": " + e.getMessage(), e);
            }
        } else {
            loaded = ModelLoader.load(file);
        }
        checkFinite(file, loaded.nonFinite(), allowNonFinite, warnings);
        return new LoadedModel(loaded.model(), loaded.info(), file);
    }

    /** Refuses non-finite weights of {@code file}, or with {@code allow} warns about them on {@code warnings}. */
    static void checkFinite(Path file, NonFinite bad, boolean allow, PrintWriter warnings) throws ModelFileException {
        if (bad == null) return;
        if (!allow)
            throw new ModelFileException(file, "the model is broken: " + bad.describe()
                    + "; no accuracy or robustness measured on it would mean anything (--allow-nonfinite loads it anyway)");
        if (warnings != null) {
            warnings.println("warning: " + file + ": the model is broken: " + bad.describe() + " (loaded because of --allow-nonfinite)");
            warnings.flush();
        }
    }

    /** A readable regular file, or an error saying what {@code file} is instead (missing, a directory, ...). */
    static void requireFile(Path file, String what) throws IOException {
        if (Files.isRegularFile(file)) return;
        if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not a " + what + " file");
        if (!Files.exists(file)) throw new IOException(file + ": no such " + what + " file");
        throw new IOException(file + ": not a regular file (a device, FIFO or socket), not a " + what + " file");
    }
}
