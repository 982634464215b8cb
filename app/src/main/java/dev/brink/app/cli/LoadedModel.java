package dev.brink.app.cli;

import dev.brink.engine.Generator;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.io.StateDicts;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model read for a command: either a Brink model file (safetensors whose metadata holds the spec) or a spec
 * JSON file plus a safetensors weights file, e.g. exported from PyTorch. Every name, shape and dtype is checked.
 */
public record LoadedModel(SpecModel model, ModelInfo info, Path source) {

    /** Loads {@code file}; when {@code specFile} is given, the file holds plain weights described by that spec. */
    public static LoadedModel load(Path file, Path specFile) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such model file");
        if (specFile != null) {
            String spec = Files.readString(specFile);
            SpecModel m;
            try {
                m = ModelSpec.build(spec, new Generator(0));
            } catch (IllegalArgumentException e) {
                throw new IOException(specFile + ": " + e.getMessage(), e);
            }
            SafeTensors.Contents c = SafeTensors.read(file);
            StateDicts.check(file, m.stateDict(), c.tensors());
            StateDicts.copyInto(m.stateDict(), c.tensors());
            return new LoadedModel(m, new ModelInfo(m.specJson(), ""), file);
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
}
