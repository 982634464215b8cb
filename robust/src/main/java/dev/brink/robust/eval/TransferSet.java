package dev.brink.robust.eval;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.SafeTensors;
import dev.brink.robust.attack.Classifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A transfer set (Shaham et al.: "a fixed set of adversarial examples built on the baseline net"):
 * adversarial examples crafted on a source model from inputs it classified correctly, kept in a safetensors file
 * and evaluated on other models (black-box transfer).
 *
 * <p>File layout: tensors {@code x_adv} and {@code x} (float32 {@code [N, C, H, W]}), {@code y} (int32 {@code [N]},
 * true classes), {@code index} (int32, the samples' positions in the data set) and {@code success} (int32 0/1:
 * whether the attack met its goal on the source model); metadata {@code format} ({@value #FORMAT}),
 * {@code source_model}, {@code attack}, {@code norm}, {@code eps}, {@code target}, {@code data}, {@code seed}
 * (whatever the crafting command knew).
 */
public record TransferSet(Tensor adversarial, Tensor clean, int[] labels, int[] indices, boolean[] success, Map<String, String> metadata) {
    public static final String FORMAT = "brink-transfer-set/1";

    public TransferSet {
        int n = labels.length;
        if (adversarial.dim() < 2 || adversarial.size(0) != n || !java.util.Arrays.equals(adversarial.shape(), clean.shape()))
            throw new IllegalArgumentException("transfer set: x_adv " + Shape.str(adversarial.shape()) + ", x " + Shape.str(clean.shape()) + " and " + n + " labels disagree");
        if (indices.length != n || success.length != n) throw new IllegalArgumentException("transfer set: index/success lengths differ from " + n + " labels");
        metadata = Map.copyOf(metadata);
    }

    /**
     * The attacked samples of an evaluation (those the source model classified correctly, or all of them where the
     * evaluation attacked misclassified samples too: {@code brink attack} then adds {@code attack_misclassified} to
     * the metadata), with their metadata.
     */
    public static TransferSet of(RobustEvaluation.Adversarial a, Map<String, String> meta) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("format", FORMAT);
        m.putIfAbsent("attack", a.label());
        m.putIfAbsent("norm", a.threat().norm().label());
        m.putIfAbsent("eps", EpsRange.format(a.threat().eps()));
        return new TransferSet(a.adversarial(), a.x(), a.labels(), a.indices(), a.success(), m);
    }

    public int size() {
        return labels.length;
    }

    /** The source model's name, or "". */
    public String sourceModel() {
        return metadata.getOrDefault("source_model", "");
    }

    public String attack() {
        return metadata.getOrDefault("attack", "");
    }

    /**
     * Writes the set atomically.
     *
     * @throws IllegalStateException when an input is NaN or infinite (nothing is written): a transfer set holds points
     *                               of the box [0, 1]
     */
    public void save(Path file) throws IOException {
        requireFinite(file, "x_adv", adversarial);
        requireFinite(file, "x", clean);
        Map<String, Tensor> t = new LinkedHashMap<>();
        int n = size();
        t.put("x_adv", adversarial.to(DType.FLOAT32).contiguous());
        t.put("x", clean.to(DType.FLOAT32).contiguous());
        t.put("y", Tensor.ofInts(labels, n));
        t.put("index", Tensor.ofInts(indices, n));
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = success[i] ? 1 : 0;
        t.put("success", Tensor.ofInts(s, n));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        SafeTensors.write(file, t, metadata);
    }

    private static void requireFinite(Path file, String name, Tensor t) {
        if (t.numel() > 0 && !Double.isFinite(t.detach().sum().item()))
            throw new IllegalStateException(file + ": refusing to save a transfer set whose " + name + " holds NaN or infinite values");
    }

    /** Reads a set written by {@link #save}; the message names the file and what is missing. */
    public static TransferSet load(Path file) throws IOException {
        // names, dtypes and shapes checked on the header: no tensor is read before the file is known to be a transfer set
        SafeTensors.Contents c = SafeTensors.readSelected(file, h -> checkHeader(file, h));
        Tensor y = c.tensors().get("y");
        int n = y.size(0);
        int[] idx = c.tensors().containsKey("index") ? c.tensors().get("index").toIntArray() : range(n);
        boolean[] ok = new boolean[n];
        if (c.tensors().containsKey("success")) {
            int[] s = c.tensors().get("success").toIntArray();
            for (int i = 0; i < n && i < s.length; i++) ok[i] = s[i] != 0;
        }
        try {
            return new TransferSet(c.tensors().get("x_adv"), c.tensors().get("x"), y.toIntArray(), idx, ok, c.metadata());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static final java.util.Set<String> TENSORS = java.util.Set.of("x_adv", "x", "y", "index", "success");

    private static java.util.function.Predicate<String> checkHeader(Path file, SafeTensors.Header h) throws IOException {
        Map<String, SafeTensors.Entry> e = new LinkedHashMap<>();
        for (SafeTensors.Entry t : h.entries()) e.put(t.name(), t);
        for (String k : new String[] {"x_adv", "x", "y"})
            if (!e.containsKey(k)) throw new IOException(file + ": not a transfer set (no tensor '" + k + "'; has " + e.keySet() + ")");
        SafeTensors.Entry y = e.get("y"), adv = e.get("x_adv"), x = e.get("x");
        if (y.loadsAs() != DType.INT32 || y.shape().length != 1)
            throw new IOException(file + ": y must be int32 [N], got " + y.dtype() + " " + java.util.Arrays.toString(y.shape()));
        int n = y.shape()[0];
        for (SafeTensors.Entry t : new SafeTensors.Entry[] {adv, x})
            if (t.loadsAs() == null || !t.loadsAs().isFloating() || t.shape().length < 2 || t.shape()[0] != n)
                throw new IOException(file + ": " + t.name() + " must be floating [" + n + ", ...] for the " + n + " labels, got " + t.dtype() + " "
                        + java.util.Arrays.toString(t.shape()));
        if (!java.util.Arrays.equals(adv.shape(), x.shape()))
            throw new IOException(file + ": x_adv " + java.util.Arrays.toString(adv.shape()) + " and x " + java.util.Arrays.toString(x.shape()) + " differ in shape");
        for (String k : new String[] {"index", "success"}) {
            SafeTensors.Entry t = e.get(k);
            if (t != null && (t.loadsAs() != DType.INT32 || !java.util.Arrays.equals(t.shape(), new int[] {n})))
                throw new IOException(file + ": " + k + " must be int32 [" + n + "], got " + t.dtype() + " " + java.util.Arrays.toString(t.shape()));
        }
        return TENSORS::contains;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /**
     * How a target model fares on the set.
     *
     * @param cleanAccuracy       target's accuracy on the clean inputs
     * @param adversarialAccuracy target's accuracy on the adversarial inputs
     * @param transferRate        among the inputs the target classifies correctly, the fraction whose adversarial
     *                            version it misclassifies
     * @param successful          how many adversarial inputs fooled the source model (its {@code success} flags)
     * @param successfulAccuracy  target's accuracy on those alone (NaN if none): Shaham et al.'s "A_mnist" accuracy,
     *                            whose set keeps only the examples that fooled the baseline
     */
    public record Outcome(int samples, double cleanAccuracy, double adversarialAccuracy, double transferRate, int successful, double successfulAccuracy) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d samples: clean accuracy %.4f, adversarial accuracy %.4f, transfer rate %.4f; on the %d that fooled the source: accuracy %.4f",
                    samples, cleanAccuracy, adversarialAccuracy, transferRate, successful, successfulAccuracy);
        }
    }

    /** Evaluates the set on a model (in batches, no graph recorded). */
    public Outcome evaluate(Classifier target, int batchSize) {
        int n = size();
        if (n == 0) return new Outcome(0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN);
        int cleanRight = 0, advRight = 0, cleanOk = 0, flipped = 0, fooled = 0, fooledRight = 0;
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] pc = RobustEvaluation.predict(target, clean.slice(0, from, to).contiguous(), from, "clean samples of the transfer set");
            int[] pa = RobustEvaluation.predict(target, adversarial.slice(0, from, to).contiguous(), from, "adversarial samples of the transfer set");
            for (int i = from; i < to; i++) {
                boolean c = pc[i - from] == labels[i], a = pa[i - from] == labels[i];
                if (c) cleanRight++;
                if (a) advRight++;
                if (success[i]) {
                    fooled++;
                    if (a) fooledRight++;
                }
                if (c) {
                    cleanOk++;
                    if (!a) flipped++;
                }
            }
        }
        return new Outcome(n, (double) cleanRight / n, (double) advRight / n, cleanOk == 0 ? Double.NaN : (double) flipped / cleanOk, fooled,
                fooled == 0 ? Double.NaN : (double) fooledRight / fooled);
    }
}
