package dev.brink.app.cli;

import dev.brink.nn.io.ImportOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code --allow-nonfinite}: how the commands that load models treat NaN or infinite weights. */
public final class ModelLoadOptions {
    @Option(names = "--allow-nonfinite",
            description = "Load a model whose weights hold NaN or infinite values, with a warning, instead of refusing it "
                    + "(evaluations and attacks still refuse non-finite logits).")
    boolean allowNonFinite;

    /** {@link LoadedModel#load} with these options; warnings go to the command's error stream. */
    LoadedModel load(Path file, Path specFile, CommandSpec command) throws IOException {
        return LoadedModel.load(file, specFile, ImportOptions.AUTO, allowNonFinite, command.commandLine().getErr());
    }
}
