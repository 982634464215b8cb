package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.app.results.ResultJson;
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
    @Option(names = "--json", arity = "0..1", paramLabel = "FILE", fallbackValue = "-",
            description = "Machine-readable result (the results.json format: config with resolved parameters, model hash, version and commit, "
                    + "numbers, timings): on standard output (the usual lines then go to standard error), or written to FILE (write --json=FILE before MODEL).")
    String json;

    /** Whether {@code --json} was given. */
    boolean enabled() {
        return json != null;
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
