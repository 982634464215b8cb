package dev.brink.nn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path tmp;

    private static final int[] LABELS = {5, 0, 4, 1, 9, 2};

    private void checkPattern(Dataset d) {
        assertEquals(6, d.size());
        assertArrayEquals(new int[] {1, 3, 4}, d.sampleShape());
        assertArrayEquals(LABELS, d.labels());
        byte[] expected = TestFiles.pattern(6, 3, 4);
        for (int i = 0; i < 6; i++)
            assertArrayEquals(Arrays.copyOfRange(expected, i * 12, (i + 1) * 12), d.sampleBytes(i), "sample " + i);
        assertEquals((7 * 5 + 3 * 11) % 256, d.sampleBytes(5)[11] & 0xFF);
    }

    @Test
    void readsPlainIdx() throws IOException {
        Path[] f = TestFiles.idxPair(tmp, "train", 3, 4, LABELS, false);
        Dataset d = IdxReader.read(f[0], f[1], "t", IdxReader.MNIST_CLASSES);
        checkPattern(d);
        assertEquals(IdxReader.MNIST_CLASSES, d.classes());
        assertEquals("t", d.name());
    }

    @Test
    void readsGzippedIdx() throws IOException {
        Path[] f = TestFiles.idxPair(tmp, "train", 3, 4, LABELS, true);
        assertEquals(0x1f, Files.readAllBytes(f[0])[0] & 0xFF);
        checkPattern(IdxReader.read(f[0], f[1], "t", IdxReader.MNIST_CLASSES));
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        Path[] gz = TestFiles.idxPair(tmp.resolve("a"), "train", 3, 4, LABELS, true);
        Path img = Files.move(gz[0], tmp.resolve("a/images-no-extension"));
        Path[] plain = TestFiles.idxPair(tmp.resolve("b"), "train", 3, 4, LABELS, false);
        Path lab = Files.move(plain[1], tmp.resolve("b/labels.gz"));
        checkPattern(IdxReader.read(img, lab, "t", IdxReader.MNIST_CLASSES));
    }

    @Test
    void bytesAbove127AreUnsigned() throws IOException {
        byte[] px = new byte[4];
        for (int i = 0; i < 4; i++) px[i] = (byte) (252 + i);
        Path img = TestFiles.idx(tmp.resolve("img"), IdxReader.IMAGES_MAGIC, new int[] {1, 2, 2}, px, false);
        Path lab = TestFiles.idx(tmp.resolve("lab"), IdxReader.LABELS_MAGIC, new int[] {1}, new byte[] {3}, false);
        Dataset d = IdxReader.read(img, lab, "t", IdxReader.MNIST_CLASSES);
        float[] x = d.x(0, 1).toFloatArray();
        assertArrayEquals(new float[] {252 / 255f, 253 / 255f, 254 / 255f, 1f}, x);
    }

    @Test
    void nullClassesCountUpToTheLargestLabel() throws IOException {
        Path[] f = TestFiles.idxPair(tmp, "x", 2, 2, new int[] {0, 2, 1}, false);
        Dataset d = IdxReader.read(f[0], f[1], "t", null);
        assertEquals(List.of("0", "1", "2"), d.classes());
    }

    private static void assertFails(Path file, String problem, ThrowingRunnable r) {
        IOException e = assertThrows(IOException.class, r::run);
        assertTrue(e.getMessage().contains(file.getFileName().toString()),
                "message should name " + file.getFileName() + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message should say '" + problem + "': " + e.getMessage());
    }

    interface ThrowingRunnable {
        void run() throws IOException;
    }

    @Test
    void wrongMagicNumber() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path[] f = TestFiles.idxPair(tmp.resolve("g" + gzip), "train", 2, 2, new int[] {1}, gzip);
            Path bad = TestFiles.idx(tmp.resolve("g" + gzip + "/bad-magic"), 0x12345678, new int[] {1, 2, 2},
                    new byte[4], gzip);
            assertFails(bad, "wrong magic number 0x12345678", () -> IdxReader.read(bad, f[1], "t", null));
            // a labels file where images are expected: right magic family, wrong dimension count
            assertFails(f[1], "wrong dimension count 1", () -> IdxReader.read(f[1], f[1], "t", null));
            // images where labels are expected
            assertFails(f[0], "wrong dimension count 3", () -> IdxReader.read(f[0], f[0], "t", null));
        }
        // a signed-int IDX file (type 0x0C) is not unsigned bytes
        Path ints = TestFiles.idx(tmp.resolve("ints"), 0x00000C03, new int[] {1, 1, 1}, new byte[4], false);
        assertFails(ints, "wrong magic number", () -> IdxReader.read(ints, 3));
    }

    @Test
    void sizeMismatchBetweenHeaderAndFile() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path lab = TestFiles.idx(tmp.resolve("lab" + gzip), IdxReader.LABELS_MAGIC, new int[] {2},
                    new byte[] {1, 2}, gzip);
            Path shortFile = TestFiles.idx(tmp.resolve("short" + gzip), IdxReader.IMAGES_MAGIC, new int[] {2, 2, 2},
                    new byte[7], gzip);
            assertFails(shortFile, "header declares 2x2x2 = 8 data bytes but the file holds only 7",
                    () -> IdxReader.read(shortFile, lab, "t", null));
            Path longFile = TestFiles.idx(tmp.resolve("long" + gzip), IdxReader.IMAGES_MAGIC, new int[] {2, 2, 2},
                    new byte[9], gzip);
            assertFails(longFile, "header declares 2x2x2 = 8 data bytes but the file holds 9",
                    () -> IdxReader.read(longFile, lab, "t", null));
            Path cutHeader = TestFiles.write(tmp.resolve("cut" + gzip), new byte[] {0, 0, 8, 3, 0, 0, 0, 2}, gzip);
            assertFails(cutHeader, "size mismatch", () -> IdxReader.read(cutHeader, lab, "t", null));
        }
    }

    @Test
    void truncatedGzipStream() throws IOException {
        Path[] f = TestFiles.idxPair(tmp, "train", 8, 8, new int[] {1, 2, 3}, true);
        byte[] all = Files.readAllBytes(f[0]);
        Path cut = TestFiles.write(tmp.resolve("cut.gz"), Arrays.copyOf(all, all.length - 12), false);
        assertFails(cut, "gzip", () -> IdxReader.read(cut, f[1], "t", null));
    }

    @Test
    void labelCountDiffersFromImageCount() throws IOException {
        Path img = TestFiles.idx(tmp.resolve("imgs"), IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, new byte[12], false);
        Path lab = TestFiles.idx(tmp.resolve("labs"), IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}, false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(img, lab, "t", null));
        assertTrue(e.getMessage().contains("labs") && e.getMessage().contains("imgs"), e.getMessage());
        assertTrue(e.getMessage().contains("label count 2 differs from the image count 3"), e.getMessage());
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path[] f = TestFiles.idxPair(tmp, "train", 2, 2, new int[] {1, 10, 3}, false);
        assertFails(f[1], "label 10 at index 1 is out of range for 10 classes",
                () -> IdxReader.read(f[0], f[1], "t", IdxReader.MNIST_CLASSES));
    }

    @Test
    void missingFileIsNamed() {
        Path none = tmp.resolve("nothing-here");
        assertFails(none, "not found", () -> IdxReader.read(none, 3));
    }

    @Test
    void hugeOrEmptyImageDimensionsAreIoErrorsNamingTheFile() throws IOException {
        // found by make fuzz: three large dimensions overflowed a long into a negative size ("len < 0")
        Path big = TestFiles.idx(tmp.resolve("big"), IdxReader.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
                new byte[0], false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.read(big, 3));
        assertTrue(e.getMessage().startsWith(big + ": header declares 2147483647x2147483647x2147483647 = 9903520300447984150353281023"),
                e.getMessage());
        // found by make fuzz: a zero height reached the data set as an IllegalArgumentException without the file
        Path flat = TestFiles.idx(tmp.resolve("flat"), IdxReader.IMAGES_MAGIC, new int[] {3, 0, 5}, new byte[0], false);
        Path lab = TestFiles.idx(tmp.resolve("lab3"), IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {0, 1, 2}, false);
        IOException e2 = assertThrows(IOException.class, () -> IdxReader.read(flat, lab, "t", null));
        assertTrue(e2.getMessage().startsWith(flat + ": header declares images of 0x5 pixels"), e2.getMessage());
    }
}
