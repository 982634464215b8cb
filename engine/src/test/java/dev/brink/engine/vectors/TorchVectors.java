package dev.brink.engine.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backends;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loader for the PyTorch reference vectors in {@code test-vectors/} (see {@code test-vectors/README.md} for the
 * format). Tensors are decoded exactly: float64 values to FLOAT64 tensors, int64 indices and labels to INT32
 * tensors, and the few float32 values (cast cases) to FLOAT32 tensors.
 */
public final class TorchVectors {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static volatile List<Case> opsCases;
    private static volatile JsonNode convnet;

    private TorchVectors() {}

    // ------------------------------------------------------------------ locating and loading

    /** The repository's {@code test-vectors/} folder, found by walking up from the working directory. */
    public static Path dir() {
        Path p = Paths.get("").toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            Path d = q.resolve("test-vectors");
            if (Files.isRegularFile(d.resolve("ops.json"))) return d;
        }
        throw new IllegalStateException("test-vectors/ops.json not found in " + p + " or any parent directory");
    }

    /** The root object of a vector file. */
    public static JsonNode read(String file) {
        Path f = dir().resolve(file);
        try {
            return MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** All cases of {@code ops.json}, in file order (parsed once). */
    public static List<Case> ops() {
        List<Case> c = opsCases;
        if (c == null) {
            synchronized (TorchVectors.class) {
                if (opsCases == null) {
                    List<Case> list = new ArrayList<>();
                    for (JsonNode n : read("ops.json").get("cases")) list.add(Case.parse(n));
                    opsCases = Collections.unmodifiableList(list);
                }
                c = opsCases;
            }
        }
        return c;
    }

    /** The root of {@code small_convnet.json} (parsed once). */
    public static JsonNode convnet() {
        JsonNode c = convnet;
        if (c == null) {
            synchronized (TorchVectors.class) {
                if (convnet == null) convnet = read("small_convnet.json");
                c = convnet;
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ data model

    /** One encoded tensor ({@code {"dtype","shape","data"}}, plus name/diff where the file has them). */
    public record Ref(String name, String dtype, int[] shape, double[] data, boolean diff) {
        public static Ref parse(JsonNode n) {
            String dtype = n.get("dtype").asText();
            int[] shape = ints(n.get("shape"));
            JsonNode d = n.get("data");
            double[] data = new double[d.size()];
            for (int i = 0; i < data.length; i++) {
                JsonNode v = d.get(i);
                if (dtype.equals("int64")) {
                    if (!v.canConvertToExactIntegral()) throw new IllegalArgumentException("int64 tensor holds " + v);
                    long l = v.asLong();
                    if (l != (int) l) throw new IllegalArgumentException("int64 value " + l + " does not fit int32");
                    data[i] = l;
                } else {
                    data[i] = v.doubleValue();
                }
            }
            if (Shape.numel(shape) != data.length)
                throw new IllegalArgumentException("tensor of shape " + Shape.str(shape) + " has " + data.length + " values");
            JsonNode nm = n.get("name"), df = n.get("diff");
            return new Ref(nm == null ? null : nm.asText(), dtype, shape, data, df != null && df.asBoolean());
        }

        public boolean isInteger() {
            return dtype.equals("int64");
        }

        /** The file's dtype: float64 -> FLOAT64, float32 -> FLOAT32, int64 -> INT32. */
        public DType engineDType() {
            return switch (dtype) {
                case "float64" -> DType.FLOAT64;
                case "float32" -> DType.FLOAT32;
                case "int64" -> DType.INT32;
                default -> throw new IllegalArgumentException("unknown dtype '" + dtype + "'");
            };
        }

        /** A fresh tensor with the file's dtype. */
        public Tensor tensor() {
            return Tensor.fromHost(Backends.defaultBackend(), engineDType(), data, shape);
        }

        /** A fresh tensor; floating values are converted to {@code floatType}, integers stay INT32. */
        public Tensor tensor(DType floatType) {
            DType t = isInteger() ? DType.INT32 : floatType;
            return Tensor.fromHost(Backends.defaultBackend(), t, data, shape);
        }
    }

    /** One case of ops.json. Differentiable cases have non-null cotangent, grads, tangents and gradGrads. */
    public record Case(String name, String op, JsonNode attrs, List<Ref> inputs, Ref output,
                       Map<String, Ref> extraOutputs, Ref cotangent, List<Ref> grads, List<Ref> tangents,
                       List<Ref> gradGrads) {
        static Case parse(JsonNode n) {
            List<Ref> inputs = refs(n.get("inputs"));
            Map<String, Ref> extra = new LinkedHashMap<>();
            JsonNode e = n.get("extra_outputs");
            if (e != null) e.fields().forEachRemaining(f -> extra.put(f.getKey(), Ref.parse(f.getValue())));
            JsonNode c = n.get("cotangent");
            return new Case(n.get("name").asText(), n.get("op").asText(), n.get("attrs"), inputs,
                    Ref.parse(n.get("output")), extra, c == null ? null : Ref.parse(c),
                    refs(n.get("grads")), refs(n.get("tangents")), refs(n.get("grad_grads")));
        }

        public boolean differentiable() {
            return cotangent != null;
        }

        public List<Ref> diffInputs() {
            return inputs.stream().filter(Ref::diff).toList();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Ref> refs(JsonNode arr) {
        if (arr == null) return null;
        List<Ref> l = new ArrayList<>();
        for (JsonNode n : arr) l.add(Ref.parse(n));
        return Collections.unmodifiableList(l);
    }

    public static int[] ints(JsonNode arr) {
        int[] r = new int[arr.size()];
        for (int i = 0; i < r.length; i++) r[i] = arr.get(i).asInt();
        return r;
    }

    // ------------------------------------------------------------------ comparison

    /**
     * Asserts that {@code actual} has the expected shape and that every element satisfies
     * {@code |a - e| <= atol + rtol * |e|} (NaN never passes). The message names {@code what}, the worst elements
     * and the number of mismatches.
     */
    public static void assertClose(String what, Ref expected, Tensor actual, double atol, double rtol) {
        assertClose(what, expected.shape(), expected.data(), actual, atol, rtol);
    }

    public static void assertClose(String what, int[] shape, double[] expected, Tensor actual, double atol, double rtol) {
        if (!Arrays.equals(shape, actual.shape()))
            throw new AssertionError(what + ": shape " + Shape.str(actual.shape()) + ", expected " + Shape.str(shape));
        assertClose(what, expected, actual.toDoubleArray(), atol, rtol);
    }

    public static void assertClose(String what, double[] e, double[] a, double atol, double rtol) {
        if (e.length != a.length) throw new AssertionError(what + ": " + a.length + " elements, expected " + e.length);
        int bad = 0, worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < e.length; i++) {
            double tol = atol + rtol * Math.abs(e[i]);
            double err = Math.abs(a[i] - e[i]);
            if (!(err <= tol)) {
                bad++;
                double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / tol;
                if (worst < 0 || ratio > worstRatio) {
                    worst = i;
                    worstRatio = ratio;
                }
            }
        }
        if (bad > 0)
            throw new AssertionError(String.format(Locale.ROOT,
                    "%s: %d of %d elements differ (atol %.1g, rtol %.1g); worst at flat index %d: got %.17g, expected %.17g (|error| %.3g)",
                    what, bad, e.length, atol, rtol, worst, a[worst], e[worst], Math.abs(a[worst] - e[worst])));
    }

    /** Largest absolute value (at least {@code floor}). */
    public static double maxAbs(double[] v, double floor) {
        double m = floor;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
