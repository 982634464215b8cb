package dev.brink.nn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderReaderTest {
    @TempDir
    Path tmp;

    @Test
    void pngFolderIsExactWithSortedClassesAndFiles() throws IOException {
        // classes created out of order; files named so that string order differs from creation order
        TestFiles.solid(tmp.resolve("zebra/b.png"), 4, 3, 0x0A141E, "png");
        TestFiles.solid(tmp.resolve("zebra/a.png"), 4, 3, 0xFF8001, "png");
        TestFiles.image(tmp.resolve("apple/x.PNG"), TestFiles.gradient(4, 3), "png");
        Files.writeString(tmp.resolve("apple/notes.txt"), "ignored");
        Files.writeString(tmp.resolve(".hidden"), "ignored");
        Files.createDirectories(tmp.resolve(".git/objects"));
        Dataset d = ImageFolderReader.read(tmp, 3, "pngs", 1, null);
        assertEquals(List.of("apple", "zebra"), d.classes());
        assertArrayEquals(new int[] {0, 1, 1}, d.labels());
        assertArrayEquals(new int[] {3, 3, 4}, d.sampleShape());
        byte[] g = d.sampleBytes(0);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(x + 10 * y, g[y * 4 + x] & 0xFF);
                assertEquals(100 + x, g[12 + y * 4 + x] & 0xFF);
                assertEquals(200 - y, g[24 + y * 4 + x] & 0xFF);
            }
        }
        byte[] a = d.sampleBytes(1); // zebra/a.png sorts before zebra/b.png
        assertEquals(0xFF, a[0] & 0xFF);
        assertEquals(0x80, a[12] & 0xFF);
        assertEquals(0x01, a[24] & 0xFF);
        byte[] b = d.sampleBytes(2);
        assertEquals(10, b[11] & 0xFF);
        assertEquals(20, b[23] & 0xFF);
        assertEquals(30, b[35] & 0xFF);
    }

    @Test
    void jpegFolderDecodesCloseToTheSourceColours() throws IOException {
        int[] colours = {0x204060, 0xC08020, 0x808080};
        for (int k = 0; k < colours.length; k++) {
            TestFiles.solid(tmp.resolve("c" + k + "/0.jpg"), 8, 8, colours[k], "jpg");
            TestFiles.solid(tmp.resolve("c" + k + "/1.jpeg"), 8, 8, colours[k], "jpg");
        }
        Dataset d = ImageFolderReader.read(tmp, 3, "jpegs", 2, null);
        assertEquals(6, d.size());
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, d.labels()); // per-class numbers: classes interleaved
        for (int i = 0; i < 6; i++) {
            int rgb = colours[d.label(i)];
            byte[] px = d.sampleBytes(i);
            for (int c = 0; c < 3; c++) {
                int expected = (rgb >>> (16 - 8 * c)) & 0xFF;
                for (int p = 0; p < 64; p++)
                    assertTrue(Math.abs((px[c * 64 + p] & 0xFF) - expected) <= 4,
                            "sample " + i + " channel " + c + ": " + (px[c * 64 + p] & 0xFF) + " vs " + expected);
            }
        }
    }

    @Test
    void grayscaleAndChannelConversion() throws IOException {
        TestFiles.image(tmp.resolve("g/0.png"), TestFiles.grayGradient(5, 4), "png");
        TestFiles.solid(tmp.resolve("g/1.png"), 5, 4, 0x6496C8, "png"); // (100, 150, 200)
        Dataset gray = ImageFolderReader.read(tmp, 1, "g", 1, null);
        assertArrayEquals(new int[] {1, 4, 5}, gray.sampleShape());
        byte[] g0 = gray.sampleBytes(0);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) assertEquals(16 * x + y, g0[y * 5 + x] & 0xFF);
        int luma = Math.round(0.299f * 100 + 0.587f * 150 + 0.114f * 200);
        assertEquals(luma, gray.sampleBytes(1)[7] & 0xFF);

        Dataset rgb = ImageFolderReader.read(tmp, 3, "g", 1, null);
        byte[] r0 = rgb.sampleBytes(0);
        for (int c = 0; c < 3; c++) assertEquals(16 * 3 + 2, r0[c * 20 + 2 * 5 + 3] & 0xFF); // gray replicated
        assertEquals(1, ImageFolderReader.detectChannels(tmp));
    }

    @Test
    void parallelDecodingMatchesSequentialAndReportsProgress() throws IOException {
        for (int i = 0; i < 300; i++)
            TestFiles.solid(tmp.resolve("k" + (i % 3) + "/" + String.format("%04d.png", i)), 6, 6,
                    (i * 0x010203) & 0xFFFFFF, "png");
        List<Integer> reports = Collections.synchronizedList(new ArrayList<>());
        Dataset par = ImageFolderReader.read(tmp, 3, "p", 2, reports::add);
        Dataset seq = ImageFolderReader.read(tmp, 3, "s", 1, null);
        assertEquals(300, par.size());
        assertArrayEquals(seq.labels(), par.labels());
        for (int i = 0; i < 300; i++) assertArrayEquals(seq.sampleBytes(i), par.sampleBytes(i));
        assertEquals(300, reports.get(reports.size() - 1));
        for (int k = 1; k < reports.size(); k++) assertTrue(reports.get(k) > reports.get(k - 1), reports.toString());
        assertEquals(300, ImageFolderReader.countImages(tmp));
    }

    @Test
    void imagesOfDifferentSizesFailNamingTheFile() throws IOException {
        for (int i = 0; i < 20; i++) TestFiles.solid(tmp.resolve("a/" + String.format("%02d.png", i)), 4, 4, 0, "png");
        TestFiles.solid(tmp.resolve("b/odd-one.png"), 4, 5, 0, "png");
        IOException e = assertThrows(IOException.class, () -> ImageFolderReader.read(tmp, 3, "x", 2, null));
        assertTrue(e.getMessage().contains("odd-one.png"), e.getMessage());
        assertTrue(e.getMessage().contains("image is 4x5 but"), e.getMessage());
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
    }

    @Test
    void undecodableImageFailsNamingTheFile() throws IOException {
        TestFiles.solid(tmp.resolve("a/0.png"), 4, 4, 0, "png");
        TestFiles.write(tmp.resolve("a/1-broken.jpg"), "not a jpeg at all".getBytes(), false);
        IOException e = assertThrows(IOException.class, () -> ImageFolderReader.read(tmp, 3, "x", 2, null));
        assertTrue(e.getMessage().contains("1-broken.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot decode image"), e.getMessage());
    }

    @Test
    void emptyTreesFail() throws IOException {
        IOException none = assertThrows(IOException.class, () -> ImageFolderReader.read(tmp, 3));
        assertTrue(none.getMessage().contains("no class sub-directories"), none.getMessage());
        Files.createDirectories(tmp.resolve("empty-class"));
        IOException empty = assertThrows(IOException.class, () -> ImageFolderReader.read(tmp, 3));
        assertTrue(empty.getMessage().contains("no .png, .jpg or .jpeg images"), empty.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ImageFolderReader.read(tmp.resolve("nope"), 3));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    }
}
