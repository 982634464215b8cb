package dev.brink.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.ResultJson;
import dev.brink.nn.io.AtomicFiles;
import dev.brink.nn.io.ModelFileException;
import dev.brink.app.vectors.ModelVectorCheck;
import dev.brink.app.vectors.ModelVectorCheck.Quantity;
import dev.brink.app.vectors.ModelVectorCheck.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code brink vectors}: reference-vector tools; {@code brink vectors check DIR...}, {@code brink vectors make MODEL ...}. */
@Command(
        name = "vectors",
        mixinStandardHelpOptions = true,
        description = "Model-level reference vectors: check the engine against them (PyTorch's, or another engine's), or make them with Brink.",
        subcommands = {VectorsCommand.Check.class, VectorsMakeCommand.class})
public final class VectorsCommand {

    /** Exit code when some quantity is out of tolerance (or a case could not be computed). */
    public static final int EXIT_FAIL = 1;
    /** Exit code when a folder or file is missing or malformed. */
    public static final int EXIT_MALFORMED = 2;
    /** The format tag of a {@code --report} document. */
    public static final String REPORT_FORMAT = "brink-vectors-report/1";

    /** {@code brink vectors check DIR...}. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                    "Recompute model-level reference vectors (test-vectors/generate_models.py, brink vectors make, or another engine writing the same format) "
                            + "with the engine in float64 and compare.",
                    "Each DIR is a case folder (one holding model.json, weights.safetensors, data.safetensors, expected.safetensors) "
                            + "or a folder searched recursively for case folders.",
                    "Prints the relative error ||a-b||/||b|| of every quantity (tolerance 1e-4 for logits, loss, grad_x and grad.*; "
                            + "1e-3 for the rest). Exit code 0 when all pass, 1 when any fails, 2 when a file is missing or malformed.",
                    "--report FILE writes every case's and quantity's error as JSON (for CI)."})
    public static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Case folders, or folders holding case folders.")
        List<Path> dirs = new ArrayList<>();

        @Option(names = {"-v", "--verbose"}, description = "Also list every parameter of grad.*, gradnorm.grad.* and emr.grad.*.")
        boolean verbose;

        @Option(names = "--report", paramLabel = "FILE",
                description = "Also write a JSON report: per case its status and, per quantity, the relative error (the worst parameter's for a group), "
                        + "tolerance and verdict, and every tensor's error; written atomically, whatever the exit code.")
        Path report;

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
                ObjectNode doc = reportDocument();
                doc.put("status", "malformed");
                doc.put("message", e.getMessage());
                doc.putArray("cases");
                writeReport(doc, err);
                return EXIT_MALFORMED;
            }
            ObjectNode doc = reportDocument();
            ArrayNode caseNodes = doc.putArray("cases");
            int nameWidth = 8;
            for (Path c : cases) nameWidth = Math.max(nameWidth, label(c).length());
            int passed = 0, failed = 0, malformed = 0, errors = 0, quantities = 0;
            long t0 = System.nanoTime();
            for (Path c : cases) {
                String name = label(c);
                ObjectNode cn = caseNodes.addObject();
                cn.put("case", name);
                cn.put("path", c.toString());
                Result r;
                try {
                    r = ModelVectorCheck.check(c);
                } catch (ModelFileException e) {
                    cn.put("status", "malformed");
                    cn.put("message", e.getMessage());
                    malformed++;
                    out.printf("%-" + nameWidth + "s  MALFORMED  %s%n", name, oneLine(e.getMessage()));
                    err.println("vectors check: " + e.getMessage());
                    out.flush();
                    err.flush();
                    continue;
                } catch (IOException e) {
                    cn.put("status", "malformed");
                    cn.put("message", "cannot read: " + e);
                    malformed++;
                    out.printf("%-" + nameWidth + "s  MALFORMED  %s%n", name, e);
                    err.println("vectors check: " + c + ": cannot read: " + e);
                    out.flush();
                    err.flush();
                    continue;
                } catch (RuntimeException e) {
                    cn.put("status", "error");
                    cn.put("message", "the engine failed: " + e);
                    errors++;
                    out.printf("%-" + nameWidth + "s  ERROR  %s%n", name, e);
                    err.println("vectors check: " + c + ": the engine failed: " + e);
                    out.flush();
                    err.flush();
                    continue;
                }
                cn.put("status", r.pass() ? "pass" : "fail");
                cn.put("seconds", r.seconds());
                ArrayNode qn = cn.putArray("quantities");
                for (Quantity q : r.quantities()) quantityJson(qn.addObject(), q);
                ArrayNode tn = cn.putArray("tensors");
                for (Quantity q : r.details()) quantityJson(tn.addObject(), q);
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
            int code = malformed > 0 ? EXIT_MALFORMED : failed > 0 || errors > 0 ? EXIT_FAIL : 0;
            doc.put("status", code == 0 ? "pass" : code == EXIT_FAIL ? "fail" : "malformed");
            ObjectNode summary = doc.putObject("summary");
            summary.put("cases", cases.size());
            summary.put("quantities", quantities);
            summary.put("pass", passed);
            summary.put("fail", failed);
            summary.put("malformed", malformed);
            summary.put("errors", errors);
            summary.put("seconds", seconds);
            if (!writeReport(doc, err)) return EXIT_MALFORMED;
            if (report != null) {
                out.println("wrote " + report);
                out.flush();
            }
            return code;
        }

        /** The report's header: format, tool, the exit codes' meaning. */
        private ObjectNode reportDocument() {
            ObjectNode doc = ResultJson.document(null);
            doc.put("format", REPORT_FORMAT);
            doc.put("exit_codes", "0 all pass, 1 a quantity fails or the engine failed, 2 a folder or file is missing or malformed");
            doc.put("error_metric", "||a - b|| / ||b|| over a tensor (relative: true); ||a|| where b is exactly 0 (relative: false)");
            ObjectNode tol = doc.putObject("tolerances");
            tol.put("first_order", ModelVectorCheck.FIRST_ORDER_TOLERANCE);
            tol.put("second_order", ModelVectorCheck.SECOND_ORDER_TOLERANCE);
            return doc;
        }

        private static void quantityJson(ObjectNode o, Quantity q) {
            o.put("name", q.name());
            ResultJson.num(o, "error", q.error());
            o.put("relative", q.relative());
            o.put("tolerance", q.tolerance());
            o.put("pass", q.pass());
            o.put("count", q.count());
            o.put("worst", q.worst());
        }

        /** Writes the report if --report was given; false (with a message) when it cannot be written. */
        private boolean writeReport(ObjectNode doc, PrintWriter err) {
            if (report == null) return true;
            try {
                Path dir = report.toAbsolutePath().getParent();
                if (dir != null) Files.createDirectories(dir);
                ByteBuffer b = ByteBuffer.wrap(ResultJson.text(doc).getBytes(StandardCharsets.UTF_8));
                AtomicFiles.write(report, ch -> {
                    while (b.hasRemaining()) ch.write(b);
                });
                return true;
            } catch (IOException e) {
                err.println("vectors check: cannot write the report " + report + ": " + e.getMessage());
                err.flush();
                return false;
            }
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
