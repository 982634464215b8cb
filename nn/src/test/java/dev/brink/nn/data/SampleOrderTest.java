package dev.brink.nn.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A limited split must hold every class: the image-folder order (classes interleaved, or the global index of
 * numeric file names), the first-N and balanced subsets, on small trees written here and, when {@code make data}
 * has run, on the real CIFAR-10 JPEG tree.
 */
class SampleOrderTest {
    @TempDir
    Path tmp;

    /** Three classes, per-class numbered files 0000..(n-1) like the CIFAR-10 JPEG tree; pixel 0 = 10 * class + index. */
    private Path perClassTree(int... counts) throws IOException {
        Path root = tmp.resolve("tree");
        for (int k = 0; k < counts.length; k++)
            for (int i = 0; i < counts[k]; i++)
                TestFiles.solid(root.resolve("c" + k + "/" + String.format("%04d", i) + ".png"), 2, 2, (10 * k + i) * 0x010101, "png");
        return root;
    }

    @Test
    void perClassNumbersInterleaveTheClasses() throws IOException {
        Dataset d = ImageFolderReader.read(perClassTree(4, 4, 2), 1, "t", 1, null);
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 0, 1}, d.labels());
        // each class keeps its numeric order: c0/0000, c1/0000, c2/0000, c0/0001, ...
        int[] first = new int[d.size()];
        for (int i = 0; i < d.size(); i++) first[i] = d.sampleBytes(i)[0] & 0xFF;
        assertArrayEquals(new int[] {0, 10, 20, 1, 11, 21, 2, 12, 3, 13}, first);
        Dataset limited = Samples.first(d, 3);
        assertEquals(3, Arrays.stream(limited.classCounts()).filter(c -> c > 0).count(), "the first 3 hold all 3 classes");
    }

    @Test
    void numericOrderNotStringOrderWithinAClass() throws IOException {
        Path root = tmp.resolve("n");
        for (String f : new String[] {"10.png", "9.png", "100.png"}) TestFiles.solid(root.resolve("a/" + f), 2, 2, Integer.parseInt(f.split("\\.")[0]) * 0x010101, "png");
        TestFiles.solid(root.resolve("b/9.png"), 2, 2, 0, "png"); // 9 twice in the tree: per-class numbering
        Dataset d = ImageFolderReader.read(root, 1, "n", 1, null);
        assertArrayEquals(new int[] {0, 1, 0, 0}, d.labels());
        assertEquals(9, d.sampleBytes(0)[0] & 0xFF);
        assertEquals(10, d.sampleBytes(2)[0] & 0xFF);
        assertEquals(100, d.sampleBytes(3)[0] & 0xFF);
    }

    @Test
    void uniqueNumbersAreAGlobalIndex() throws IOException {
        int[] labels = {2, 0, 0, 1, 2, 1, 0};
        Path root = tmp.resolve("g");
        for (int i = 0; i < labels.length; i++) TestFiles.solid(root.resolve("k" + labels[i] + "/" + i + ".png"), 2, 2, i * 0x010101, "png");
        Dataset d = ImageFolderReader.read(root, 1, "g", 1, null);
        assertArrayEquals(labels, d.labels(), "the array's order comes back");
        for (int i = 0; i < labels.length; i++) assertEquals(i, d.sampleBytes(i)[0] & 0xFF);
    }

    @Test
    void balancedSampleIsBalancedSeededAndInDataOrder() throws IOException {
        Dataset d = ImageFolderReader.read(perClassTree(6, 6, 3), 1, "t", 1, null);
        Dataset b = Samples.balanced(d, 6, 7);
        assertArrayEquals(new int[] {2, 2, 2}, b.classCounts());
        Dataset again = Samples.balanced(d, 6, 7);
        for (int i = 0; i < 6; i++) assertArrayEquals(b.sampleBytes(i), again.sampleBytes(i), "same seed, same sample");
        // a class with too few samples gives all it has, the others share the rest
        assertArrayEquals(new int[] {5, 5, 3}, Samples.balanced(d, 13, 1).classCounts());
        // remainder: 7 = 2 + 2 + 2 + one extra for a seeded class
        int[] c = Samples.balanced(d, 7, 3).classCounts();
        assertEquals(7, Arrays.stream(c).sum());
        assertTrue(Arrays.stream(c).allMatch(x -> x == 2 || x == 3), Arrays.toString(c));
        boolean differs = false;
        for (long s = 1; s < 20 && !differs; s++) {
            Dataset o = Samples.balanced(d, 6, s);
            for (int i = 0; i < 6; i++) differs |= !Arrays.equals(o.sampleBytes(i), b.sampleBytes(i));
        }
        assertTrue(differs, "other seeds draw other samples");
        int[] idx = Samples.balancedIndices(d.labels(), 3, 6, 7);
        int[] sorted = idx.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, idx, "kept in data-set order");
        assertEquals(d.size(), Samples.balanced(d, 100, 0).size(), "n beyond the size: the whole set");
    }

    @Test
    void idxKeepsFileOrder() throws IOException {
        int[] labels = {7, 7, 7, 1, 0, 4};
        Path[] pair = TestFiles.idxPair(tmp, "train", 3, 3, labels, false);
        Dataset d = IdxReader.read(pair[0], pair[1], "idx", null);
        assertArrayEquals(labels, d.labels());
        assertArrayEquals(new int[] {7, 7}, Samples.first(d, 2).labels());
    }

    /** The real CIFAR-10 JPEG tree, when 'make data' has unpacked it (skipped otherwise). */
    @Test
    void realCifarJpegTreeLimitedSplitHoldsEveryClass() throws IOException {
        Path test = Datasets.defaultDataDir().isAbsolute() ? Datasets.defaultDataDir() : Path.of("..").resolve(Datasets.defaultDataDir());
        Path folder = test.resolve("cifar10/test");
        Assumptions.assumeTrue(Files.isDirectory(folder.resolve("airplane")),
                "skipped: the CIFAR-10 JPEG tree is not at " + folder.toAbsolutePath() + " (run 'make data')");
        // the listing alone (no decoding of 10,000 JPEGs): the first 20 files are two of each class
        java.util.List<java.util.List<Path>> perClass = new java.util.ArrayList<>();
        for (String c : ImageFolderReader.classNames(folder)) {
            try (var s = Files.list(folder.resolve(c))) {
                perClass.add(s.filter(ImageFolderReader::isImageFile).toList());
            }
        }
        var order = ImageFolderOrder.order(perClass);
        assertEquals(10_000, order.size());
        int[] counts = new int[10];
        for (int i = 0; i < 20; i++) counts[order.get(i).label()]++;
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, counts);
        assertEquals("0000.jpg", order.get(0).file().getFileName().toString());
        assertEquals("0001.jpg", order.get(10).file().getFileName().toString());
        assertNotEquals(order.get(0).label(), order.get(1).label());
    }
}
