package dev.brink.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Loads the standard data sets by name from the directory {@code make data} fills ({@code scripts/fetch-data.sh}),
 * or any supported data set from a path.
 *
 * <h2>Layout of the data directory (default {@code data/})</h2>
 * <pre>
 * data/mnist/           train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
 * data/fashion-mnist/   the same four names with .gz (gzipped IDX)
 * data/cifar10/train/&lt;class&gt;/NNNN.jpg, data/cifar10/test/&lt;class&gt;/NNNN.jpg   (the JPEG image-folder tree), and/or
 * data/cifar10/cifar-10-batches-bin/   data_batch_1..5.bin  test_batch.bin  [batches.meta.txt]   (official binary release)
 * data/cifar10/cache/   train-v2.bin  test-v2.bin   (written by this class: the decoded JPEG tree in CIFAR binary format)
 * </pre>
 * IDX files are found with or without {@code .gz} (compression is detected from the content either way).
 *
 * <h2>Names</h2>
 * <ul>
 *   <li>{@code mnist}: 60,000 / 10,000 samples {@code [1, 28, 28]}, classes "0".."9", in the IDX files' order
 *       (the official order; the same holds for Fashion-MNIST).</li>
 *   <li>{@code fashion-mnist}: 60,000 / 10,000 samples {@code [1, 28, 28]}, classes T-shirt/top .. Ankle boot.</li>
 *   <li>{@code cifar10}: 50,000 / 10,000 samples {@code [3, 32, 32]}, classes airplane automobile bird cat deer dog
 *       frog horse ship truck (labels 0-9, which is also their alphabetical order, so the image-folder tree and the
 *       binary release agree). The order of lookup: a valid cache file, then {@code cifar-10-batches-bin/}, then the
 *       JPEG tree (decoded, then cached).
 *       Order: the binary release keeps the official order (data_batch_1..5, test_batch). The JPEG tree's file names
 *       are each image's rank within its class, so the official interleaving of classes is lost; its samples come
 *       with the classes interleaved (see {@link ImageFolderOrder}), so the first {@code N} hold every class.</li>
 *   <li>{@code mnist-3v7}: the MNIST samples of digits 3 and 7 only, relabelled <b>3 &rarr; 0 and 7 &rarr; 1</b>
 *       (classes "3", "7"); 12,396 training and 2,038 test samples.</li>
 * </ul>
 * Data sets are named {@code <name>-train} or {@code <name>-test}.
 *
 * <p>The cache: decoding the 60,000 CIFAR-10 JPEG files takes seconds; the first load writes the decoded set to
 * {@code cifar10/cache/train-v2.bin} or {@code test-v2.bin} (atomically: a temporary file, then a rename), and later loads
 * read it in a fraction of that time. A cache file is used only while its record count equals the number of images
 * in the tree; delete {@code data/cifar10/cache/} to force a rebuild. A cache that cannot be written (read-only
 * directory) is skipped silently.
 */
public final class Datasets {
    /** The names {@link #load(String, Path, boolean)} accepts. */
    public static final List<String> NAMES = List.of("mnist", "fashion-mnist", "cifar10", "mnist-3v7");

    private static final String[] IDX_TRAIN = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
    private static final String[] IDX_TEST = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    private static final String BIN_DIR = "cifar-10-batches-bin";
    private static final String CACHE_DIR = "cache";
    /**
     * The cache file of a split is {@code <split>-v2.bin}: version 2 holds the samples in {@link ImageFolderOrder}'s
     * order (classes interleaved); the {@code <split>.bin} of earlier versions (class by class) is ignored.
     */
    private static final String CACHE_SUFFIX = "-v2.bin";

    private Datasets() {}

    /**
     * The data directory: system property {@code brink.data}, else environment variable {@code BRINK_DATA}, else
     * {@code data} (relative to the working directory, i.e. the repository root for {@code make} and
     * {@code ./brink}).
     */
    public static Path defaultDataDir() {
        String dir = System.getProperty("brink.data");
        if (dir == null || dir.isBlank()) dir = System.getenv("BRINK_DATA");
        return Path.of(dir == null || dir.isBlank() ? "data" : dir.trim());
    }

    /** {@link #load(String, Path, boolean)} from {@link #defaultDataDir()}. */
    public static Dataset load(String name, boolean train) throws IOException {
        return load(name, defaultDataDir(), train);
    }

    /**
     * Loads the training or test split of a named data set (see the class comment for names and layout), using the
     * CIFAR-10 cache.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IOException              if the files are absent (the message says where it looked and to run
     *                                  {@code make data}) or malformed (the message names the file and the problem)
     */
    public static Dataset load(String name, Path dataDir, boolean train) throws IOException {
        return load(name, dataDir, train, true, null);
    }

    /**
     * {@link #load(String, Path, boolean)} with control over the CIFAR-10 cache and a progress callback for JPEG
     * decoding (called with the number of images decoded so far, possibly from another thread; not called when the
     * data need no decoding).
     */
    public static Dataset load(String name, Path dataDir, boolean train, boolean useCache, IntConsumer progress)
            throws IOException {
        String split = train ? "train" : "test";
        switch (name.toLowerCase(Locale.ROOT)) {
            case "mnist":
                return loadIdx(dataDir.resolve("mnist"), train, "mnist", IdxReader.MNIST_CLASSES);
            case "fashion-mnist":
            case "fashion_mnist":
            case "fashionmnist":
                return loadIdx(dataDir.resolve("fashion-mnist"), train, "fashion-mnist", IdxReader.FASHION_MNIST_CLASSES);
            case "mnist-3v7":
                return loadIdx(dataDir.resolve("mnist"), train, "mnist", IdxReader.MNIST_CLASSES)
                        .filterClasses(3, 7).withName("mnist-3v7-" + split);
            case "cifar10":
            case "cifar-10":
                return loadCifar(dataDir.resolve("cifar10"), train, useCache, progress);
            default:
                throw new IllegalArgumentException("unknown data set '" + name + "'; known: " + String.join(", ", NAMES)
                        + " (or give a path)");
        }
    }

    /** {@link #load(Path, boolean)} of the training split. */
    public static Dataset load(Path path) throws IOException {
        return load(path, true);
    }

    /**
     * Loads a data set from a path, recognising:
     * <ul>
     *   <li>an IDX images file ({@code ...images-idx3-ubyte[.gz]}): its labels file is the same name with
     *       {@code images} &rarr; {@code labels} and {@code idx3} &rarr; {@code idx1} ({@code train} is ignored);</li>
     *   <li>a directory holding an IDX pair named like MNIST ({@code train-*} / {@code t10k-*}, plain or .gz);</li>
     *   <li>a CIFAR-10 binary file ({@code *.bin}, {@code train} ignored) or a directory holding
     *       {@code data_batch_1.bin} / {@code test_batch.bin};</li>
     *   <li>a directory with {@code train/} and {@code test/} image-folder trees;</li>
     *   <li>an image-folder tree itself ({@code root/<class>/*.png|jpg|jpeg}; {@code train} ignored), grayscale if its
     *       first image is, else RGB.</li>
     * </ul>
     * Class names: MNIST's digits for IDX data (or {@code "0".."max label"} if there are more than ten labels),
     * {@code batches.meta.txt} or the standard ten for CIFAR binary data, the directory names for image folders.
     */
    public static Dataset load(Path path, boolean train) throws IOException {
        String split = train ? "train" : "test";
        String base = path.toAbsolutePath().normalize().getFileName() == null ? "data"
                : path.toAbsolutePath().normalize().getFileName().toString();
        if (Files.isRegularFile(path)) {
            String fn = path.getFileName().toString();
            if (fn.endsWith(".bin")) {
                Path parent = path.toAbsolutePath().getParent();
                return Cifar10BinaryReader.read(List.of(path), Cifar10BinaryReader.classNames(parent), fn);
            }
            if (fn.contains("images")) {
                Path labels = path.resolveSibling(fn.replace("images", "labels").replace("idx3", "idx1"));
                if (!Files.isRegularFile(labels))
                    throw new NoSuchFileException(labels.toString(), null, "labels file for " + path + " not found");
                return readIdxAutoClasses(path, labels, fn.replace(".gz", ""));
            }
            throw new IOException(path + ": not a recognised data file (expected an IDX images file "
                    + "'*images-idx3-ubyte[.gz]' or a CIFAR-10 binary '*.bin')");
        }
        if (!Files.isDirectory(path)) throw new NoSuchFileException(path.toString(), null, "no such file or directory");
        Path[] idx = findIdx(path, train);
        if (idx != null) return readIdxAutoClasses(idx[0], idx[1], base + "-" + split);
        if (Files.isRegularFile(path.resolve(train ? "data_batch_1.bin" : Cifar10BinaryReader.TEST_FILE)))
            return Cifar10BinaryReader.read(path, train).withName(base + "-" + split);
        if (Files.isRegularFile(path.resolve(BIN_DIR).resolve(train ? "data_batch_1.bin" : Cifar10BinaryReader.TEST_FILE)))
            return Cifar10BinaryReader.read(path.resolve(BIN_DIR), train).withName(base + "-" + split);
        if (Files.isDirectory(path.resolve("train")) && Files.isDirectory(path.resolve("test"))) {
            Path root = path.resolve(split);
            return ImageFolderReader.read(root, ImageFolderReader.detectChannels(root), base + "-" + split, 0, null);
        }
        if (!ImageFolderReader.classNames(path).isEmpty())
            return ImageFolderReader.read(path, ImageFolderReader.detectChannels(path), base, 0, null);
        throw new IOException(path + ": no data set recognised (expected an IDX pair train-/t10k-images-idx3-ubyte[.gz], "
                + "CIFAR-10 binary batches data_batch_N.bin/test_batch.bin, train/ and test/ image folders, or "
                + "<class>/ image sub-directories)");
    }

    // ------------------------------------------------------------------------------------------------ IDX

    private static Dataset loadIdx(Path dir, boolean train, String name, List<String> classes) throws IOException {
        Path[] pair = findIdx(dir, train);
        if (pair == null) {
            String[] names = train ? IDX_TRAIN : IDX_TEST;
            throw new NoSuchFileException(dir.resolve(names[0]).toString(), null, name + " not found: looked for "
                    + dir.resolve(names[0]) + "[.gz] and " + dir.resolve(names[1])
                    + "[.gz]; run 'make data' (from the repository root) to fetch it, or pass the data directory");
        }
        return IdxReader.read(pair[0], pair[1], name + "-" + (train ? "train" : "test"), classes);
    }

    /** The images and labels files of a split in {@code dir} (plain name preferred over .gz), or null. */
    private static Path[] findIdx(Path dir, boolean train) {
        String[] names = train ? IDX_TRAIN : IDX_TEST;
        Path[] found = new Path[2];
        for (int k = 0; k < 2; k++) {
            for (String suffix : new String[] {"", ".gz"}) {
                Path p = dir.resolve(names[k] + suffix);
                if (Files.isRegularFile(p)) {
                    found[k] = p;
                    break;
                }
            }
            if (found[k] == null) return null;
        }
        return found;
    }

    /** Classes "0".."9" (MNIST's), or "0".."max label" when the labels go beyond 9. */
    private static Dataset readIdxAutoClasses(Path images, Path labels, String name) throws IOException {
        Dataset d = IdxReader.read(images, labels, name, null);
        if (d.numClasses() >= IdxReader.MNIST_CLASSES.size()) return d;
        return new Dataset(name, d.pixelArray(), d.sampleShape(), d.labelArray(), IdxReader.MNIST_CLASSES);
    }

    // ------------------------------------------------------------------------------------------------ CIFAR-10

    private static Dataset loadCifar(Path dir, boolean train, boolean useCache, IntConsumer progress)
            throws IOException {
        String split = train ? "train" : "test";
        String name = "cifar10-" + split;
        Path folder = dir.resolve(split);
        Path binDir = dir.resolve(BIN_DIR);
        Path cache = dir.resolve(CACHE_DIR).resolve(split + CACHE_SUFFIX);
        boolean haveFolder = Files.isDirectory(folder);
        boolean haveBin = Files.isRegularFile(binDir.resolve(train ? "data_batch_1.bin" : Cifar10BinaryReader.TEST_FILE));

        if (haveFolder && useCache && Files.isRegularFile(cache)) {
            long len = Files.size(cache);
            if (len % Cifar10BinaryReader.RECORD == 0
                    && len / Cifar10BinaryReader.RECORD == ImageFolderReader.countImages(folder)) {
                return Cifar10BinaryReader.read(List.of(cache), Cifar10BinaryReader.CLASSES, name);
            }
        }
        if (haveBin) return Cifar10BinaryReader.read(binDir, train).withName(name);
        if (haveFolder) {
            List<String> classes = ImageFolderReader.classNames(folder);
            if (!classes.equals(Cifar10BinaryReader.CLASSES))
                throw new IOException(folder + ": class directories " + classes + " are not the ten CIFAR-10 classes "
                        + Cifar10BinaryReader.CLASSES);
            Dataset data = ImageFolderReader.read(folder, 3, name, 0, progress);
            if (data.height() != 32 || data.width() != 32)
                throw new IOException(folder + ": images are " + data.width() + "x" + data.height()
                        + ", CIFAR-10 images are 32x32");
            if (useCache) {
                try {
                    Cifar10BinaryReader.write(data, cache);
                } catch (IOException e) {
                    // The cache is an optimisation only: a read-only data directory still loads, just slowly.
                }
            }
            return data;
        }
        List<String> looked = new ArrayList<>();
        looked.add(folder + "/<class>/*.jpg");
        looked.add(binDir + "/" + (train ? "data_batch_1..5.bin" : Cifar10BinaryReader.TEST_FILE));
        throw new NoSuchFileException(dir.toString(), null, "cifar10 not found: looked for " + String.join(" and ", looked)
                + "; run 'make data' (from the repository root) to fetch it, or CIFAR10_SRC=/path/to/cifar-10-batches-bin"
                + " make data");
    }
}
