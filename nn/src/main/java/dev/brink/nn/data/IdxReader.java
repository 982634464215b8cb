package dev.brink.nn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic number
 * {@code 0x000008NN}, where {@code 08} means unsigned bytes and {@code NN} is the dimension count, then one 32-bit
 * size per dimension) followed by the uint8 data, row-major. Image files have magic {@code 0x00000803}
 * ({@code [N, H, W]}), label files {@code 0x00000801} ({@code [N]}).
 *
 * <p>Files may be plain or gzipped; gzip is recognised by its magic bytes {@code 1f 8b}, not by the file name.
 * Every failure is an {@link IOException} whose message names the file and the problem.
 */
public final class IdxReader {
    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    /** The MNIST class names: the digits "0" to "9". */
    public static final List<String> MNIST_CLASSES =
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** The Fashion-MNIST class names, label 0 to 9. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private IdxReader() {}

    /** The content of one IDX file of unsigned bytes. */
    public record IdxFile(int[] dims, byte[] data) {}

    /**
     * Reads an image file and a label file into a data set of sample shape {@code [1, H, W]}.
     *
     * @param classes the class names; every label must lie in {@code [0, classes.size())}. If null, the classes
     *                are {@code "0"..String.valueOf(maxLabel)}.
     * @throws IOException naming the file: unreadable, wrong magic number, wrong dimension count, header sizes that
     *                     disagree with the file length, a label count different from the image count, a label
     *                     out of range
     */
    public static Dataset read(Path images, Path labels, String name, List<String> classes) throws IOException {
        IdxFile img = read(images, 3);
        if (img.dims()[1] < 1 || img.dims()[2] < 1)
            throw new IOException(images + ": header declares images of " + img.dims()[1] + "x" + img.dims()[2]
                    + " pixels; height and width must be positive");
        IdxFile lab = read(labels, 1);
        int n = img.dims()[0];
        if (lab.dims()[0] != n)
            throw new IOException(labels + ": label count " + lab.dims()[0] + " differs from the image count " + n
                    + " of " + images);
        int[] y = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            y[i] = lab.data()[i] & 0xFF;
            max = Math.max(max, y[i]);
        }
        if (classes == null) {
            List<String> names = new ArrayList<>();
            for (int k = 0; k <= max; k++) names.add(Integer.toString(k));
            classes = names;
        }
        for (int i = 0; i < n; i++) {
            if (y[i] >= classes.size())
                throw new IOException(labels + ": label " + y[i] + " at index " + i + " is out of range for "
                        + classes.size() + " classes");
        }
        try {
            return new Dataset(name, img.data(), new int[] {1, img.dims()[1], img.dims()[2]}, y, classes);
        } catch (IllegalArgumentException e) {
            throw new IOException(images + ": " + e.getMessage(), e); // e.g. no images, and H x W beyond an int
        }
    }

    /**
     * Reads one IDX file of unsigned bytes with {@code expectedDims} dimensions (plain or gzipped).
     *
     * @throws IOException naming the file: wrong magic number, wrong dimension count, data length different from
     *                     what the header declares
     */
    public static IdxFile read(Path file, int expectedDims) throws IOException {
        try (InputStream in = open(file)) {
            DataInputStream din = new DataInputStream(in);
            int magic;
            try {
                magic = din.readInt();
            } catch (EOFException e) {
                throw new IOException(file + ": file too short for an IDX header (size mismatch: under 4 bytes)");
            }
            if ((magic >>> 8) != 0x000008)
                throw new IOException(file + ": wrong magic number 0x" + String.format("%08x", magic)
                        + ", expected 0x" + String.format("%08x", 0x800 | expectedDims)
                        + " (IDX unsigned bytes, " + expectedDims + " dimension" + (expectedDims == 1 ? "" : "s")
                        + ")");
            int ndims = magic & 0xFF;
            if (ndims != expectedDims)
                throw new IOException(file + ": wrong dimension count " + ndims + " (magic 0x"
                        + String.format("%08x", magic) + "), expected " + expectedDims
                        + (expectedDims == 3 ? " for images [N, H, W]" : expectedDims == 1 ? " for labels [N]" : ""));
            int[] dims = new int[ndims];
            for (int d = 0; d < ndims; d++) {
                try {
                    dims[d] = din.readInt();
                } catch (EOFException e) {
                    throw new IOException(file + ": size mismatch: the file ends inside the IDX header (dimension "
                            + d + " of " + ndims + ")");
                }
                if (dims[d] < 0)
                    throw new IOException(file + ": header declares a negative size " + dims[d] + " for dimension " + d);
            }
            java.math.BigInteger product = java.math.BigInteger.ONE;
            for (int v : dims) product = product.multiply(java.math.BigInteger.valueOf(v));
            if (product.compareTo(java.math.BigInteger.valueOf(Integer.MAX_VALUE - 8)) > 0)
                throw new IOException(file + ": header declares " + describe(dims) + " = " + product
                        + " bytes, too large to load");
            long total = product.longValue();
            byte[] data = din.readNBytes((int) total);
            if (data.length < total)
                throw new IOException(file + ": size mismatch: header declares " + describe(dims) + " = " + total
                        + " data bytes but the file holds only " + data.length);
            long extra = 0;
            byte[] skip = new byte[8192];
            for (int r; (r = din.read(skip)) > 0; ) extra += r;
            if (extra > 0)
                throw new IOException(file + ": size mismatch: header declares " + describe(dims) + " = " + total
                        + " data bytes but the file holds " + (total + extra));
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    /** Opens a file, transparently decompressing it if it starts with the gzip magic bytes {@code 1f 8b}. */
    static InputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null,
                Files.exists(file) ? "not a regular file" : "file not found");
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            return raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static String describe(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < dims.length; d++) sb.append(d == 0 ? "" : "x").append(dims[d]);
        return sb.toString();
    }
}
