package dev.brink.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.brink.nn.io.ModelFileException;
import dev.brink.app.vectors.ModelVectorCheck;
import dev.brink.app.vectors.ModelVectorCheck.Quantity;
import dev.brink.app.vectors.ModelVectorCheck.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code brink vectors}: reference-vector tools; {@code brink vectors check DIR...}. */
@Command(
        name = "vectors",
        mixinStandardHelpOptions = true,
        description = "Check the engine against PyTorch reference vectors.",
        subcommands = {VectorsCommand.Check.class})
public final class VectorsCommand {

    /** Exit code when some quantity is out of tolerance (or a case could not be computed). */
    public static final int EXIT_FAIL = 1;
    /** Exit code when a folder or file is missing or malformed. */
    public static final int EXIT_MALFORMED = 2;

    /** {@code brink vectors check DIR...}. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                    "Recompute model-level reference vectors (test-vectors/generate_models.py) with the engine in float64 and compare.",
                    "Each DIR is a case folder (one holding model.json, weights.safetensors, data.safetensors, expected.safetensors) "
                            + "or a folder searched recursively for case folders.",
                    "Prints the relative error ||a-b||/||b|| of every quantity (tolerance 1e-4 for logits, loss, grad_x and grad.*; "
                            + "1e-3 for the rest). Exit code 0 when all pass, 1 when any fails, 2 when a file is missing or malformed."})
    public static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Case folders, or folders holding case folders.")
        List<Path> dirs = new ArrayList<>();

        @Option(names = {"-v", "--verbose"}, description = "Also list every parameter of grad.*, gradnorm.grad.* and emr.grad.*.")
        boolean verbose;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<Path> cases;
            try {
                cases = ModelVectorCheck.findCases(dirs);
            } catch (IOException e) {
                err.println("vectors check: " + e.getMessage());
                err.flush();
                return EXIT_MALFORMED;
            }
            int nameWidth = 8;
            for (Path c : cases) nameWidth = Math.max(nameWidth, label(c).length());
            int passed = 0, failed = 0, malformed = 0, errors = 0, quantities = 0;
            long t0 = System.nanoTime();
            for (Path c : cases) {
                String name = label(c);
                Result r;
                try {
                    r = ModelVectorCheck.check(c);
                } catch (ModelFileException e) {
                    malformed++;
                    out.printf("%-" + nameWidth + "s  MALFORMED  %s%n", name, oneLine(e.getMessage()));
                    err.println("vectors check: " + e.getMessage());
                    out.flush();
                    err.flush();
                    continue;
                } catch (IOException e) {
                    malformed++;
                    out.printf("%-" + nameWidth + "s  MALFORMED  %s%n", name, e);
                    err.println("vectors check: " + c + ": cannot read: " + e);
                    out.flush();
                    err.flush();
                    continue;
                } catch (RuntimeException e) {
                    errors++;
                    out.printf("%-" + nameWidth + "s  ERROR  %s%n", name, e);
                    err.println("vectors check: " + c + ": the engine failed: " + e);
                    out.flush();
                    err.flush();
                    continue;
                }
                int qWidth = 22;
                if (verbose) for (Quantity d : r.details()) qWidth = Math.max(qWidth, d.name().length() + 2);
                for (Quantity q : r.quantities()) {
                    quantities++;
                    if (q.pass()) passed++;
                    else failed++;
                    out.println(line(name, nameWidth, qWidth, q, ""));
                    if (verbose && q.name().endsWith(".*")) {
                        String prefix = q.name().substring(0, q.name().length() - 1);
                        for (Quantity d : r.details())
                            if (d.name().startsWith(prefix)) out.println(line(name, nameWidth, qWidth, d, "  "));
                    }
                }
                out.flush();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "vectors check: %d case%s, %d quantities: %d PASS, %d FAIL", cases.size(), cases.size() == 1 ? "" : "s",
                    quantities, passed, failed);
            if (malformed > 0) out.printf(", %d malformed case%s", malformed, malformed == 1 ? "" : "s");
            if (errors > 0) out.printf(", %d case%s the engine could not compute", errors, errors == 1 ? "" : "s");
            out.printf(Locale.ROOT, " (%.1f s)%n", seconds);
            out.flush();
            if (malformed > 0) return EXIT_MALFORMED;
            return failed > 0 || errors > 0 ? EXIT_FAIL : 0;
        }

        /** The case's path relative to the DIR it was found under (its folder name when DIR is the case). */
        private String label(Path c) {
            for (Path d : dirs) {
                Path rel;
                try {
                    rel = d.toAbsolutePath().normalize().relativize(c.toAbsolutePath().normalize());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (!rel.toString().isEmpty() && !rel.startsWith("..")) return rel.toString().replace('\\', '/');
            }
            Path f = c.toAbsolutePath().normalize().getFileName();
            return f == null ? c.toString() : f.toString();
        }
    }

    private static String line(String name, int width, int qWidth, Quantity q, String indent) {
        String what = indent + (q.name().endsWith(".*") ? q.name() + " (" + q.count() + ")" : q.name());
        String s = String.format(Locale.ROOT, "%-" + width + "s  %-" + qWidth + "s  %s %.1e  %s", name, what, q.relative() ? "rel" : "abs", q.error(),
                q.pass() ? "PASS" : "FAIL");
        if (q.count() > 1 && !q.worst().equals(q.name())) s += "  worst " + q.worst();
        return s;
    }

    /** A multi-line problem list on one line. */
    private static String oneLine(String s) {
        return s.replace(":\n  ", ": ").replace("\n  ", "; ").replace('\n', ' ');
    }
}
