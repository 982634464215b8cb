package dev.brink.app.vectors;

import dev.brink.engine.DType;
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
 * Checks the engine against model-level reference vectors: those made by {@code test-vectors/generate_models.py}
 * with PyTorch, by {@code brink vectors make} ({@link ModelVectorMaker}), or by any other engine that writes the
 * same format. A case is a folder holding
 * <ul>
 *   <li>{@code model.json}: the architecture in the spec language of {@link ModelSpec};</li>
 *   <li>{@code weights.safetensors}: every parameter and buffer of the model (its {@code stateDict()} names and
 *       PyTorch's layouts);</li>
 *   <li>{@code data.safetensors}: {@code x} (float, {@code [N] + input shape}), {@code y} (integer labels
 *       {@code [N]}) and {@code v} (float, shaped like {@code x});</li>
 *   <li>{@code expected.safetensors}: the reference values of {@link ModelQuantities}, all in eval mode. When its
 *       {@code __metadata__} has a {@code quantities} entry (a comma-separated list of names of
 *       {@link ModelQuantities#ALL}), the file holds exactly those; otherwise exactly
 *       {@link ModelQuantities#DEFAULT} (everything but {@code hessian_x}).</li>
 * </ul>
 * The engine recomputes every quantity in float64 from the stored weights and data and compares it with
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
    /** Tolerance of the second-order quantities ({@code hvp_x}, {@code hessian_x}, {@code gradnorm*}, {@code jac_rows}, {@code emr*}). */
    public static final double SECOND_ORDER_TOLERANCE = 1e-3;

    /**
     * The quantities of a case without a {@code quantities} metadata entry, in report order; names ending in
     * {@code .*} stand for one entry per parameter. ({@link ModelQuantities#DEFAULT}.)
     */
    public static final List<String> QUANTITIES = ModelQuantities.DEFAULT;
    /** The {@code __metadata__} entry of {@code expected.safetensors} that lists its quantities. */
    public static final String QUANTITIES_KEY = "quantities";

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
     * @param quantities one entry per quantity of the case, in the order of {@link ModelQuantities#ALL}
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

    /**
     * A loaded case: the float64 model in eval mode, its inputs, the quantities the case holds (in report order)
     * and their reference values.
     */
    public record Case(Path dir, SpecModel model, Tensor x, Tensor y, Tensor v, List<String> quantities, Map<String, Tensor> expected) {}

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
                    if (label < 0 || label >= Math.max(k, 2)) {
                        problems.add("y holds label " + label + (k == 1 ? ", not 0 or 1 for a one-logit (binary) model"
                                : ", outside [0, " + k + ") for a model with " + k + " outputs"));
                        break;
                    }
        }
        if (!problems.isEmpty()) throw problem(dataFile, problems);
        int n = xs[0];
        x = x.to(DType.FLOAT64).detach();
        v = v.to(DType.FLOAT64).detach();

        Path expectedFile = dir.resolve(EXPECTED);
        SafeTensors.Contents contents = SafeTensors.read(expectedFile);
        Map<String, Tensor> expected = floats(expectedFile, contents.tensors());
        List<String> quantities = QUANTITIES;
        String listed = contents.metadata().get(QUANTITIES_KEY);
        if (listed != null) {
            try {
                quantities = ModelQuantities.parse(listed);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(expectedFile, "metadata '" + QUANTITIES_KEY + "': " + e.getMessage());
            }
            int d = 1;
            for (int s : model.inputShape()) d *= s;
            if (quantities.contains("hessian_x") && d > ModelQuantities.HESSIAN_MAX)
                throw new ModelFileException(expectedFile, "holds hessian_x for samples of " + d + " elements; at most " + ModelQuantities.HESSIAN_MAX + " are supported");
        }
        Map<String, int[]> shapes = ModelQuantities.shapes(model, n, k, quantities);
        exactNames(expected.keySet(), shapes.keySet(), problems);
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            Tensor t = expected.get(e.getKey());
            if (t != null && !Arrays.equals(t.shape(), e.getValue()))
                problems.add(e.getKey() + " has shape " + Arrays.toString(t.shape()) + "; " + Arrays.toString(e.getValue()) + " expected");
        }
        if (!problems.isEmpty()) throw problem(expectedFile, problems);
        return new Case(dir, model, x, y, v, quantities, expected);
    }

    /** Loads a case, computes every quantity with the engine and compares. */
    public static Result check(Path dir) throws IOException {
        long t0 = System.nanoTime();
        Case c = load(dir);
        Map<String, Tensor> actual = ModelQuantities.compute(c.model(), c.x(), c.y(), c.v(), c.quantities());
        List<Quantity> quantities = new ArrayList<>();
        List<Quantity> details = new ArrayList<>();
        for (String q : c.quantities()) {
            double tol = tolerance(q);
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

    /** The tolerance of a quantity: {@link #FIRST_ORDER_TOLERANCE} or {@link #SECOND_ORDER_TOLERANCE}. */
    public static double tolerance(String quantity) {
        return ModelQuantities.firstOrder(quantity) ? FIRST_ORDER_TOLERANCE : SECOND_ORDER_TOLERANCE;
    }

    /**
     * The quantities of {@link #QUANTITIES} computed by the engine, by the names of {@code expected.safetensors}
     * ({@link ModelQuantities#compute}). The model should be in eval mode; x and v must have the model's dtype.
     */
    public static Map<String, Tensor> compute(SpecModel model, Tensor x, Tensor y, Tensor v) {
        return ModelQuantities.compute(model, x, y, v, QUANTITIES);
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

    private static String join(int[] a) {
        return Shape.str(a).replaceAll("[\\[\\]]", "");
    }
}
