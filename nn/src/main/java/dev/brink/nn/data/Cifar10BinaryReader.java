package dev.brink.nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads (and writes) the official CIFAR-10 binary release, {@code cifar-10-batches-bin/}: each file is a sequence
 * of 3073-byte records, one label byte (0..9) followed by 3072 pixel bytes: the 32x32 red plane, then green, then
 * blue, each row-major. That is already the CHW layout of a {@link Dataset} sample of shape {@code [3, 32, 32]}.
 *
 * <p>The training set is {@code data_batch_1.bin} .. {@code data_batch_5.bin} (10,000 records each, in that order),
 * the test set {@code test_batch.bin}. Class names come from {@code batches.meta.txt} (one per line) when the
 * directory has it, else {@link #CLASSES}.
 */
public final class Cifar10BinaryReader {
    /** Pixel bytes per record: 3 planes of 32x32. */
    public static final int PIXELS = 3 * 32 * 32;
    /** Bytes per record: the label byte plus {@link #PIXELS}. */
    public static final int RECORD = 1 + PIXELS;
    /** The standard CIFAR-10 class names, label 0 to 9 (also their alphabetical order). */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    /** The training files, in order. */
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";
    /** The class-name file. */
    public static final String META_FILE = "batches.meta.txt";

    private Cifar10BinaryReader() {}

    /**
     * Reads the training ({@code data_batch_1..5.bin}) or test ({@code test_batch.bin}) split from a
     * {@code cifar-10-batches-bin} directory. The data set is named {@code cifar10-train} or {@code cifar10-test}.
     *
     * @throws IOException naming the file: missing, a length that is not a whole number of records, a label out of
     *                     range for the class count
     */
    public static Dataset read(Path dir, boolean train) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String f : train ? TRAIN_FILES : List.of(TEST_FILE)) files.add(dir.resolve(f));
        return read(files, classNames(dir), train ? "cifar10-train" : "cifar10-test");
    }

    /**
     * Reads and concatenates CIFAR-10 binary files, in order.
     *
     * @param classes the class names; labels must lie in {@code [0, classes.size())}
     */
    public static Dataset read(List<Path> files, List<String> classes, String name) throws IOException {
        long total = 0;
        for (Path f : files) {
            if (!Files.isRegularFile(f))
                throw new NoSuchFileException(f.toString(), null, "CIFAR-10 binary batch file not found");
            long len = Files.size(f);
            if (len % RECORD != 0)
                throw new IOException(f + ": size mismatch: file length " + len + " is not a whole number of "
                        + RECORD + "-byte records (1 label byte + " + PIXELS + " pixel bytes); "
                        + (len / RECORD) + " records and " + (len % RECORD) + " bytes left over");
            total += len / RECORD;
        }
        if (total * PIXELS > Integer.MAX_VALUE - 8)
            throw new IOException(files + ": " + total + " records are too many to load");
        int n = (int) total;
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        byte[] buf = new byte[RECORD * 256];
        int k = 0;
        for (Path f : files) {
            int inFile = 0;
            try (InputStream in = Files.newInputStream(f)) {
                while (true) {
                    int got = in.readNBytes(buf, 0, buf.length);
                    if (got == 0) break;
                    if (got % RECORD != 0 || k + got / RECORD > n)
                        throw new IOException(f + ": size mismatch: the file changed while it was read");
                    for (int r = 0; r < got / RECORD; r++, k++, inFile++) {
                        int label = buf[r * RECORD] & 0xFF;
                        if (label >= classes.size())
                            throw new IOException(f + ": label " + label + " of record " + inFile
                                    + " is out of range for " + classes.size() + " classes");
                        labels[k] = label;
                        System.arraycopy(buf, r * RECORD + 1, pixels, k * PIXELS, PIXELS);
                    }
                }
            }
        }
        if (k != n) throw new IOException(files + ": size mismatch: the files changed while they were read");
        return new Dataset(name, pixels, new int[] {3, 32, 32}, labels, classes);
    }

    /**
     * The class names from {@code dir/batches.meta.txt} (non-blank lines, trimmed) if that file exists, else
     * {@link #CLASSES}.
     */
    public static List<String> classNames(Path dir) throws IOException {
        Path meta = dir.resolve(META_FILE);
        if (!Files.isRegularFile(meta)) return CLASSES;
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) names.add(line.trim());
        }
        if (names.isEmpty()) throw new IOException(meta + ": no class names (the file is empty)");
        if (names.size() > 256) throw new IOException(meta + ": " + names.size() + " class names, a label byte holds at most 256");
        return List.copyOf(names);
    }

    /**
     * Writes a {@code [3, 32, 32]} data set in the binary format (the record order is the data set's), atomically:
     * to a temporary file in the same directory, then renamed over {@code file}, so a reader never sees a partial
     * file. Used for the decoded-JPEG cache of {@link Datasets}.
     */
    public static void write(Dataset data, Path file) throws IOException {
        if (!Arrays.equals(data.sampleShape(), new int[] {3, 32, 32}))
            throw new IllegalArgumentException("Cifar10BinaryReader.write: sample shape "
                    + Arrays.toString(data.sampleShape()) + " is not [3, 32, 32]");
        if (data.numClasses() > 256)
            throw new IllegalArgumentException("Cifar10BinaryReader.write: " + data.numClasses() + " classes do not fit a byte");
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString() + ".", ".part");
        try {
            byte[] px = data.pixelArray();
            int[] lb = data.labelArray();
            byte[] buf = new byte[RECORD * 256];
            try (OutputStream out = Files.newOutputStream(tmp)) {
                int fill = 0;
                for (int i = 0; i < lb.length; i++) {
                    buf[fill] = (byte) lb[i];
                    System.arraycopy(px, i * PIXELS, buf, fill + 1, PIXELS);
                    fill += RECORD;
                    if (fill == buf.length) {
                        out.write(buf, 0, fill);
                        fill = 0;
                    }
                }
                out.write(buf, 0, fill);
            }
            try { // createTempFile makes the file owner-only; give it the usual rw-r--r--
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException | IOException e) {
                // not a POSIX file system: keep the default
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
