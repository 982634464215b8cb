package dev.brink.robust.autoattack;

import dev.brink.engine.Tensor;
import dev.brink.nn.io.AtomicFiles;
import dev.brink.nn.io.SafeTensors;
import dev.brink.robust.eval.CsvFields;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of an AutoAttack run, written atomically after every batch so that a killed run loses at most one
 * batch: {@code per-sample.csv} (one row per point: data set index, label, clean prediction, attacks done, which
 * attack broke it, adversarial prediction, L-inf / L2 / L1 norm of its perturbation; header comment lines hold the
 * run's identity and per-attack totals) and {@code adversarial.safetensors} ({@code x_adv} and {@code x} float32
 * {@code [N, ...]}, {@code y}, {@code index}, {@code broken_by} int32 {@code [N]}, -1 where no attack broke the
 * point). {@link #read} rebuilds the state for {@code --resume} and refuses a run whose identity differs.
 */
public final class AutoAttackFiles {
    public static final String CSV = "per-sample.csv";
    public static final String ADVERSARIAL = "adversarial.safetensors";
    static final String COLUMNS = "index,label,clean_prediction,clean_correct,attacks_done,broken_by,adversarial_prediction,linf,l2,l1";

    private final Path dir;
    private final Map<String, String> identity;
    private final AutoAttack.Config config;
    private final int[] shape;

    /**
     * @param dir      output directory (created if missing)
     * @param identity what makes two runs the same run (model file and hash, data, points...), written in the header
     * @param shape    the shape of the whole clean batch {@code [N, ...]}
     */
    public AutoAttackFiles(Path dir, Map<String, String> identity, AutoAttack.Config config, int[] shape) {
        this.dir = dir;
        this.identity = new LinkedHashMap<>(identity);
        this.identity.put("version", config.version().label());
        this.identity.put("norm", config.norm().label());
        this.identity.put("eps", Double.toString(config.eps()));
        this.identity.put("seed", Long.toString(config.seed()));
        this.identity.put("batch", Integer.toString(config.batchSize()));
        this.identity.put("attacks", String.join(" ", config.components().stream().map(c -> c.name() + "=" + c.spec()).toList()));
        this.config = config;
        this.shape = shape.clone();
    }

    public Path csv() {
        return dir.resolve(CSV);
    }

    public Path adversarialFile() {
        return dir.resolve(ADVERSARIAL);
    }

    /** Writes both files (atomically each; the CSV last, so a CSV always has its adversarial points on disk). */
    public void write(AutoAttackState s, Tensor clean) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("x_adv", Tensor.of(s.adversarial.clone(), shape));
        t.put("x", clean);
        t.put("y", Tensor.ofInts(s.label.clone(), s.n));
        t.put("index", Tensor.ofInts(s.index.clone(), s.n));
        t.put("broken_by", Tensor.ofInts(s.brokenBy.clone(), s.n));
        Map<String, String> meta = new LinkedHashMap<>(identity);
        meta.put("format", "brink-autoattack-1");
        SafeTensors.write(adversarialFile(), t, meta);
        String text = csvText(s);
        AtomicFiles.write(csv(), ch -> {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b);
        });
    }

    String csvText(AutoAttackState s) {
        StringBuilder sb = new StringBuilder();
        sb.append("# brink autoattack per-sample results (format 1)\n");
        for (Map.Entry<String, String> e : identity.entrySet()) sb.append("# ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        List<Component> cs = config.components();
        for (int a = 0; a < cs.size(); a++)
            sb.append(String.format(Locale.ROOT, "# totals %s: attacked=%d seconds=%.3f model_calls=%d%n", cs.get(a).name(), s.attacked[a], s.seconds[a], s.modelCalls[a]));
        sb.append(COLUMNS).append('\n');
        for (int i = 0; i < s.n; i++) {
            String broken = s.brokenBy[i] >= 0 ? CsvFields.quote(cs.get(s.brokenBy[i]).name()) : "";
            boolean ok = s.cleanCorrect(i);
            sb.append(String.format(Locale.ROOT, "%d,%d,%d,%s,%d,%s,%s,%s,%s,%s%n", s.index[i], s.label[i], s.cleanPrediction[i], ok, s.done[i], broken,
                    s.brokenBy[i] >= 0 ? Integer.toString(s.adversarialPrediction[i]) : "",
                    s.brokenBy[i] >= 0 ? num(s.linf[i]) : "", s.brokenBy[i] >= 0 ? num(s.l2[i]) : "", s.brokenBy[i] >= 0 ? num(s.l1[i]) : ""));
        }
        return sb.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /**
     * The state written by an earlier run with the same identity, for {@code --resume}.
     *
     * @throws IllegalArgumentException naming the file and the first difference when the identity, attacks or shape
     *                                  differ, or the files are malformed
     */
    public AutoAttackState read(Tensor clean) throws IOException {
        Path f = csv();
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException("--resume: " + f + " does not exist (nothing to resume)");
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        Map<String, String> found = new LinkedHashMap<>();
        Map<String, double[]> totals = new LinkedHashMap<>();
        int row = 0;
        while (row < lines.size() && lines.get(row).startsWith("#")) {
            String l = lines.get(row).substring(1).trim();
            if (l.startsWith("totals ")) {
                String[] p = l.substring(7).split(": ", 2);
                double[] v = new double[3];
                for (String kv : p[1].trim().split(" ")) {
                    String[] q = kv.split("=");
                    switch (q[0]) {
                        case "attacked" -> v[0] = Double.parseDouble(q[1]);
                        case "seconds" -> v[1] = Double.parseDouble(q[1]);
                        case "model_calls" -> v[2] = Double.parseDouble(q[1]);
                        default -> { }
                    }
                }
                totals.put(p[0].trim(), v);
            } else if (l.contains(": ")) {
                String[] p = l.split(": ", 2);
                found.put(p[0], p[1]);
            }
            row++;
        }
        for (Map.Entry<String, String> e : identity.entrySet()) {
            String was = found.get(e.getKey());
            if (!e.getValue().equals(was))
                throw new IllegalArgumentException("--resume: " + f + " is from another run: " + e.getKey() + " was '" + was + "', now '" + e.getValue() + "'");
        }
        if (row >= lines.size() || !lines.get(row).equals(COLUMNS)) throw new IllegalArgumentException("--resume: " + f + ": missing the column line '" + COLUMNS + "'");
        row++;
        int n = shape[0];
        int features = clean.numel() / n;
        SafeTensors.Contents adv = SafeTensors.read(adversarialFile());
        Tensor xa = adv.tensors().get("x_adv");
        if (xa == null || !java.util.Arrays.equals(xa.shape(), shape))
            throw new IllegalArgumentException("--resume: " + adversarialFile() + ": x_adv is missing or not of shape " + java.util.Arrays.toString(shape));
        List<Component> cs = config.components();
        List<String> names = cs.stream().map(Component::name).toList();
        int[] index = new int[n], label = new int[n];
        List<String[]> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (row + i >= lines.size()) throw new IllegalArgumentException("--resume: " + f + " has " + i + " rows, expected " + n);
            String[] c = CsvFields.split(lines.get(row + i)).toArray(new String[0]);
            if (c.length != 10) throw new IllegalArgumentException("--resume: " + f + " line " + (row + i + 1) + ": expected 10 columns, got " + c.length);
            index[i] = Integer.parseInt(c[0]);
            label[i] = Integer.parseInt(c[1]);
            cells.add(c);
        }
        AutoAttackState s = new AutoAttackState(index, label, features, xa.to(dev.brink.engine.DType.FLOAT32).contiguous().toFloatArray(), cs.size());
        for (int i = 0; i < n; i++) {
            String[] c = cells.get(i);
            s.cleanPrediction[i] = Integer.parseInt(c[2]);
            s.done[i] = Integer.parseInt(c[4]);
            if (!c[5].isEmpty()) {
                int a = names.indexOf(c[5]);
                if (a < 0) throw new IllegalArgumentException("--resume: " + f + " line " + (row + i + 1) + ": unknown attack " + c[5]);
                s.brokenBy[i] = a;
                s.adversarialPrediction[i] = Integer.parseInt(c[6]);
                s.linf[i] = Double.parseDouble(c[7]);
                s.l2[i] = Double.parseDouble(c[8]);
                s.l1[i] = Double.parseDouble(c[9]);
            }
        }
        for (int a = 0; a < cs.size(); a++) {
            double[] v = totals.get(cs.get(a).name());
            if (v != null) {
                s.attacked[a] = (int) v[0];
                s.seconds[a] = v[1];
                s.modelCalls[a] = (long) v[2];
            }
        }
        return s;
    }
}
