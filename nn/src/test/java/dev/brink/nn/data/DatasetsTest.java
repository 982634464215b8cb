package dev.brink.nn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Datasets} on small files laid out as {@code make data} lays out the real ones. */
class DatasetsTest {
    @TempDir
    Path data;

    private static final int[] MNIST_TRAIN = {3, 7, 1, 3, 0, 7, 7};
    private static final int[] MNIST_TEST = {7, 2, 3};

    private void mnist() throws IOException {
        TestFiles.idxPair(data.resolve("mnist"), "train", 28, 28, MNIST_TRAIN, false);
        TestFiles.idxPair(data.resolve("mnist"), "t10k", 28, 28, MNIST_TEST, false);
    }

    /** One 32x32 PNG per CIFAR class in train/ (two for "cat") and test/. */
    private void cifarJpegTree() throws IOException {
        List<String> classes = Cifar10BinaryReader.CLASSES;
        for (int k = 0; k < 10; k++) {
            TestFiles.solid(data.resolve("cifar10/train/" + classes.get(k) + "/0000.png"), 32, 32, k * 20, "png");
            TestFiles.solid(data.resolve("cifar10/test/" + classes.get(k) + "/0000.png"), 32, 32, k * 20 + 1, "png");
        }
        TestFiles.solid(data.resolve("cifar10/train/cat/0001.png"), 32, 32, 0xFFFFFF, "png");
    }

    @Test
    void mnistAndTheThreeVersusSevenSubset() throws IOException {
        mnist();
        Dataset train = Datasets.load("mnist", data, true);
        assertEquals("mnist-train", train.name());
        assertArrayEquals(MNIST_TRAIN, train.labels());
        assertArrayEquals(new int[] {1, 28, 28}, train.sampleShape());
        assertEquals(IdxReader.MNIST_CLASSES, train.classes());
        assertArrayEquals(MNIST_TEST, Datasets.load("mnist", data, false).labels());

        Dataset b = Datasets.load("mnist-3v7", data, true);
        assertEquals("mnist-3v7-train", b.name());
        assertEquals(List.of("3", "7"), b.classes());
        assertArrayEquals(new int[] {0, 1, 0, 1, 1}, b.labels()); // 3 -> 0, 7 -> 1
        assertArrayEquals(train.sampleBytes(3), b.sampleBytes(2));
        assertArrayEquals(new int[] {1, 0}, Datasets.load("mnist-3v7", data, false).labels());
    }

    @Test
    void fashionMnistGzipped() throws IOException {
        TestFiles.idxPair(data.resolve("fashion-mnist"), "train", 28, 28, new int[] {9, 0}, true);
        TestFiles.idxPair(data.resolve("fashion-mnist"), "t10k", 28, 28, new int[] {1}, true);
        Dataset d = Datasets.load("fashion-mnist", data, true);
        assertEquals("fashion-mnist-train", d.name());
        assertEquals("Ankle boot", d.classes().get(d.label(0)));
        assertEquals(1, Datasets.load("fashion-mnist", data, false).size());
    }

    @Test
    void missingDataSaysToRunMakeData() {
        for (String name : Datasets.NAMES) {
            IOException e = assertThrows(IOException.class, () -> Datasets.load(name, data, true), name);
            assertTrue(e.getMessage().contains("make data"), e.getMessage());
            assertTrue(e.getMessage().contains(data.toString()), "says where it looked: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("imagenet", data, true));
    }

    @Test
    void cifarImageFolderIsDecodedThenCached() throws IOException {
        cifarJpegTree();
        AtomicInteger progress = new AtomicInteger();
        Dataset first = Datasets.load("cifar10", data, true, true, progress::set);
        assertEquals("cifar10-train", first.name());
        assertEquals(11, first.size());
        assertEquals(11, progress.get());
        assertEquals(Cifar10BinaryReader.CLASSES, first.classes());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3}, first.labels()); // classes interleaved
        assertEquals(60, first.sampleBytes(3)[2 * 1024] & 0xFF); // cat/0000.png: blue = 3 * 20
        Path cache = data.resolve("cifar10/cache/train-v2.bin");
        assertTrue(Files.isRegularFile(cache));
        assertEquals(11L * Cifar10BinaryReader.RECORD, Files.size(cache));

        progress.set(-1);
        Dataset second = Datasets.load("cifar10", data, true, true, progress::set);
        assertEquals(-1, progress.get(), "the cache needs no decoding");
        assertEquals("cifar10-train", second.name());
        assertArrayEquals(first.labels(), second.labels());
        for (int i = 0; i < first.size(); i++) assertArrayEquals(first.sampleBytes(i), second.sampleBytes(i));

        // a tree that no longer matches the cache is decoded again
        TestFiles.solid(data.resolve("cifar10/train/dog/0001.png"), 32, 32, 0, "png");
        assertEquals(12, Datasets.load("cifar10", data, true).size());
        assertEquals(12L * Cifar10BinaryReader.RECORD, Files.size(cache));

        Dataset test = Datasets.load("cifar10", data, false, false, null);
        assertEquals(10, test.size());
        assertFalse(Files.exists(data.resolve("cifar10/cache/test-v2.bin")), "useCache=false writes no cache");
    }

    @Test
    void aClassByClassCacheOfEarlierVersionsIsNotUsed() throws IOException {
        cifarJpegTree();
        // the old cache name, right record count, class-by-class order and wrong pixels
        int[] old = {0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9};
        byte[] recs = new byte[old.length * Cifar10BinaryReader.RECORD];
        for (int i = 0; i < old.length; i++) recs[i * Cifar10BinaryReader.RECORD] = (byte) old[i];
        Files.createDirectories(data.resolve("cifar10/cache"));
        Files.write(data.resolve("cifar10/cache/train.bin"), recs);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3}, Datasets.load("cifar10", data, true).labels());
    }

    @Test
    void cifarBinaryBatches() throws IOException {
        Path bin = data.resolve("cifar10/cifar-10-batches-bin");
        for (int b = 1; b <= 5; b++) TestFiles.cifarBatch(bin.resolve("data_batch_" + b + ".bin"), b, b);
        TestFiles.cifarBatch(bin.resolve("test_batch.bin"), 0, 9, 8);
        Dataset train = Datasets.load("cifar10", data, true);
        assertEquals("cifar10-train", train.name());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, train.labels());
        assertArrayEquals(new int[] {9, 8}, Datasets.load("cifar10", data, false).labels());
        assertFalse(Files.exists(data.resolve("cifar10/cache")), "binary batches need no cache");
    }

    @Test
    void loadFromAPath() throws IOException {
        mnist();
        Path[] pair = {data.resolve("mnist/train-images-idx3-ubyte"), data.resolve("mnist/train-labels-idx1-ubyte")};
        assertArrayEquals(MNIST_TRAIN, Datasets.load(pair[0]).labels());
        assertArrayEquals(MNIST_TEST, Datasets.load(data.resolve("mnist"), false).labels());
        assertArrayEquals(MNIST_TRAIN, Datasets.load(data.resolve("mnist")).labels());

        cifarJpegTree();
        assertEquals(10, Datasets.load(data.resolve("cifar10"), false).size());
        Dataset folder = Datasets.load(data.resolve("cifar10/train"));
        assertEquals(11, folder.size());
        assertEquals(3, folder.channels());

        Path bin = data.resolve("bin");
        TestFiles.cifarBatch(bin.resolve("test_batch.bin"), 0, 4, 4, 2);
        assertArrayEquals(new int[] {4, 4, 2}, Datasets.load(bin, false).labels());
        assertArrayEquals(new int[] {4, 4, 2}, Datasets.load(bin.resolve("test_batch.bin")).labels());

        TestFiles.image(data.resolve("gray/x/0.png"), TestFiles.grayGradient(6, 6), "png");
        assertEquals(1, Datasets.load(data.resolve("gray")).channels());

        Path empty = Files.createDirectories(data.resolve("empty"));
        IOException e = assertThrows(IOException.class, () -> Datasets.load(empty));
        assertTrue(e.getMessage().contains("no data set recognised"), e.getMessage());
        IOException lonely = assertThrows(IOException.class,
                () -> Datasets.load(TestFiles.write(data.resolve("x/a-images-idx3-ubyte"), new byte[0], false)));
        assertTrue(lonely.getMessage().contains("a-labels-idx1-ubyte"), lonely.getMessage());
    }
}
