package dev.brink.app.vectors;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFileException;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.io.StateDicts;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecException;
import dev.brink.nn.spec.SpecModel;
import dev.brink.engine.Generator;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks the engine against model-level reference vectors (made by {@code test-vectors/generate_models.py} with
 * PyTorch). A case is a folder holding
 * <ul>
 *   <li>{@code model.json}: the architecture in the spec language of {@link ModelSpec};</li>
 *   <li>{@code weights.safetensors}: every parameter and buffer of the model (its {@code stateDict()} names and
 *       PyTorch's layouts);</li>
 *   <li>{@code data.safetensors}: {@code x} (float, {@code [N] + input shape}), {@code y} (integer labels
 *       {@code [N]}) and {@code v} (float, shaped like {@code x});</li>
 *   <li>{@code expected.safetensors}: the reference values, all in eval mode with
 *       {@code L = mean cross-entropy(model(x), y)}: {@code logits}, {@code loss}, {@code grad_x} (dL/dx),
 *       {@code grad.<param>} (dL/dparam for every trainable parameter), {@code hvp_x} (d/dx of
 *       {@code <dL/dx, v>}), {@code gradnorm} (the sum of squares of dL/dx) and {@code gradnorm.grad.<param>},
 *       {@code jac_rows} ({@code [N, K, ...]}: the input-gradient of logit k of sample i), {@code emr} (the sum of
 *       squares of {@code jac_rows} divided by N) and {@code emr.grad.<param>}.</li>
 * </ul>
 * The engine recomputes every quantity in float64 from the stored (float32) weights and data and compares it with
 * the relative error {@code ||a - b|| / ||b||} (the absolute error {@code ||a||} where {@code b} is exactly 0).
 * Tolerances: {@link #FIRST_ORDER_TOLERANCE} for the logits, the loss and first derivatives ({@code grad_x},
 * {@code grad.*}); {@link #SECOND_ORDER_TOLERANCE} for the rest. The per-parameter quantities are reported as one
 * group each ({@code grad.*}, {@code gradnorm.grad.*}, {@code emr.grad.*}) whose error is the largest of its
 * parameters' errors; the parameters are also listed individually in {@link Result#details()}.
 *
 * <p>Every defect of a case's files (missing, truncated or malformed file, missing or unexpected tensor, wrong
 * shape or dtype, labels out of range) is reported as a {@link ModelFileException} naming the file.
 */
public final class ModelVectorCheck {
    public static final String MODEL = "model.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String DATA = "data.safetensors";
    public static final String EXPECTED = "expected.safetensors";

    /** Tolerance of the logits, the loss, {@code grad_x} and {@code grad.*}. */
    public static final double FIRST_ORDER_TOLERANCE = 1e-4;
    /** Tolerance of the second-order quantities ({@code hvp_x}, {@code gradnorm*}, {@code jac_rows}, {@code emr*}). */
    public static final double SECOND_ORDER_TOLERANCE = 1e-3;

    /** The quantities of a case, in report order; names ending in {@code .*} stand for one entry per parameter. */
    public static final List<String> QUANTITIES = List.of("logits", "loss", "grad_x", "grad.*", "hvp_x", "gradnorm",
            "gradnorm.grad.*", "jac_rows", "emr", "emr.grad.*");

    private ModelVectorCheck() {}

    /**
     * One compared quantity.
     *
     * @param name      the quantity ({@code hvp_x}), a group ({@code grad.*}) or one tensor of a group
     *                  ({@code grad.layers.0.weight})
     * @param error     the relative error, or the absolute error when {@code relative} is false
     * @param relative  false when the expected value is exactly zero, so the error is {@code ||a||}
     * @param tolerance the largest error that passes
     * @param count     the number of tensors compared (1, or the number of parameters for a group)
     * @param worst     for a group, the tensor with the largest error; otherwise the name itself
     */
    public record Quantity(String name, double error, boolean relative, double tolerance, int count, String worst) {
        /** True when the error is within the tolerance (NaN fails). */
        public boolean pass() {
            return error <= tolerance;
        }
    }

    /**
     * The outcome of one case.
     *
     * @param dir        the case folder
     * @param quantities one entry per name of {@link #QUANTITIES}
     * @param details    one entry per compared tensor (every parameter of every group)
     * @param seconds    time taken to load and compute
     */
    public record Result(Path dir, List<Quantity> quantities, List<Quantity> details, double seconds) {
        public boolean pass() {
            return quantities.stream().allMatch(Quantity::pass);
        }
    }

    /** True when {@code dir} is a case folder (it holds {@code model.json}). */
    public static boolean isCase(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(MODEL));
    }

    /**
     * The case folders of {@code roots}: a root that is a case is itself; otherwise every case folder below it,
     * at any depth (a case's own subfolders are not searched), sorted by path.
     *
     * @throws ModelFileException when a root does not exist, is not a folder, or holds no case
     */
    public static List<Path> findCases(Collection<Path> roots) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        for (Path root : roots) {
            if (!Files.exists(root)) throw new ModelFileException(root, "no such file or folder");
            if (!Files.isDirectory(root)) throw new ModelFileException(root, "not a folder (give a case folder or a folder of cases)");
            if (isCase(root)) {
                out.add(root);
                continue;
            }
            List<Path> found = new ArrayList<>();
            collect(root, found, new java.util.HashSet<>());
            if (found.isEmpty()) throw new ModelFileException(root, "holds no test case (no folder with a " + MODEL + ")");
            found.stream().sorted().forEach(out::add);
        }
        return new ArrayList<>(out);
    }

    /**
     * The case folders under {@code dir}. Symbolic links to folders are followed, but each folder is searched once
     * (by its real path), so a link loop ({@code a/loop -> ..}) ends instead of recursing without end.
     */
    private static void collect(Path dir, List<Path> out, Set<Path> searched) throws IOException {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            return; // a dangling link or a loop the file system itself refuses
        }
        if (!searched.add(real)) return;
        if (isCase(dir)) {
            out.add(dir);
            return;
        }
        List<Path> subs;
        try (Stream<Path> s = Files.list(dir)) {
            subs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path p : subs) collect(p, out, searched);
    }

    /** A loaded case: the float64 model in eval mode and its inputs and reference values. */
    public record Case(Path dir, SpecModel model, Tensor x, Tensor y, Tensor v, Map<String, Tensor> expected) {}

    /**
     * Loads and validates a case folder.
     *
     * @throws ModelFileException naming the file and the problem when anything is missing or malformed
     */
    public static Case load(Path dir) throws IOException {
        Path modelFile = dir.resolve(MODEL);
        String json;
        try {
            json = Files.readString(modelFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(modelFile, "no such file");
        } catch (CharacterCodingException e) {
            throw new ModelFileException(modelFile, "not valid UTF-8", e);
        }
        SpecModel model;
        try {
            model = ModelSpec.build(json, new Generator(0));
        } catch (SpecException e) {
            throw new ModelFileException(modelFile, e.getMessage(), e);
        }
        int[] out = model.outputShape();
        if (out.length != 1) throw new ModelFileException(modelFile, "the model outputs " + Arrays.toString(out) + " per sample; a classifier's logits [K] are needed");
        int k = out[0];
        model.to(DType.FLOAT64);
        model.eval();

        Path weightsFile = dir.resolve(WEIGHTS);
        Map<String, Tensor> weights = floats(weightsFile, SafeTensors.read(weightsFile).tensors());
        StateDicts.check(weightsFile, model.stateDict(), weights);
        StateDicts.copyInto(model.stateDict(), weights);

        Path dataFile = dir.resolve(DATA);
        Map<String, Tensor> data = SafeTensors.read(dataFile).tensors();
        List<String> problems = new ArrayList<>();
        exactNames(data.keySet(), List.of("x", "y", "v"), problems);
        if (!problems.isEmpty()) throw problem(dataFile, problems);
        Tensor x = data.get("x"), y = data.get("y"), v = data.get("v");
        int[] in = model.inputShape();
        if (x.dtype() == DType.INT32) problems.add("x has integer dtype; float32 or float64 expected");
        if (v.dtype() == DType.INT32) problems.add("v has integer dtype; float32 or float64 expected");
        if (y.dtype() != DType.INT32) problems.add("y has dtype " + y.dtype().label() + "; integer class labels expected");
        int[] xs = x.shape();
        if (xs.length != in.length + 1 || xs[0] < 1 || !Arrays.equals(Arrays.copyOfRange(xs, 1, xs.length), in))
            problems.add("x has shape " + Arrays.toString(xs) + "; the model needs [N, " + join(in) + "] with N >= 1");
        if (!Arrays.equals(v.shape(), xs)) problems.add("v has shape " + Arrays.toString(v.shape()) + "; it must have x's shape " + Arrays.toString(xs));
        if (problems.isEmpty()) {
            if (!Arrays.equals(y.shape(), new int[] {xs[0]}))
                problems.add("y has shape " + Arrays.toString(y.shape()) + "; [" + xs[0] + "] expected (one label per sample of x)");
            else
                for (int label : y.toIntArray())
                    if (label < 0 || label >= k) {
                        problems.add("y holds label " + label + ", outside [0, " + k + ") for a model with " + k + " outputs");
                        break;
                    }
        }
        if (!problems.isEmpty()) throw problem(dataFile, problems);
        int n = xs[0];
        x = x.to(DType.FLOAT64).detach();
        v = v.to(DType.FLOAT64).detach();

        Path expectedFile = dir.resolve(EXPECTED);
        Map<String, Tensor> expected = floats(expectedFile, SafeTensors.read(expectedFile).tensors());
        Map<String, int[]> shapes = expectedShapes(model, n, k);
        exactNames(expected.keySet(), shapes.keySet(), problems);
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            Tensor t = expected.get(e.getKey());
            if (t != null && !Arrays.equals(t.shape(), e.getValue()))
                problems.add(e.getKey() + " has shape " + Arrays.toString(t.shape()) + "; " + Arrays.toString(e.getValue()) + " expected");
        }
        if (!problems.isEmpty()) throw problem(expectedFile, problems);
        return new Case(dir, model, x, y, v, expected);
    }

    /** The name and shape of every tensor {@code expected.safetensors} must hold, in report order. */
    static Map<String, int[]> expectedShapes(SpecModel model, int n, int k) {
        int[] in = model.inputShape();
        int[] x = prepend(in, n);
        Map<String, int[]> params = new LinkedHashMap<>();
        model.trainableParameters().forEach((name, p) -> params.put(name, p.shape()));
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("logits", new int[] {n, k});
        s.put("loss", new int[0]);
        s.put("grad_x", x);
        params.forEach((name, shape) -> s.put("grad." + name, shape));
        s.put("hvp_x", x);
        s.put("gradnorm", new int[0]);
        params.forEach((name, shape) -> s.put("gradnorm.grad." + name, shape));
        s.put("jac_rows", prepend(prepend(in, k), n));
        s.put("emr", new int[0]);
        params.forEach((name, shape) -> s.put("emr.grad." + name, shape));
        return s;
    }

    /** Loads a case, computes every quantity with the engine and compares. */
    public static Result check(Path dir) throws IOException {
        long t0 = System.nanoTime();
        Case c = load(dir);
        Map<String, Tensor> actual = compute(c.model(), c.x(), c.y(), c.v());
        List<Quantity> quantities = new ArrayList<>();
        List<Quantity> details = new ArrayList<>();
        for (String q : QUANTITIES) {
            double tol = q.equals("logits") || q.equals("loss") || q.equals("grad_x") || q.equals("grad.*")
                    ? FIRST_ORDER_TOLERANCE : SECOND_ORDER_TOLERANCE;
            if (q.endsWith(".*")) {
                String prefix = q.substring(0, q.length() - 1);
                Quantity worst = null;
                int count = 0;
                for (String name : c.model().trainableParameters().keySet()) {
                    Quantity d = compare(prefix + name, actual.get(prefix + name), c.expected().get(prefix + name), tol);
                    details.add(d);
                    count++;
                    if (worst == null || !(d.error() <= worst.error())) worst = d;
                }
                quantities.add(worst == null ? new Quantity(q, 0, true, tol, 0, q)
                        : new Quantity(q, worst.error(), worst.relative(), tol, count, worst.name()));
            } else {
                Quantity d = compare(q, actual.get(q), c.expected().get(q), tol);
                details.add(d);
                quantities.add(d);
            }
        }
        return new Result(dir, quantities, details, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Every quantity of a case computed by the engine, by the names of {@code expected.safetensors}. The model
     * should be in eval mode; x and v are converted to the model's dtype as needed by the caller.
     */
    public static Map<String, Tensor> compute(SpecModel model, Tensor x, Tensor y, Tensor v) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Tensor> params = model.trainableParameters();
        List<String> names = new ArrayList<>(params.keySet());
        Tensor[] ps = params.values().toArray(new Tensor[0]);
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor logits = model.forward(xv);
            Tensor loss = F.crossEntropy(logits, y);
            out.put("logits", logits.detach());
            out.put("loss", loss.detach());

            Tensor[] inputs = new Tensor[ps.length + 1];
            inputs[0] = xv;
            System.arraycopy(ps, 0, inputs, 1, ps.length);
            Tensor[] g = Autograd.grad(loss, inputs, GradOptions.defaults().createGraph().allowUnused());
            Tensor gx = g[0];
            out.put("grad_x", gx.detach());
            for (int i = 0; i < ps.length; i++) out.put("grad." + names.get(i), g[i + 1].detach());

            Tensor gv = gx.mul(v).sum();
            Tensor hvp = gv.requiresGrad() ? Autograd.grad(gv, xv, GradOptions.defaults().retainGraph().allowUnused())[0] : xv.detach().zerosLike();
            out.put("hvp_x", hvp.detach());

            Tensor gradnorm = gx.square().sum();
            out.put("gradnorm", gradnorm.detach());
            putParamGrads(out, "gradnorm.grad.", gradnorm, names, ps);

            int n = x.size(0);
            Tensor jac = Derivatives.jacobianRows(model::forward, xv, true).transpose(0, 1); // [K, N, ...] -> [N, K, ...]
            out.put("jac_rows", jac.detach().contiguous());
            Tensor emr = jac.square().sum().div(n);
            out.put("emr", emr.detach());
            putParamGrads(out, "emr.grad.", emr, names, ps);
        }
        return out;
    }

    private static void putParamGrads(Map<String, Tensor> out, String prefix, Tensor scalar, List<String> names, Tensor[] ps) {
        if (ps.length == 0) return;
        Tensor[] g;
        if (scalar.requiresGrad()) {
            g = Autograd.grad(scalar, ps, GradOptions.defaults().retainGraph().allowUnused());
        } else {
            g = new Tensor[ps.length];
            for (int i = 0; i < ps.length; i++) g[i] = ps[i].detach().zerosLike();
        }
        for (int i = 0; i < ps.length; i++) out.put(prefix + names.get(i), g[i].detach());
    }

    /** {@code ||a - b|| / ||b||}, or {@code ||a||} where b is 0; infinite when the shapes differ or a is missing. */
    static Quantity compare(String name, Tensor actual, Tensor expected, double tol) {
        if (actual == null || !Arrays.equals(actual.shape(), expected.shape()))
            return new Quantity(name, Double.POSITIVE_INFINITY, true, tol, 1, name);
        double[] a = actual.toDoubleArray(), b = expected.toDoubleArray();
        double diff = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            diff += d * d;
            norm += b[i] * b[i];
        }
        if (norm == 0) return new Quantity(name, Math.sqrt(diff), false, tol, 1, name);
        return new Quantity(name, Math.sqrt(diff) / Math.sqrt(norm), true, tol, 1, name);
    }

    private static Map<String, Tensor> floats(Path file, Map<String, Tensor> tensors) throws ModelFileException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        tensors.forEach((name, t) -> {
            if (t.dtype() == DType.INT32) problems.add("tensor '" + name + "' has an integer dtype; float32 or float64 expected");
            else out.put(name, t.to(DType.FLOAT64).detach());
        });
        if (!problems.isEmpty()) throw problem(file, problems);
        return out;
    }

    private static void exactNames(Set<String> have, Collection<String> want, List<String> problems) {
        for (String w : want) if (!have.contains(w)) problems.add("missing tensor '" + w + "'");
        for (String h : new TreeSet<>(have)) if (!want.contains(h)) problems.add("unexpected tensor '" + h + "'");
    }

    private static ModelFileException problem(Path file, List<String> problems) {
        return new ModelFileException(file, problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems:\n  " + String.join("\n  ", problems));
    }

    private static int[] prepend(int[] shape, int first) {
        int[] r = new int[shape.length + 1];
        r[0] = first;
        System.arraycopy(shape, 0, r, 1, shape.length);
        return r;
    }

    private static String join(int[] a) {
        return Shape.str(a).replaceAll("[\\[\\]]", "");
    }
}
