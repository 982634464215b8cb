package dev.brink.nn.data;

import dev.brink.engine.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory labelled image data set, stored compactly: {@code N} samples of uint8 pixels (values 0..255) in one
 * {@code byte[]}, each sample in CHW order (channel planes, each row-major), plus one int label per sample.
 *
 * <p>The sample shape is {@code [C, H, W]}: {@code [1, 28, 28]} for MNIST and Fashion-MNIST, {@code [3, 32, 32]}
 * (R, G, B planes) for CIFAR-10. Labels lie in {@code [0, numClasses())}; label {@code k} is named
 * {@code classes().get(k)}.
 *
 * <p>Pixels become tensors only per batch ({@link #batch}, {@link #x}, {@link DataLoader}): float32 values
 * {@code byte / 255f} in [0, 1], so a 50,000-image CIFAR-10 set takes 150 MiB rather than 600.
 *
 * <p>Instances are immutable (nothing hands out the internal arrays), so they may be shared between threads.
 * Derived data sets ({@link #subset}, {@link #split}, {@link #filterClasses}) copy the selected samples.
 */
public final class Dataset {
    private static final float[] TO_FLOAT = new float[256];

    static {
        for (int i = 0; i < 256; i++) TO_FLOAT[i] = i / 255f;
    }

    private final String name;
    private final byte[] pixels;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int[] labels;
    private final List<String> classes;

    /** Wraps the arrays without copying them (readers in this package hand over freshly read arrays). */
    Dataset(String name, byte[] pixels, int[] sampleShape, int[] labels, List<String> classes) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(classes, "classes");
        if (sampleShape == null || sampleShape.length != 3)
            throw new IllegalArgumentException("Dataset " + name + ": sample shape must be [C, H, W], got "
                    + Arrays.toString(sampleShape));
        long size = 1;
        for (int d : sampleShape) {
            if (d <= 0) throw new IllegalArgumentException("Dataset " + name + ": sample shape "
                    + Arrays.toString(sampleShape) + " has a non-positive dimension");
            size *= d;
        }
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("Dataset " + name + ": sample shape "
                + Arrays.toString(sampleShape) + " is too large");
        if (classes.isEmpty()) throw new IllegalArgumentException("Dataset " + name + ": no classes");
        if ((long) labels.length * size != pixels.length)
            throw new IllegalArgumentException("Dataset " + name + ": " + labels.length + " labels need "
                    + (long) labels.length * size + " pixel bytes of shape " + Arrays.toString(sampleShape)
                    + ", got " + pixels.length);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size())
                throw new IllegalArgumentException("Dataset " + name + ": label " + labels[i] + " of sample " + i
                        + " is out of range for " + classes.size() + " classes");
        }
        this.pixels = pixels;
        this.sampleShape = sampleShape.clone();
        this.sampleSize = (int) size;
        this.labels = labels;
        this.classes = List.copyOf(classes);
    }

    /**
     * A data set with copies of the given arrays.
     *
     * @param name        a display name, e.g. {@code "mnist-train"}
     * @param pixels      {@code labels.length * C * H * W} uint8 pixels (read as unsigned, 0..255), sample after
     *                    sample, each in CHW order
     * @param sampleShape {@code [C, H, W]}
     * @param labels      one label per sample, each in {@code [0, classes.size())}
     * @param classes     the class names, label {@code k} being {@code classes.get(k)}
     * @throws IllegalArgumentException if the sizes disagree or a label is out of range
     */
    public static Dataset of(String name, byte[] pixels, int[] sampleShape, int[] labels, List<String> classes) {
        return new Dataset(name, pixels.clone(), sampleShape, labels.clone(), classes);
    }

    /** The display name, e.g. {@code "mnist-train"} or {@code "cifar10-test"}. */
    public String name() {
        return name;
    }

    /** The same samples under another name (shares the storage). */
    public Dataset withName(String newName) {
        return new Dataset(newName, pixels, sampleShape, labels, classes);
    }

    /** The number of samples {@code N}. */
    public int size() {
        return labels.length;
    }

    /** The shape of one sample, {@code [C, H, W]} (a copy). */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** {@code C * H * W}: the number of pixel bytes per sample. */
    public int sampleSize() {
        return sampleSize;
    }

    /** The channel count {@code C}: 1 (grayscale) or 3 (RGB). */
    public int channels() {
        return sampleShape[0];
    }

    public int height() {
        return sampleShape[1];
    }

    public int width() {
        return sampleShape[2];
    }

    /** The class names, label {@code k} being {@code classes().get(k)} (unmodifiable). */
    public List<String> classes() {
        return classes;
    }

    /** The number of classes: labels lie in {@code [0, numClasses())}. */
    public int numClasses() {
        return classes.size();
    }

    /** The label of sample {@code i}, in {@code [0, numClasses())}. */
    public int label(int i) {
        Objects.checkIndex(i, labels.length);
        return labels[i];
    }

    /** All labels, one per sample (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** The number of samples of each class: element {@code k} counts label {@code k}. */
    public int[] classCounts() {
        int[] counts = new int[classes.size()];
        for (int l : labels) counts[l]++;
        return counts;
    }

    /** The uint8 pixels of sample {@code i} in CHW order (a copy of {@link #sampleSize()} bytes; unsigned). */
    public byte[] sampleBytes(int i) {
        Objects.checkIndex(i, labels.length);
        return Arrays.copyOfRange(pixels, i * sampleSize, (i + 1) * sampleSize);
    }

    /** Copies sample {@code i}'s pixel bytes into {@code dst} at {@code offset}. */
    void copySample(int i, byte[] dst, int offset) {
        System.arraycopy(pixels, i * sampleSize, dst, offset, sampleSize);
    }

    /**
     * The samples at {@code indices}, in that order (an index may repeat), as a new data set with the same name,
     * shape and classes.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code [0, size())}
     */
    public Dataset subset(int[] indices) {
        checkIndices(indices);
        byte[] px = new byte[Math.multiplyExact(indices.length, sampleSize)];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            copySample(indices[k], px, k * sampleSize);
            lb[k] = labels[indices[k]];
        }
        return new Dataset(name, px, sampleShape, lb, classes);
    }

    /** A train/validation pair from {@link #split}. */
    public record Split(Dataset train, Dataset validation) {}

    /**
     * Holds out {@code validationCount} samples chosen at random, reproducibly from {@code seed}: the first
     * {@code validationCount} positions of the seeded permutation of {@code 0..size()-1} (the same Fisher–Yates
     * shuffle that {@link DataLoader} uses) form the validation set, the rest the training set. Each part keeps the
     * original order of its samples. The parts are named {@code name() + "-train"} / {@code name() + "-val"}.
     *
     * @throws IllegalArgumentException if {@code validationCount} is outside {@code [0, size()]}
     */
    public Split split(int validationCount, long seed) {
        if (validationCount < 0 || validationCount > size())
            throw new IllegalArgumentException("split: validationCount " + validationCount + " is outside [0, "
                    + size() + "] for " + name);
        int[] perm = Shuffle.permutation(size(), seed);
        int[] val = Arrays.copyOfRange(perm, 0, validationCount);
        int[] train = Arrays.copyOfRange(perm, validationCount, perm.length);
        Arrays.sort(val);
        Arrays.sort(train);
        String base = name.endsWith("-train") ? name.substring(0, name.length() - "-train".length()) : name;
        return new Split(subset(train).withName(base + "-train"), subset(val).withName(base + "-val"));
    }

    /**
     * Keeps the samples whose label is one of {@code keep} and relabels them {@code 0..k-1} in the order given:
     * a sample of class {@code keep[j]} gets label {@code j}, and the class names become
     * {@code [classes().get(keep[0]), ..., classes().get(keep[k-1])]}. Samples keep their relative order.
     *
     * <p>Example: the MNIST 3-vs-7 binary task ({@code mnist-3v7} in {@link Datasets}) is
     * {@code mnist.filterClasses(3, 7)}: digit 3 becomes label 0 and digit 7 becomes label 1.
     *
     * @throws IllegalArgumentException if {@code keep} is empty, repeats a class or names one outside
     *                                  {@code [0, numClasses())}
     */
    public Dataset filterClasses(int... keep) {
        if (keep.length == 0) throw new IllegalArgumentException("filterClasses: no classes to keep");
        int[] newLabel = new int[classes.size()];
        Arrays.fill(newLabel, -1);
        List<String> names = new ArrayList<>();
        for (int j = 0; j < keep.length; j++) {
            int c = keep[j];
            if (c < 0 || c >= classes.size())
                throw new IllegalArgumentException("filterClasses: class " + c + " is outside [0, " + classes.size()
                        + ") for " + name);
            if (newLabel[c] >= 0) throw new IllegalArgumentException("filterClasses: class " + c + " given twice");
            newLabel[c] = j;
            names.add(classes.get(c));
        }
        int count = 0;
        for (int l : labels) if (newLabel[l] >= 0) count++;
        byte[] px = new byte[Math.multiplyExact(count, sampleSize)];
        int[] lb = new int[count];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            int nl = newLabel[labels[i]];
            if (nl < 0) continue;
            copySample(i, px, k * sampleSize);
            lb[k++] = nl;
        }
        return new Dataset(name, px, sampleShape, lb, names);
    }

    /**
     * The samples at {@code indices} as tensors.
     *
     * @return {@code x}: float32 {@code [B, C, H, W]} with values {@code byte / 255f} in [0, 1]; {@code y}: int32
     *         {@code [B]}; {@code B = indices.length}
     */
    public Batch batch(int[] indices) {
        checkIndices(indices);
        int[] idx = indices.clone();
        float[] x = new float[Math.multiplyExact(idx.length, sampleSize)];
        int[] y = new int[idx.length];
        fill(idx, x, y);
        return toBatch(idx, x, y);
    }

    /** The samples {@code from..to-1} as a batch (see {@link #batch(int[])}). */
    public Batch batch(int from, int to) {
        return batch(range(from, to));
    }

    /** The images of samples {@code from..to-1}: float32 {@code [to-from, C, H, W]}, values in [0, 1]. */
    public Tensor x(int from, int to) {
        int[] idx = range(from, to);
        float[] x = new float[Math.multiplyExact(idx.length, sampleSize)];
        fill(idx, x, null);
        return Tensor.of(x, idx.length, sampleShape[0], sampleShape[1], sampleShape[2]);
    }

    /** The labels of samples {@code from..to-1}: int32 {@code [to-from]}. */
    public Tensor y(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        return Tensor.ofInts(Arrays.copyOfRange(labels, from, to), to - from);
    }

    /** Converts the samples at {@code idx} to floats in [0, 1] into {@code x}, and their labels into {@code y}. */
    void fill(int[] idx, float[] x, int[] y) {
        for (int k = 0; k < idx.length; k++) {
            int src = idx[k] * sampleSize;
            int dst = k * sampleSize;
            for (int p = 0; p < sampleSize; p++) x[dst + p] = TO_FLOAT[pixels[src + p] & 0xFF];
            if (y != null) y[k] = labels[idx[k]];
        }
    }

    Batch toBatch(int[] idx, float[] x, int[] y) {
        return new Batch(Tensor.of(x, idx.length, sampleShape[0], sampleShape[1], sampleShape[2]),
                Tensor.ofInts(y, idx.length), idx);
    }

    /** The internal pixel array (not a copy), for writers in this package. */
    byte[] pixelArray() {
        return pixels;
    }

    /** The internal label array (not a copy), for writers in this package. */
    int[] labelArray() {
        return labels;
    }

    private int[] range(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        int[] idx = new int[to - from];
        for (int k = 0; k < idx.length; k++) idx[k] = from + k;
        return idx;
    }

    private void checkIndices(int[] indices) {
        for (int k = 0; k < indices.length; k++) {
            if (indices[k] < 0 || indices[k] >= labels.length)
                throw new IndexOutOfBoundsException(name + ": index " + indices[k] + " (position " + k
                        + ") is outside [0, " + labels.length + ")");
        }
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + size() + " x " + Arrays.toString(sampleShape) + ", " + classes.size()
                + " classes]";
    }
}
