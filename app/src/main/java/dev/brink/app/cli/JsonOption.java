package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.app.results.ResultJson;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code --json [FILE]}: the machine-readable result ({@link ResultJson}, the format of a report's results.json)
 * on standard output, or in FILE. With no FILE the human-readable lines go to standard error, so standard output
 * is JSON only.
 */
public final class JsonOption {
    @Option(names = "--json", arity = "0..1", paramLabel = "FILE", fallbackValue = "-", preprocessor = AttachedOnly.class,
            description = "Machine-readable result (the results.json format: config with resolved parameters, model hash, version and commit, "
                    + "numbers, timings): --json prints it on standard output (the usual lines then go to standard error); --json=FILE writes it to FILE.")
    String json;

    /** {@code --json} takes a file only as {@code --json=FILE}, so {@code --json MODEL ...} keeps MODEL a parameter. */
    static final class AttachedOnly implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(java.util.Stack<String> args, CommandSpec spec, CommandLine.Model.ArgSpec arg, java.util.Map<String, Object> info) {
            Object sep = info.get("separator");
            if (sep != null && !sep.toString().isBlank()) return false; // --json=FILE (picocli reports " " for a separate argument)
            arg.setValue("-");
            return true;
        }
    }

    /** Whether {@code --json} was given. */
    boolean enabled() {
        return json != null;
    }

    /** Checks --json=FILE before any work (issue 13, case 5): a new or regular file; its directory is created. */
    void checkOutput() throws IOException {
        if (json != null && !json.equals("-")) dev.brink.nn.io.OutputPaths.checkFile("--json", Path.of(json), true);
    }

    /** Where the human-readable lines go: standard error when the JSON takes standard output. */
    PrintWriter human(CommandSpec spec) {
        return "-".equals(json) ? spec.commandLine().getErr() : spec.commandLine().getOut();
    }

    /** Prints or writes the document, if {@code --json} was given; returns a note for the "wrote" line, or null. */
    String emit(CommandSpec spec, JsonNode doc) throws IOException {
        if (json == null) return null;
        if (json.equals("-")) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ResultJson.text(doc));
            out.flush();
            return null;
        }
        Path f = Path.of(json);
        ResultJson.write(f, doc);
        return f.toString();
    }
}
