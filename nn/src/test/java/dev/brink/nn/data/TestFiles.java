package dev.brink.nn.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Writers of small files in each supported format, for the data tests. */
final class TestFiles {
    private TestFiles() {}

    /** An IDX file: the given magic, dims and data (possibly not matching each other, for the bad-input tests). */
    static Path idx(Path file, int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) out.writeInt(d);
        out.write(data);
        out.flush();
        return write(file, bytes.toByteArray(), gzip);
    }

    static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(os) : os) {
            out.write(content);
        }
        return file;
    }

    /** {@code n} images of {@code h x w}: pixel {@code p} of image {@code i} is {@code (7 i + 3 p) mod 256}. */
    static byte[] pattern(int n, int h, int w) {
        byte[] px = new byte[n * h * w];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < h * w; p++) px[i * h * w + p] = (byte) ((7 * i + 3 * p) % 256);
        return px;
    }

    static byte[] labelBytes(int... labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) b[i] = (byte) labels[i];
        return b;
    }

    /** An MNIST-style pair {@code <prefix>-images-idx3-ubyte[.gz]}, {@code <prefix>-labels-idx1-ubyte[.gz]}. */
    static Path[] idxPair(Path dir, String prefix, int h, int w, int[] labels, boolean gzip) throws IOException {
        String suffix = gzip ? ".gz" : "";
        Path img = idx(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), IdxReader.IMAGES_MAGIC,
                new int[] {labels.length, h, w}, pattern(labels.length, h, w), gzip);
        Path lab = idx(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), IdxReader.LABELS_MAGIC,
                new int[] {labels.length}, labelBytes(labels), gzip);
        return new Path[] {img, lab};
    }

    /** CIFAR record pixel bytes: pixel {@code p} (of 3072) of record {@code r} is {@code (r * 31 + p) mod 256} + base. */
    static byte[] cifarPixels(int record, int base) {
        byte[] px = new byte[Cifar10BinaryReader.PIXELS];
        for (int p = 0; p < px.length; p++) px[p] = (byte) (base + record * 31 + p);
        return px;
    }

    /** A CIFAR-10 binary file of records with the given labels, pixels from {@link #cifarPixels}(r, base). */
    static Path cifarBatch(Path file, int base, int... labels) throws IOException {
        byte[] content = new byte[labels.length * Cifar10BinaryReader.RECORD];
        for (int r = 0; r < labels.length; r++) {
            content[r * Cifar10BinaryReader.RECORD] = (byte) labels[r];
            System.arraycopy(cifarPixels(r, base), 0, content, r * Cifar10BinaryReader.RECORD + 1,
                    Cifar10BinaryReader.PIXELS);
        }
        return write(file, content, false);
    }

    /** A solid-colour RGB image file, {@code format} "png" or "jpg". */
    static Path solid(Path file, int w, int h, int rgb, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        return image(file, img, format);
    }

    static Path image(Path file, BufferedImage img, String format) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(img, format, file.toFile())) throw new IOException("no writer for " + format);
        return file;
    }

    /** A PNG whose pixel (x, y) is RGB {@code (x + 10 y, 100 + x, 200 - y)}. */
    static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, ((x + 10 * y) << 16) | ((100 + x) << 8) | (200 - y));
        return img;
    }

    /** A grayscale image whose pixel (x, y) is {@code 16 x + y}. */
    static BufferedImage grayGradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, 16 * x + y);
        return img;
    }

    static List<String> cifarClasses() {
        return Cifar10BinaryReader.CLASSES;
    }
}
