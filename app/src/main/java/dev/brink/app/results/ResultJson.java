package dev.brink.app.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backends;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.eval.RobustEvaluation;
import dev.brink.robust.eval.Sweep;
import dev.brink.robust.eval.TransferSet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable result of {@code brink eval|attack|sweep --json} and of every report's {@code results.json}
 * (format {@value #FORMAT}): one document per command,
 * <pre>
 * { "format": "brink-results/1",
 *   "tool":    { "name": "brink", "version", "commit", "dirty" },
 *   "command": "./brink attack ...",  "args": [ "attack", ... ],   (the command line that reproduces the numbers)
 *   "config":  { "model": { "file", "sha256", "name" }, "data": { ... }, "attacks": [ ... ], "eps", "seed", ... },
 *   "results": { ... },   (numbers; a "seconds" field anywhere is a timing, not a result)
 *   "timings": { "seconds": total } }
 * </pre>
 * The builders here are shared by the commands and the demo, so that a report's numbers and the numbers of the
 * command it shows come out in the same form and can be compared field by field. NaN (e.g. a mean norm over no
 * successful sample) is written as {@code null}.
 */
public final class ResultJson {
    private ResultJson() {}

    /** The format tag of a document. */
    public static final String FORMAT = "brink-results/1";

    /** The shared mapper (pretty-printed output). */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A new document: format, tool, command line ({@code args} without the leading {@code ./brink}). */
    public static ObjectNode document(List<String> args) {
        ObjectNode d = MAPPER.createObjectNode();
        d.put("format", FORMAT);
        ObjectNode tool = d.putObject("tool");
        tool.put("name", "brink");
        tool.put("version", BuildInfo.version());
        tool.put("commit", BuildInfo.commit());
        tool.put("dirty", BuildInfo.dirty());
        if (args != null) {
            d.put("command", CommandLines.brink(args));
            ArrayNode a = d.putArray("args");
            args.forEach(a::add);
        }
        return d;
    }

    /** {@code {file, sha256, name}} of a model file. */
    public static ObjectNode model(Path file, String name) throws IOException {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("file", file.toString());
        m.put("sha256", sha256(file));
        if (name != null) m.put("name", name);
        return m;
    }

    /** The data set a command read and which samples it kept. */
    public static ObjectNode data(String data, Path dataDir, String split, Integer limit, String sample, Long sampleSeed, int samples) {
        ObjectNode d = MAPPER.createObjectNode();
        d.put("data", data);
        if (dataDir != null) d.put("data_dir", dataDir.toString());
        else d.putNull("data_dir");
        d.put("split", split);
        if (limit != null) d.put("limit", limit);
        else d.putNull("limit");
        d.put("sample", sample);
        if (sampleSeed != null) d.put("sample_seed", sampleSeed);
        d.put("samples", samples);
        return d;
    }

    /** The compute backend and the model's dtype. */
    public static void runtime(ObjectNode config, Map<String, Tensor> state) {
        config.put("backend", Backends.defaultBackend().name());
        String dtype = "float32";
        for (Tensor t : state.values()) {
            dtype = t.dtype().toString().toLowerCase(java.util.Locale.ROOT);
            break;
        }
        config.put("dtype", dtype);
    }

    /**
     * An attack of a command with every option resolved: the spec as written, the attack's registry name, its norm
     * and epsilon (null in a sweep), and {@code params}: each option the attack declares, with the value given (in
     * the spec or by a command-wide option such as --steps) or else its default (an empty default means the
     * attack derives the value, e.g. PGD's step from eps and steps).
     */
    public static ObjectNode attack(String label, AttackSpec spec, Norm norm, Double eps) {
        ObjectNode a = MAPPER.createObjectNode();
        a.put("label", label);
        a.put("spec", spec.text());
        a.put("name", spec.name());
        a.put("norm", norm.label());
        if (eps != null) a.put("eps", eps);
        else a.putNull("eps");
        ObjectNode p = a.putObject("params");
        Map<String, String> given = spec.attackOptions();
        for (Attacks.Option o : Attacks.options(spec.name())) {
            if (o.name().equals("norm")) continue;
            String v = given.getOrDefault(o.name(), o.defaultValue());
            p.put(o.name(), v);
        }
        return a;
    }

    /** The numbers of a robust evaluation, restricted to the attacks {@code labels} (all when null). */
    public static ObjectNode evaluation(RobustEvaluation.Result r, List<String> labels) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("samples", r.samples());
        o.put("clean_correct", r.cleanCorrect());
        num(o, "clean_accuracy", r.cleanAccuracy());
        ArrayNode arr = o.putArray("attacks");
        int k = 0;
        for (RobustEvaluation.AttackStats s : r.attacks()) {
            if (labels != null && !labels.contains(s.label())) continue;
            k++;
            ObjectNode a = arr.addObject();
            a.put("label", s.label());
            a.put("norm", s.threat().norm().label());
            a.put("eps", s.threat().eps());
            num(a, "robust_accuracy", s.accuracy());
            a.put("correct_after", s.correctAfter());
            num(a, "success_rate", s.successRate());
            a.put("successes", s.successes());
            a.put("attacked", s.attacked());
            ObjectNode n = a.putObject("mean_norms");
            num(n, "l0", s.meanNorm(Norm.L0));
            num(n, "l1", s.meanNorm(Norm.L1));
            num(n, "l2", s.meanNorm(Norm.L2));
            num(n, "linf", s.meanNorm(Norm.LINF));
            ObjectNode na = a.putObject("mean_norms_attacked");
            for (Norm nn : Norm.values()) num(na, nn.label(), s.meanNormAttacked(nn));
            a.put("model_calls", s.modelCalls());
            num(a, "mean_iterations", s.meanIterations());
            a.put("seconds", s.seconds());
        }
        if (k > 1) {
            ObjectNode w = o.putObject("worst_case");
            w.put("robust", r.robust());
            num(w, "robust_accuracy", r.robustAccuracy());
        }
        return o;
    }

    /** One transfer evaluation: the adversarial examples of {@code attack} evaluated on {@code model}. */
    public static ObjectNode transfer(String attack, Path model, TransferSet.Outcome t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("attack", attack);
        o.put("model", model.toString());
        o.put("samples", t.samples());
        num(o, "clean_accuracy", t.cleanAccuracy());
        num(o, "adversarial_accuracy", t.adversarialAccuracy());
        num(o, "transfer_rate", t.transferRate());
        o.put("successful_samples", t.successful());
        num(o, "successful_accuracy", t.successfulAccuracy());
        return o;
    }

    /** The rows of a sweep (the columns of sweep.csv). */
    public static ArrayNode sweep(List<Sweep.Row> rows) {
        ArrayNode arr = MAPPER.createArrayNode();
        for (Sweep.Row r : rows) {
            ObjectNode o = arr.addObject();
            o.put("attack", r.attack());
            o.put("norm", r.norm().label());
            o.put("eps", r.eps());
            o.put("samples", r.samples());
            num(o, "clean_accuracy", r.cleanAccuracy());
            num(o, "accuracy", r.accuracy());
            num(o, "success_rate", r.successRate());
            ObjectNode n = o.putObject("mean_norms");
            num(n, "l0", r.meanL0());
            num(n, "l1", r.meanL1());
            num(n, "l2", r.meanL2());
            num(n, "linf", r.meanLinf());
            o.put("model_calls", r.modelCalls());
            o.put("seconds", r.seconds());
        }
        return arr;
    }

    /** Puts a double, or null for NaN and infinities (which JSON cannot hold). */
    public static void num(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }

    /** Writes a document to a file (creating its directory). */
    public static void write(Path file, JsonNode doc) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, text(doc));
    }

    /** The document as pretty-printed JSON text with a final newline. */
    public static String text(JsonNode doc) {
        try {
            return MAPPER.writeValueAsString(doc) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of a file, in hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
