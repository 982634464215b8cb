package dev.brink.nn.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.engine.Generator;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.nn.Module;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.BatchNorm;
import dev.brink.nn.layer.Conv2d;
import dev.brink.nn.layer.Dropout;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.GlobalAvgPool2d;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Normalize;
import dev.brink.nn.layer.Pool2d;
import dev.brink.nn.layer.Residual;
import dev.brink.nn.layer.Sequential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture language shared by model files, the zoo and the test vectors:
 * {@code {"input": [C, H, W] or [D], "layers": [L, ...]}} with each L one of
 * <pre>
 * {"type":"linear","out":O,"bias":true}
 * {"type":"conv2d","out":O,"kernel":k or [kh,kw],"stride":1,"padding":0,"dilation":1,"groups":1,"bias":true}
 * {"type":"maxpool2d"|"avgpool2d","kernel":k,"stride":k,"padding":0}
 * {"type":"global_avgpool"}   {"type":"flatten"}
 * {"type":"relu"|"tanh"|"sigmoid"|"softplus"}   {"type":"leaky_relu","slope":0.01}
 * {"type":"dropout","p":0.5}
 * {"type":"batchnorm2d","eps":1e-5,"momentum":0.1}   (also "batchnorm1d" for [D] features)
 * {"type":"residual","body":[L...],"shortcut":[L...]}  (body(x) + shortcut(x); empty shortcut = identity)
 * {"type":"normalize","mean":[...],"std":[...]}  (per-channel input normalization, constants of the spec)
 * </pre>
 * Defaults as shown ({@code stride} of a pool defaults to its kernel). Parameter names follow PyTorch's for a
 * ModuleList called {@code layers}: {@code layers.<i>.weight}, {@code layers.<i>.body.<j>.weight}, ... Shapes are
 * inferred layer by layer at build time, so every impossible shape is reported with the layer's position and the
 * shape that reached it, before any weight is allocated. {@link #plan} does the same checks and lists the model's
 * tensors by name and shape without building it, so that a model file can be checked against its spec before its
 * weights are read or allocated.
 */
public final class ModelSpec {
    /** The deepest nesting of objects and arrays a spec may have (residual blocks nest two levels each). */
    public static final int MAX_DEPTH = 200;
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build());
    private static final Set<String> TYPES = Set.of("linear", "conv2d", "maxpool2d", "avgpool2d", "global_avgpool", "flatten",
            "relu", "tanh", "sigmoid", "softplus", "leaky_relu", "dropout", "batchnorm2d", "batchnorm1d", "residual", "normalize");

    private ModelSpec() {}

    /**
     * Parses spec text; errors name the problem and, where the parser knows it, the position in the text. Nesting
     * deeper than {@value #MAX_DEPTH} levels (objects and arrays) is an error, found before the parser goes deeper.
     */
    public static JsonNode parse(String json) {
        if (json == null) throw new SpecException("model spec is missing (null)");
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || n.isMissingNode()) throw new SpecException("model spec is empty");
            return n;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new SpecException("model spec is nested too deeply or too large: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new SpecException("model spec is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        }
    }


    /** Compact JSON text of a spec. */
    public static String toJson(JsonNode spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds a model from spec text with weights drawn from {@code gen}. */
    public static SpecModel build(String json, Generator gen) {
        return build(parse(json), gen);
    }

    /**
     * Builds a model from a parsed spec with weights drawn from {@code gen}. The spec is first {@linkplain #plan
     * planned}: every impossible shape, and a model too large for the Java heap ({@link SpecPlan#checkFitsHeap}),
     * fails before any weight is allocated.
     */
    public static SpecModel build(JsonNode spec, Generator gen) {
        java.util.Objects.requireNonNull(gen, "gen");
        plan(spec).checkFitsHeap();
        return (SpecModel) walk(spec, gen, new Walk());
    }

    /** {@link #plan(JsonNode)} of spec text. */
    public static SpecPlan plan(String json) {
        return plan(parse(json));
    }

    /**
     * What the model of {@code spec} holds (input and output shapes, every parameter and buffer by name and shape),
     * checked as {@link #build} checks it, without allocating any weight.
     *
     * @throws SpecException for a spec that cannot be built, naming the layer and the problem
     */
    public static SpecPlan plan(JsonNode spec) {
        Walk w = new Walk();
        walk(spec, null, w);
        return new SpecPlan(w.input, w.output, w.state, w.buffers);
    }

    /** What a walk over a spec records: the input and output shapes and the model's tensors by name. */
    private static final class Walk {
        int[] input, output;
        final Map<String, int[]> state = new LinkedHashMap<>();
        final Set<String> buffers = new java.util.HashSet<>();

        void param(String where, String name, long... shape) {
            state.put(where + "." + name, dims(where, name, shape));
        }

        void buffer(String where, String name, long... shape) {
            param(where, name, shape);
            buffers.add(where + "." + name);
        }

        private static int[] dims(String where, String name, long[] shape) {
            long n = 1;
            int[] d = new int[shape.length];
            for (int i = 0; i < shape.length; i++) {
                n *= shape[i];
                if (shape[i] > Integer.MAX_VALUE || n > Integer.MAX_VALUE)
                    throw new SpecException(where + ": " + name + " of shape " + Arrays.toString(shape) + " has more than "
                            + Integer.MAX_VALUE + " elements, too many for one tensor");
                d[i] = (int) shape[i];
            }
            return d;
        }
    }

    /** Checks {@code spec} layer by layer, recording its tensors in {@code w}; builds the modules when gen is not null. */
    private static Module walk(JsonNode spec, Generator gen, Walk w) {
        if (!spec.isObject()) throw new SpecException("model spec must be a JSON object with \"input\" and \"layers\"");
        unknownKeys(spec, "model spec", Set.of("input", "layers", "name", "source"));
        int[] input = intArray(spec, "input", "model spec");
        if (input.length != 1 && input.length != 3)
            throw new SpecException("model spec: \"input\" must be [C, H, W] or [D], got " + Arrays.toString(input));
        for (int d : input) if (d < 1) throw new SpecException("model spec: \"input\" dimensions must be positive, got " + Arrays.toString(input));
        JsonNode layers = spec.get("layers");
        if (layers == null || !layers.isArray()) throw new SpecException("model spec: \"layers\" must be an array");
        int[][] shape = {input.clone()};
        Sequential seq = buildList((ArrayNode) layers, "layers", shape, gen, w);
        w.input = input;
        w.output = shape[0];
        return gen == null ? null : new SpecModel(spec, input, shape[0], seq);
    }

    private static Sequential buildList(ArrayNode layers, String path, int[][] shape, Generator gen, Walk w) {
        List<Module> modules = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) modules.add(buildLayer(layers.get(i), path + "." + i, shape, gen, w));
        return gen == null ? null : new Sequential(modules);
    }

    /** One layer: checked, its output shape in {@code shape[0]} and its tensors in {@code w}; the module when gen is not null. */
    private static Module buildLayer(JsonNode l, String where, int[][] shape, Generator gen, Walk w) {
        if (!l.isObject() || !l.has("type")) throw new SpecException(where + ": each layer must be an object with a \"type\"");
        String type = l.get("type").asText();
        if (!TYPES.contains(type)) throw new SpecException(where + ": unknown layer type '" + type + "'; known: " + new java.util.TreeSet<>(TYPES));
        String at = where + " (" + type + ")";
        int[] in = shape[0];
        boolean build = gen != null;
        switch (type) {
            case "linear" -> {
                unknownKeys(l, at, Set.of("type", "out", "bias"));
                if (in.length != 1) throw new SpecException(at + ": input has shape " + Arrays.toString(in) + "; add a flatten layer before linear");
                int out = positive(l, "out", at);
                boolean bias = bool(l, "bias", true, at);
                w.param(where, "weight", out, in[0]);
                if (bias) w.param(where, "bias", out);
                shape[0] = new int[] {out};
                return build ? new Linear(in[0], out, bias, gen) : null;
            }
            case "conv2d" -> {
                unknownKeys(l, at, Set.of("type", "out", "kernel", "stride", "padding", "dilation", "groups", "bias"));
                image(in, at);
                int out = positive(l, "out", at);
                int[] k = pair(l, "kernel", null, at);
                int[] s = pair(l, "stride", new int[] {1, 1}, at);
                int[] p = pair(l, "padding", new int[] {0, 0}, at);
                int[] d = pair(l, "dilation", new int[] {1, 1}, at);
                int groups = l.has("groups") ? positive(l, "groups", at) : 1;
                if (in[0] % groups != 0 || out % groups != 0)
                    throw new SpecException(at + ": groups " + groups + " must divide input channels " + in[0] + " and output channels " + out);
                ConvGeometry g;
                try {
                    g = new ConvGeometry(s[0], s[1], p[0], p[1], d[0], d[1], groups);
                } catch (IllegalArgumentException e) {
                    throw new SpecException(at + ": " + e.getMessage());
                }
                int ho = g.outH(in[1], k[0]), wo = g.outW(in[2], k[1]);
                if (ho < 1 || wo < 1)
                    throw new SpecException(at + ": kernel " + Arrays.toString(k) + " does not fit the input " + Arrays.toString(in) + " with padding " + Arrays.toString(p));
                boolean bias = bool(l, "bias", true, at);
                w.param(where, "weight", out, in[0] / groups, k[0], k[1]);
                if (bias) w.param(where, "bias", out);
                shape[0] = new int[] {out, ho, wo};
                return build ? new Conv2d(in[0], out, k[0], k[1], g, bias, gen) : null;
            }
            case "maxpool2d", "avgpool2d" -> {
                unknownKeys(l, at, Set.of("type", "kernel", "stride", "padding"));
                image(in, at);
                int[] k = pair(l, "kernel", null, at);
                int[] s = pair(l, "stride", k, at);
                int[] p = pair(l, "padding", new int[] {0, 0}, at);
                PoolGeometry g;
                try {
                    g = new PoolGeometry(k[0], k[1], s[0], s[1], p[0], p[1], 1, 1);
                } catch (IllegalArgumentException e) {
                    throw new SpecException(at + ": " + e.getMessage());
                }
                int ho = g.outH(in[1]), wo = g.outW(in[2]);
                if (ho < 1 || wo < 1) throw new SpecException(at + ": window " + Arrays.toString(k) + " does not fit the input " + Arrays.toString(in));
                shape[0] = new int[] {in[0], ho, wo};
                return build ? new Pool2d(type.equals("maxpool2d") ? Pool2d.Kind.MAX : Pool2d.Kind.AVG, g) : null;
            }
            case "global_avgpool" -> {
                unknownKeys(l, at, Set.of("type"));
                image(in, at);
                shape[0] = new int[] {in[0]};
                return build ? new GlobalAvgPool2d() : null;
            }
            case "flatten" -> {
                unknownKeys(l, at, Set.of("type"));
                long n = 1;
                for (int v : in) n *= v;
                if (n > Integer.MAX_VALUE)
                    throw new SpecException(at + ": the input " + Arrays.toString(in) + " has " + n + " features, more than " + Integer.MAX_VALUE);
                shape[0] = new int[] {(int) n};
                return build ? new Flatten() : null;
            }
            case "relu", "tanh", "sigmoid", "softplus" -> {
                unknownKeys(l, at, Set.of("type"));
                return build ? new Activation(Activation.Kind.valueOf(type.toUpperCase())) : null;
            }
            case "leaky_relu" -> {
                unknownKeys(l, at, Set.of("type", "slope"));
                double slope = number(l, "slope", 0.01, at);
                return build ? new Activation(Activation.Kind.LEAKY_RELU, slope) : null;
            }
            case "dropout" -> {
                unknownKeys(l, at, Set.of("type", "p"));
                double p = number(l, "p", 0.5, at);
                if (!(p >= 0 && p < 1)) throw new SpecException(at + ": p must be in [0, 1), got " + p);
                return build ? new Dropout(p) : null;
            }
            case "batchnorm2d", "batchnorm1d" -> {
                unknownKeys(l, at, Set.of("type", "eps", "momentum"));
                if (type.equals("batchnorm2d")) image(in, at);
                else if (in.length != 1) throw new SpecException(at + ": expects [D] features, got " + Arrays.toString(in));
                double eps = number(l, "eps", 1e-5, at), momentum = number(l, "momentum", 0.1, at);
                w.param(where, "weight", in[0]);
                w.param(where, "bias", in[0]);
                w.buffer(where, "running_mean", in[0]);
                w.buffer(where, "running_var", in[0]);
                return build ? new BatchNorm(in[0], eps, momentum) : null;
            }
            case "normalize" -> {
                unknownKeys(l, at, Set.of("type", "mean", "std"));
                double[] mean = doubleArray(l, "mean", at), std = doubleArray(l, "std", at);
                if (mean.length != in[0]) throw new SpecException(at + ": " + mean.length + " means for " + in[0] + " channels");
                try {
                    Normalize n = new Normalize(mean, std);  // checks std and the lengths
                    return build ? n : null;
                } catch (IllegalArgumentException e) {
                    throw new SpecException(at + ": " + e.getMessage());
                }
            }
            case "residual" -> {
                unknownKeys(l, at, Set.of("type", "body", "shortcut"));
                JsonNode body = l.get("body");
                JsonNode sc = l.get("shortcut");
                if (body == null || !body.isArray()) throw new SpecException(at + ": \"body\" must be an array of layers");
                if (sc != null && !sc.isArray()) throw new SpecException(at + ": \"shortcut\" must be an array of layers");
                int[][] bodyShape = {in.clone()};
                int[][] scShape = {in.clone()};
                Sequential b = buildList((ArrayNode) body, where + ".body", bodyShape, gen, w);
                Sequential s = sc == null ? (build ? new Sequential() : null) : buildList((ArrayNode) sc, where + ".shortcut", scShape, gen, w);
                if (!Arrays.equals(bodyShape[0], scShape[0]))
                    throw new SpecException(at + ": body output " + Arrays.toString(bodyShape[0]) + " differs from shortcut output " + Arrays.toString(scShape[0]));
                shape[0] = bodyShape[0];
                return build ? new Residual(b, s) : null;
            }
            default -> throw new IllegalStateException(type);
        }
    }

    private static void image(int[] in, String at) {
        if (in.length != 3) throw new SpecException(at + ": expects an image [C, H, W], got " + Arrays.toString(in));
    }

    private static void unknownKeys(JsonNode node, String at, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) throw new SpecException(at + ": unknown field \"" + k + "\"; allowed: " + new java.util.TreeSet<>(allowed));
        }
    }

    private static int positive(JsonNode l, String key, String at) {
        JsonNode v = l.get(key);
        if (v == null) throw new SpecException(at + ": missing \"" + key + "\"");
        if (!isInt(v) || v.asInt() < 1) throw new SpecException(at + ": \"" + key + "\" must be a positive integer (at most " + Integer.MAX_VALUE + "), got " + v);
        return v.asInt();
    }

    private static boolean bool(JsonNode l, String key, boolean dflt, String at) {
        JsonNode v = l.get(key);
        if (v == null) return dflt;
        if (!v.isBoolean()) throw new SpecException(at + ": \"" + key + "\" must be true or false, got " + v);
        return v.asBoolean();
    }

    private static double number(JsonNode l, String key, double dflt, String at) {
        JsonNode v = l.get(key);
        if (v == null) return dflt;
        if (!v.isNumber()) throw new SpecException(at + ": \"" + key + "\" must be a number, got " + v);
        return v.asDouble();
    }

    /** An int or [a, b] pair (kernel, stride, padding, dilation); null default means required. */
    private static int[] pair(JsonNode l, String key, int[] dflt, String at) {
        JsonNode v = l.get(key);
        if (v == null) {
            if (dflt == null) throw new SpecException(at + ": missing \"" + key + "\"");
            return dflt.clone();
        }
        int[] r;
        if (isInt(v)) r = new int[] {v.asInt(), v.asInt()};
        else if (v.isArray() && v.size() == 2 && isInt(v.get(0)) && isInt(v.get(1))) r = new int[] {v.get(0).asInt(), v.get(1).asInt()};
        else throw new SpecException(at + ": \"" + key + "\" must be an integer (at most " + Integer.MAX_VALUE + ") or [a, b], got " + v);
        int min = key.equals("padding") ? 0 : 1;
        if (r[0] < min || r[1] < min) throw new SpecException(at + ": \"" + key + "\" must be >= " + min + ", got " + v);
        return r;
    }

    /** An integral JSON number that fits an int (a larger one is an error, never truncated). */
    private static boolean isInt(JsonNode v) {
        return v != null && v.isIntegralNumber() && v.canConvertToInt();
    }

    private static int[] intArray(JsonNode node, String key, String at) {
        JsonNode v = node.get(key);
        if (v == null || !v.isArray()) throw new SpecException(at + ": \"" + key + "\" must be an array of integers");
        int[] r = new int[v.size()];
        for (int i = 0; i < r.length; i++) {
            if (!isInt(v.get(i)))
                throw new SpecException(at + ": \"" + key + "\" must be an array of integers (each at most " + Integer.MAX_VALUE + "), got " + v);
            r[i] = v.get(i).asInt();
        }
        return r;
    }

    private static double[] doubleArray(JsonNode node, String key, String at) {
        JsonNode v = node.get(key);
        if (v == null || !v.isArray() || v.isEmpty()) throw new SpecException(at + ": \"" + key + "\" must be a non-empty array of numbers");
        double[] r = new double[v.size()];
        for (int i = 0; i < r.length; i++) {
            if (!v.get(i).isNumber()) throw new SpecException(at + ": \"" + key + "\" must be an array of numbers, got " + v);
            r[i] = v.get(i).asDouble();
        }
        return r;
    }

    /** A new empty spec object for builders. */
    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
