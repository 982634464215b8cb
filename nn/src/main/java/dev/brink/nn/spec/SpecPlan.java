package dev.brink.nn.spec;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a spec's model holds, worked out from the spec alone ({@link ModelSpec#plan}): the input and output shapes and
 * every parameter and buffer by name and shape, in {@code stateDict()} order, without allocating any weight. It is
 * how a model file is checked against its own architecture before anything is read or built: a spec declaring a
 * 784 x 1,000,000 layer costs nothing until the weights it needs have been found in the file.
 *
 * @param inputShape  the shape of one input sample
 * @param outputShape the shape of one output
 * @param state       every tensor of the model (float32) by name, parameters and buffers, in state-dict order;
 *                    unmodifiable
 * @param buffers     the names in {@code state} that are buffers (batch-norm running statistics); unmodifiable
 */
public record SpecPlan(int[] inputShape, int[] outputShape, Map<String, int[]> state, Set<String> buffers) {
    public SpecPlan {
        inputShape = inputShape.clone();
        outputShape = outputShape.clone();
        state = Collections.unmodifiableMap(new LinkedHashMap<>(state));
        buffers = Set.copyOf(buffers);
    }

    /** The shape of one input sample (a copy). */
    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The shape of one output (a copy). */
    @Override
    public int[] outputShape() {
        return outputShape.clone();
    }

    /** The number of parameter elements (buffers not counted), as {@code Module.parameterCount()} gives it. */
    public long parameterCount() {
        long n = 0;
        for (Map.Entry<String, int[]> e : state.entrySet()) if (!buffers.contains(e.getKey())) n += numel(e.getValue());
        return n;
    }

    /** The bytes the model's tensors take as float32, buffers included. */
    public long stateBytes() {
        long n = 0;
        for (int[] s : state.values()) n += numel(s);
        return n * DType.FLOAT32.bytes();
    }

    /**
     * Stand-ins for the model's tensors: for each name a float32 tensor of the planned shape that is a zero-stride
     * view of a single zero, so a plan of gigabytes allocates a few bytes per tensor. Their only use is to be
     * compared, by name, shape and dtype, with what a file holds ({@code StateDicts.check}); their values are not
     * the model's.
     */
    public Map<String, Tensor> standIns() {
        return standIns(DType.FLOAT32);
    }

    /** {@link #standIns()} of a model converted to {@code dtype} (a float64 model, say). */
    public Map<String, Tensor> standIns(DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((name, shape) -> out.put(name, standIn(dtype, shape)));
        return out;
    }

    /** A tensor of {@code shape} and {@code dtype} that stores one element: a zero-stride view of a fresh zero. */
    public static Tensor standIn(DType dtype, int[] shape) {
        return Tensor.zeros(dtype).expand(shape);
    }

    /**
     * Throws when the model's tensors cannot fit the Java heap at all ({@link Runtime#maxMemory()}), naming the
     * parameter count and the sizes, so that an absurd spec fails with a message instead of an OutOfMemoryError.
     *
     * @throws SpecException when {@link #stateBytes()} exceeds the heap's limit
     */
    public void checkFitsHeap() {
        long limit = Runtime.getRuntime().maxMemory();
        if (limit != Long.MAX_VALUE && stateBytes() > limit)
            throw new SpecException(String.format(Locale.ROOT, "the model declares %,d parameters (%s as float32), more than the Java heap can hold"
                    + " (at most %s; raise it with -Xmx, e.g. BRINK_JAVA_OPTS=-Xmx16g)", parameterCount(), gib(stateBytes()), gib(limit)));
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
