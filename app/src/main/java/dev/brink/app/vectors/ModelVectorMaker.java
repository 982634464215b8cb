package dev.brink.app.vectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.AtomicFiles;
import dev.brink.nn.io.SafeTensors;
import dev.brink.nn.io.StateDicts;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a model-level reference case computed by Brink ({@code brink vectors make}), in exactly the format that
 * {@link ModelVectorCheck} reads: {@code model.json}, {@code weights.safetensors}, {@code data.safetensors},
 * {@code expected.safetensors} (the {@link ModelQuantities} asked for, listed in the metadata entry
 * {@code quantities}), plus a {@code README.md} saying what each tensor is, in which shape and order.
 *
 * <p>Everything is computed in float64. With {@link DType#FLOAT32} storage the weights, x and v are rounded to
 * float32 first and the results last, so an engine that reads the files and works in float64 computes the same
 * function, and only the final rounding separates it from the stored values. The metadata also states, per
 * quantity, the relative error Brink itself makes when it computes the case in float32
 * ({@code float32_error.<q>}) and the tolerance a float32 consumer should use ({@code tolerance.float32.<q>}: ten
 * times that error rounded up to 1, 2 or 5 times a power of ten, and at least {@link #FLOAT32_TOLERANCE_FLOOR}).
 */
public final class ModelVectorMaker {
    /** Default limit on a sample's elements for {@code hessian_x} to be part of the default quantities. */
    public static final int DEFAULT_HESSIAN_LIMIT = 256;
    /** The smallest float32 tolerance stated in the metadata. */
    public static final double FLOAT32_TOLERANCE_FLOOR = 1e-5;
    /** The tolerance stated for a float64 consumer of a float64 case ({@code tolerance.float64}). */
    public static final double FLOAT64_TOLERANCE = 1e-9;
    /** The README written into the case folder. */
    public static final String README = "README.md";

    private static final List<String> FILES = List.of(ModelVectorCheck.MODEL, ModelVectorCheck.WEIGHTS, ModelVectorCheck.DATA,
            ModelVectorCheck.EXPECTED, README);

    private ModelVectorMaker() {}

    /**
     * What to compute.
     *
     * @param model      the model (any dtype; its weights are copied, the model itself is left as it is)
     * @param x          the inputs {@code [N] + input shape}, float
     * @param y          integer labels {@code [N]}
     * @param v          the Hessian-vector product direction (x's shape), or null for a seeded standard normal draw
     * @param seed       the seed of v when v is null
     * @param quantities names of {@link ModelQuantities#ALL}
     * @param dtype      the storage dtype: {@link DType#FLOAT64} or {@link DType#FLOAT32}
     * @param provenance metadata entries saying where model and data came from (written as they are)
     */
    public record Request(SpecModel model, Tensor x, Tensor y, Tensor v, long seed, List<String> quantities, DType dtype,
                          Map<String, String> provenance) {}

    /**
     * What was written.
     *
     * @param dir               the case folder
     * @param shapes            every tensor of {@code expected.safetensors} with its shape, in report order
     * @param float32Errors     per quantity (groups as one), Brink's own float32 relative error
     * @param float32Tolerances per quantity, the tolerance stated for a float32 consumer
     * @param metadata          the metadata of the safetensors files
     * @param seconds           time taken
     */
    public record Made(Path dir, Map<String, int[]> shapes, Map<String, Double> float32Errors, Map<String, Double> float32Tolerances,
                       Map<String, String> metadata, double seconds) {}

    /** The default quantities for a model whose samples have this shape: all, hessian_x only up to {@link #DEFAULT_HESSIAN_LIMIT} elements. */
    public static List<String> defaultQuantities(int[] inputShape) {
        return elements(inputShape) <= DEFAULT_HESSIAN_LIMIT ? ModelQuantities.ALL : ModelQuantities.DEFAULT;
    }

    /**
     * Computes the case and writes it to {@code dir} (created if missing). An existing {@code dir} must be empty,
     * unless {@code replace} is true, in which case the five files of a case in it are replaced (each atomically).
     *
     * @throws IllegalArgumentException naming the problem when the inputs do not fit the model
     */
    public static Made make(Request r, Path dir, boolean replace) throws IOException {
        long t0 = System.nanoTime();
        validate(r);
        prepareDir(dir, replace);
        SpecModel model = r.model();
        int n = r.x().size(0), k = model.outputShape()[0];
        DType store = r.dtype();

        // The function every consumer computes: weights, x and v as stored (rounded to the storage dtype first).
        SpecModel ref = copy(model, store, DType.FLOAT64);
        Tensor x = stored(r.x(), store);
        Tensor v = stored(r.v() != null ? r.v() : Tensor.randn(new Generator(r.seed()), DType.FLOAT64, r.x().shape()), store);
        Map<String, Tensor> expected = ModelQuantities.compute(ref, x, r.y(), v, r.quantities());

        // Brink's own error in float32, as a yardstick for the float32 tolerances.
        SpecModel single = copy(model, store, DType.FLOAT32);
        Map<String, Tensor> f32 = ModelQuantities.compute(single, x.to(DType.FLOAT32), r.y(), v.to(DType.FLOAT32), r.quantities());
        Map<String, Double> errors = new LinkedHashMap<>(), tolerances = new LinkedHashMap<>();
        for (String q : r.quantities()) {
            double worst = 0;
            for (String name : tensorsOf(q, expected)) {
                ModelVectorCheck.Quantity c = ModelVectorCheck.compare(name, f32.get(name).to(DType.FLOAT64), expected.get(name), 0);
                worst = Math.max(worst, c.error());
            }
            errors.put(q, worst);
            tolerances.put(q, Math.max(FLOAT32_TOLERANCE_FLOOR, niceCeil(10 * worst)));
        }

        Map<String, int[]> shapes = ModelQuantities.shapes(ref, n, k, r.quantities());
        Map<String, String> meta = metadata(r, k, errors, tolerances);
        writeText(dir.resolve(ModelVectorCheck.MODEL), prettySpec(model) + "\n");
        Map<String, Tensor> weights = new LinkedHashMap<>();
        ref.stateDict().forEach((name, t) -> weights.put(name, t.detach().to(store)));
        SafeTensors.write(dir.resolve(ModelVectorCheck.WEIGHTS), weights, meta);
        Map<String, Tensor> data = new LinkedHashMap<>();
        data.put("x", x.to(store));
        data.put("y", r.y());
        data.put("v", v.to(store));
        SafeTensors.write(dir.resolve(ModelVectorCheck.DATA), data, meta);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : shapes.keySet()) out.put(name, expected.get(name).to(store));
        SafeTensors.write(dir.resolve(ModelVectorCheck.EXPECTED), out, meta);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Made made = new Made(dir, shapes, errors, tolerances, meta, seconds);
        writeText(dir.resolve(README), VectorCaseReadme.text(ref, n, k, r.quantities(), made));
        return made;
    }

    private static void validate(Request r) {
        SpecModel m = r.model();
        int[] out = m.outputShape(), in = m.inputShape();
        if (out.length != 1)
            throw new IllegalArgumentException("the model outputs " + Arrays.toString(out) + " per sample; reference cases need a classifier's logits [K]");
        if (r.dtype() != DType.FLOAT64 && r.dtype() != DType.FLOAT32)
            throw new IllegalArgumentException("the storage dtype must be float64 or float32, got " + r.dtype().label());
        int[] xs = r.x().shape();
        if (r.x().dtype() == DType.INT32) throw new IllegalArgumentException("x must be floating point, got int32");
        if (xs.length != in.length + 1 || xs[0] < 1 || !Arrays.equals(Arrays.copyOfRange(xs, 1, xs.length), in))
            throw new IllegalArgumentException("the data's samples are " + Shape.str(Arrays.copyOfRange(xs, Math.min(1, xs.length), xs.length))
                    + " (x " + Shape.str(xs) + "), but the model takes " + Shape.str(in));
        if (r.y().dtype() != DType.INT32 || !Arrays.equals(r.y().shape(), new int[] {xs[0]}))
            throw new IllegalArgumentException("y must hold one integer label per sample, [" + xs[0] + "]; got " + r.y().dtype().label() + " " + Shape.str(r.y().shape()));
        int k = out[0];
        int[] labels = r.y().toIntArray();
        for (int i = 0; i < labels.length; i++)
            if (labels[i] < 0 || labels[i] >= Math.max(k, 2))
                throw new IllegalArgumentException("sample " + i + " has label " + labels[i] + (k == 1 ? ", but a one-logit (binary) model needs labels 0 and 1"
                        : ", outside [0, " + k + ") for a model with " + k + " outputs"));
        if (r.v() != null && !Arrays.equals(r.v().shape(), xs))
            throw new IllegalArgumentException("v has shape " + Shape.str(r.v().shape()) + "; it must have x's shape " + Shape.str(xs));
        if (r.v() != null && r.v().dtype() == DType.INT32) throw new IllegalArgumentException("v must be floating point, got int32");
        if (r.quantities().isEmpty()) throw new IllegalArgumentException("no quantity to compute");
        for (String q : r.quantities())
            if (!ModelQuantities.ALL.contains(q)) throw new IllegalArgumentException("unknown quantity '" + q + "'; known: " + ModelQuantities.ALL);
        long d = elements(in);
        if (r.quantities().contains("hessian_x") && d > ModelQuantities.HESSIAN_MAX)
            throw new IllegalArgumentException("hessian_x needs samples of at most " + ModelQuantities.HESSIAN_MAX + " elements; this model's have " + d
                    + " (" + Shape.str(in) + "); leave hessian_x out of the quantities");
    }

    private static void prepareDir(Path dir, boolean replace) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + ": exists and is not a folder");
        if (Files.isDirectory(dir)) {
            List<String> present;
            try (Stream<Path> s = Files.list(dir)) {
                present = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            if (!present.isEmpty() && !replace)
                throw new IOException(dir + ": exists and is not empty (holds " + String.join(", ", present.subList(0, Math.min(5, present.size())))
                        + (present.size() > 5 ? ", ..." : "") + "); give an empty or new folder, or --force to replace the case in it");
        }
        Files.createDirectories(dir);
    }

    /** A fresh model from m's spec with m's weights, rounded to {@code store} and then held in {@code compute}. */
    private static SpecModel copy(SpecModel m, DType store, DType compute) {
        SpecModel c = ModelSpec.build(m.specJson(), new Generator(0));
        c.to(compute);
        Map<String, Tensor> state = new LinkedHashMap<>();
        m.stateDict().forEach((name, t) -> state.put(name, t.detach().to(store).to(compute)));
        StateDicts.copyInto(c.stateDict(), state);
        c.eval();
        return c;
    }

    /** t rounded to the storage dtype, held in float64. */
    private static Tensor stored(Tensor t, DType store) {
        return t.detach().to(store).to(DType.FLOAT64).contiguous();
    }

    /** The tensor names of a quantity (one per parameter for a group). */
    static List<String> tensorsOf(String q, Map<String, Tensor> all) {
        if (!q.endsWith(".*")) return List.of(q);
        String prefix = q.substring(0, q.length() - 1);
        List<String> out = new ArrayList<>();
        for (String name : all.keySet()) if (name.startsWith(prefix)) out.add(name);
        return out;
    }

    private static Map<String, String> metadata(Request r, int k, Map<String, Double> errors, Map<String, Double> tolerances) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("generator", "brink vectors make");
        m.put(ModelVectorCheck.QUANTITIES_KEY, String.join(",", r.quantities()));
        m.put("dtype", r.dtype().label());
        m.put("loss", k == 1 ? "mean binary cross-entropy of the one logit against labels 0/1" : "mean cross-entropy");
        m.put("v", r.v() != null ? "given" : "standard normal, seed " + r.seed());
        m.put("tolerance.float64", fmt(r.dtype() == DType.FLOAT64 ? FLOAT64_TOLERANCE : 1e-6));
        tolerances.forEach((q, t) -> m.put("tolerance.float32." + q, fmt(t)));
        errors.forEach((q, e) -> m.put("float32_error." + q, String.format(Locale.ROOT, "%.2e", e)));
        m.put("tolerance.metric", "||a - b|| / ||b|| over the tensor (||a|| where b is 0); for a group (.*) each parameter's tensor");
        m.putAll(r.provenance());
        return m;
    }

    static String fmt(double t) {
        return String.format(Locale.ROOT, "%.0e", t);
    }

    /** The smallest of 1, 2, 5 times a power of ten that is at least e. */
    static double niceCeil(double e) {
        if (!(e > 0)) return 0;
        double p = Math.pow(10, Math.floor(Math.log10(e)));
        for (double f : new double[] {1, 2, 5, 10}) {
            double c = Double.parseDouble(fmt(f * p));
            if (c >= e * (1 - 1e-12)) return c;
        }
        return 10 * p;
    }

    private static long elements(int[] shape) {
        long d = 1;
        for (int s : shape) d *= s;
        return d;
    }

    private static String prettySpec(SpecModel m) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        return om.writeValueAsString(ModelSpec.parse(m.specJson()));
    }

    static void writeText(Path file, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(file, ch -> {
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** The files of a case written by this class. */
    public static List<String> files() {
        return FILES;
    }
}
