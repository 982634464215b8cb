package dev.brink.cluster;

import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The evaluated points as shipped to executors (one Spark broadcast): inputs as float32 in [0, 1], row-major
 * {@code [N, sampleShape...]}, int labels {@code [N]}, and each point's index in the data set (so per-sample rows
 * name the data-set sample, whatever subset was evaluated).
 */
public record Points(String name, float[] x, int[] sampleShape, int[] labels, int[] indices) implements Serializable {
    public Points {
        int features = 1;
        for (int s : sampleShape) features *= s;
        if (labels.length != indices.length || (long) labels.length * features != x.length)
            throw new IllegalArgumentException("points " + name + ": " + x.length + " values, " + labels.length + " labels and " + indices.length
                    + " indices do not fit the sample shape " + Arrays.toString(sampleShape));
    }

    /** All samples of a data set (slice it first with {@code Samples.subset}); indices 0..N-1 of that set. */
    public static Points of(Dataset d) {
        int n = d.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return new Points(d.name(), d.x(0, n).toFloatArray(), d.sampleShape().clone(), d.y(0, n).toIntArray(), idx);
    }

    /** Number of points. */
    public int size() {
        return labels.length;
    }

    /** Values per point. */
    public int features() {
        int f = 1;
        for (int s : sampleShape) f *= s;
        return f;
    }

    /** Inputs of positions {@code [from, to)} as a float32 tensor {@code [to - from, sampleShape...]}. */
    public Tensor x(int from, int to) {
        int f = features();
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = to - from;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Tensor.of(Arrays.copyOfRange(x, from * f, to * f), shape);
    }

    /** Labels of positions {@code [from, to)} as an int32 tensor. */
    public Tensor y(int from, int to) {
        return Tensor.ofInts(Arrays.copyOfRange(labels, from, to), to - from);
    }

    /** A fingerprint of the points (their name, count, shape and a hash of values and labels). */
    public String key() {
        return name + "/" + size() + "/" + Arrays.toString(sampleShape) + "/" + Integer.toHexString(Arrays.hashCode(x)) + Integer.toHexString(Arrays.hashCode(labels))
                + Integer.toHexString(Arrays.hashCode(indices));
    }
}
