package dev.brink.nn.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Reads an image-folder tree, {@code root/<class>/<image>.png|jpg|jpeg}: one sub-directory per class, the classes
 * sorted by directory name (so label {@code k} is the {@code k}-th name in {@link String#compareTo} order). Samples are
 * ordered as {@link ImageFolderOrder} says: by the index that numeric file names encode when they are unique across
 * the tree, else with the classes interleaved (first image of each class, then the second of each, ...), so the
 * first {@code N} samples hold every class. Other files and hidden entries are ignored.
 *
 * <p>Images are decoded with {@code javax.imageio} (no display needed) on several threads, and converted to the
 * requested channel count: 1 (grayscale; colour images become ITU-R BT.601 luma
 * {@code round(0.299 R + 0.587 G + 0.114 B)}) or 3 (R, G, B planes; grayscale images are replicated). All images
 * must have the same width and height.
 */
public final class ImageFolderReader {
    private static final int PROGRESS_STEP = 256;

    private ImageFolderReader() {}

    /** Reads {@code root} with {@code channels} channels on the default thread count (see {@link #read(Path, int, String, int, IntConsumer)}). */
    public static Dataset read(Path root, int channels) throws IOException {
        return read(root, channels, root.getFileName() == null ? root.toString() : root.getFileName().toString(), 0, null);
    }

    /**
     * Reads an image-folder tree.
     *
     * @param root     the directory holding one sub-directory per class
     * @param channels 1 (grayscale) or 3 (RGB); the sample shape is {@code [channels, H, W]}
     * @param name     the data set's name
     * @param threads  decoding threads; 0 or less means {@code min(2, available processors)}
     * @param progress if not null, called with the number of images decoded so far (increasing, at least every 256
     *                 images and once with the total at the end), possibly from a decoding thread; it must be quick
     *                 and thread-safe. This class prints nothing.
     * @throws IOException naming the file: no classes or no images, an image that cannot be decoded, an image whose
     *                     size differs from the first one's
     */
    public static Dataset read(Path root, int channels, String name, int threads, IntConsumer progress)
            throws IOException {
        if (channels != 1 && channels != 3)
            throw new IllegalArgumentException("ImageFolderReader: channels must be 1 or 3, got " + channels);
        Listing listing = list(root);
        List<Path> files = listing.files();
        int n = files.size();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = listing.labels().get(i);

        // The first image fixes the size the others must have.
        BufferedImage first = decode(files.get(0));
        int w = first.getWidth();
        int h = first.getHeight();
        int sampleSize = channels * h * w;
        if ((long) sampleSize * n > Integer.MAX_VALUE - 8)
            throw new IOException(root + ": " + n + " images of " + w + "x" + h + "x" + channels + " are too many to load");
        byte[] pixels = new byte[sampleSize * n];
        store(first, files.get(0), files.get(0), w, h, channels, pixels, 0);

        int nThreads = threads > 0 ? threads : Math.min(2, Runtime.getRuntime().availableProcessors());
        Progress prog = new Progress(progress, n);
        prog.add(1);
        if (n > 1) {
            int workers = Math.max(1, Math.min(nThreads, (n - 1 + 63) / 64));
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "brink-image-decode");
                t.setDaemon(true);
                return t;
            });
            AtomicBoolean failed = new AtomicBoolean();
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int wk = 0; wk < workers; wk++) {
                    final int worker = wk;
                    futures.add(pool.submit(() -> {
                        // Interleaved assignment: worker k decodes images 1+k, 1+k+workers, ...
                        for (int i = 1 + worker; i < n && !failed.get(); i += workers) {
                            try {
                                BufferedImage img = decode(files.get(i));
                                store(img, files.get(i), files.get(0), w, h, channels, pixels, i * sampleSize);
                            } catch (IOException e) {
                                failed.set(true);
                                throw new UncheckedIOException(e);
                            }
                            prog.add(1);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        Throwable c = e.getCause();
                        if (c instanceof UncheckedIOException u) throw u.getCause();
                        if (c instanceof RuntimeException r) throw r;
                        if (c instanceof Error err) throw err;
                        throw new IOException(root + ": decoding failed: " + c, c);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(root + ": interrupted while decoding images");
            } finally {
                pool.shutdownNow();
            }
        }
        prog.finish();
        return new Dataset(name, pixels, new int[] {channels, h, w}, labels, listing.classes());
    }

    /** The class names of an image-folder tree: its sub-directories, sorted by name. */
    public static List<String> classNames(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new NoSuchFileException(root.toString(), null, "image folder not found");
        List<String> classes = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String fn = p.getFileName().toString();
                if (!fn.startsWith(".") && Files.isDirectory(p)) classes.add(fn);
            }
        }
        Collections.sort(classes);
        return classes;
    }

    /** The number of image files ({@code .png}, {@code .jpg}, {@code .jpeg}) under the class directories of {@code root}. */
    public static int countImages(Path root) throws IOException {
        return list(root).files().size();
    }

    /**
     * The channel count the first image of the tree suggests: 1 if it is grayscale, else 3.
     *
     * @throws IOException if the tree holds no image or the first cannot be decoded
     */
    public static int detectChannels(Path root) throws IOException {
        Path f = list(root).files().get(0);
        BufferedImage img = decode(f);
        return isGray(img) ? 1 : 3;
    }

    /** Whether a file name has one of the accepted extensions. */
    static boolean isImageFile(Path p) {
        String fn = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !fn.startsWith(".") && (fn.endsWith(".png") || fn.endsWith(".jpg") || fn.endsWith(".jpeg"));
    }

    private record Listing(List<String> classes, List<Path> files, List<Integer> labels) {}

    private static Listing list(Path root) throws IOException {
        List<String> classes = classNames(root);
        if (classes.isEmpty())
            throw new IOException(root + ": no class sub-directories (expected root/<class>/*.png|jpg|jpeg)");
        List<List<Path>> perClass = new ArrayList<>();
        for (String c : classes) {
            List<Path> inClass = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve(c))) {
                for (Path p : ds) if (isImageFile(p) && Files.isRegularFile(p)) inClass.add(p);
            }
            perClass.add(inClass);
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (ImageFolderOrder.Entry e : ImageFolderOrder.order(perClass)) {
            files.add(e.file());
            labels.add(e.label());
        }
        if (files.isEmpty())
            throw new IOException(root + ": no .png, .jpg or .jpeg images in its " + classes.size() + " class directories");
        return new Listing(classes, files, labels);
    }

    /**
     * The most pixels (width times height) one image may have: 50 million, e.g. 7071 x 7071. An image's size is
     * read from its header and checked against this limit before any pixel is decoded, so a small file that
     * declares a huge image (a 20000 x 20000 PNG of one colour is a few hundred kB) fails with a message instead of
     * decoding gigabytes.
     */
    public static final long MAX_PIXELS = 50_000_000L;

    /** The largest image file read (bytes): more than any image of {@link #MAX_PIXELS} pixels needs. */
    static final long MAX_FILE_BYTES = 4 * MAX_PIXELS + (1 << 20);

    /** One reusable reader per format and thread: creating an ImageIO reader per image costs more than decoding it. */
    private static final ThreadLocal<ImageReader[]> READERS = ThreadLocal.withInitial(() -> new ImageReader[2]);

    private static BufferedImage decode(Path file) throws IOException {
        return decode(file, MAX_PIXELS);
    }

    /**
     * Decodes one image file of at most {@code maxPixels} pixels. The size is checked from the header before
     * decoding; a decoder warning (a JPEG that ends inside its scan data, corrupt data the decoder skipped) is an
     * error, since the decoder would fill the missing part with gray.
     */
    static BufferedImage decode(Path file, long maxPixels) throws IOException {
        BufferedImage img;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES)
                throw new IOException(file + ": image file of " + size + " bytes is larger than any image of at most "
                        + MAX_PIXELS + " pixels needs (" + MAX_FILE_BYTES + " bytes)");
            byte[] bytes = Files.readAllBytes(file);
            int format = bytes.length > 3 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' ? 0
                    : bytes.length > 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 ? 1 : -1;
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                ImageReader reader = format < 0 ? null : reader(format);
                boolean cached = reader != null;
                if (reader == null) {
                    Iterator<ImageReader> it = ImageIO.getImageReaders(in);
                    if (!it.hasNext()) throw new IOException(file + ": cannot decode image: no image reader recognises its format");
                    reader = it.next();
                }
                List<String> warnings = new ArrayList<>();
                javax.imageio.event.IIOReadWarningListener listener = (source, warning) -> warnings.add(warning);
                reader.addIIOReadWarningListener(listener);
                try {
                    reader.setInput(in, true, true);
                    long w = reader.getWidth(0), h = reader.getHeight(0);
                    if (w < 1 || h < 1)
                        throw new IOException(file + ": cannot decode image: its header declares " + w + "x" + h + " pixels");
                    if (w * h > maxPixels)
                        throw new IOException(file + ": image of " + w + "x" + h + " = " + w * h + " pixels is larger than the limit of "
                                + maxPixels + " pixels per image (not decoded)");
                    img = reader.read(0);
                } finally {
                    reader.removeIIOReadWarningListener(listener);
                    reader.setInput(null);
                    if (!cached) reader.dispose();
                }
                if (!warnings.isEmpty())
                    throw new IOException(file + ": corrupt or truncated image: " + String.join("; ", warnings));
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) throw e;
            throw new IOException(file + ": cannot decode image: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": cannot decode image: " + e, e);
        }
        if (img == null) throw new IOException(file + ": cannot decode image: no image reader recognises its format");
        return img;
    }

    private static ImageReader reader(int format) {
        ImageReader[] cache = READERS.get();
        if (cache[format] == null) {
            Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format == 0 ? "png" : "jpeg");
            if (it.hasNext()) cache[format] = it.next();
        }
        return cache[format];
    }

    private static boolean isGray(BufferedImage img) {
        return img.getRaster().getNumBands() == 1 && !(img.getColorModel() instanceof IndexColorModel)
                && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /** Writes one decoded image as {@code channels} planes of {@code h x w} bytes into {@code dst} at {@code off}. */
    private static void store(BufferedImage img, Path file, Path firstFile, int w, int h, int channels, byte[] dst,
                              int off) throws IOException {
        if (img.getWidth() != w || img.getHeight() != h)
            throw new IOException(file + ": image is " + img.getWidth() + "x" + img.getHeight() + " but " + firstFile
                    + " is " + w + "x" + h + " (all images must have the same size)");
        int plane = w * h;
        if (isGray(img)) {
            // Read the samples directly: getRGB would pass linear-gray images through a colour conversion.
            Raster r = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? row[x] : bits > 8 ? row[x] >>> (bits - 8)
                            : Math.round(row[x] * 255f / ((1 << bits) - 1));
                    byte b = (byte) v;
                    for (int c = 0; c < channels; c++) dst[off + c * plane + y * w + x] = b;
                }
            }
            return;
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < plane; p++) {
            int v = argb[p];
            int red = (v >>> 16) & 0xFF;
            int green = (v >>> 8) & 0xFF;
            int blue = v & 0xFF;
            if (channels == 3) {
                dst[off + p] = (byte) red;
                dst[off + plane + p] = (byte) green;
                dst[off + 2 * plane + p] = (byte) blue;
            } else {
                dst[off + p] = (byte) Math.round(0.299f * red + 0.587f * green + 0.114f * blue);
            }
        }
    }

    /** Reports a monotonically increasing count to an optional callback, every {@link #PROGRESS_STEP} images. */
    private static final class Progress {
        private final IntConsumer callback;
        private final int total;
        private int done;
        private int reported;

        Progress(IntConsumer callback, int total) {
            this.callback = callback;
            this.total = total;
        }

        void add(int k) {
            if (callback == null) return;
            synchronized (this) {
                done += k;
                if (done - reported >= PROGRESS_STEP && done < total) {
                    reported = done;
                    callback.accept(done);
                }
            }
        }

        synchronized void finish() {
            if (callback != null && reported != total) {
                reported = total;
                callback.accept(total);
            }
        }
    }
}
