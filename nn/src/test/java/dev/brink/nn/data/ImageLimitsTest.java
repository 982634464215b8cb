package dev.brink.nn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13, case 7: an image's size is checked from its header before decoding; a truncated JPEG is refused. */
class ImageLimitsTest {
    @TempDir
    Path dir;

    /** A valid 8-bit grayscale PNG of {@code w x h} black pixels (the rows deflate to almost nothing). */
    static byte[] blackPng(int w, int h) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(png);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 0, 0, 0, 0}); // 8 bits, grayscale, deflate, filter 0, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        Deflater z = new Deflater(Deflater.BEST_SPEED);
        byte[] row = new byte[w + 1]; // filter byte 0 and w zeros
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        for (int y = 0; y < h; y++) {
            z.setInput(row);
            while (!z.needsInput()) idat.write(buf, 0, z.deflate(buf));
        }
        z.finish();
        while (!z.finished()) idat.write(buf, 0, z.deflate(buf));
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        out.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void a20000x20000PngIsRefusedFromItsHeader() throws IOException {
        byte[] png = blackPng(20000, 20000);
        assertTrue(png.length < 2_000_000, "a " + png.length + "-byte file");
        Path f = dir.resolve("big/a/huge.png");
        Files.createDirectories(f.getParent());
        Files.write(f, png);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        IOException e = assertThrows(IOException.class, () -> ImageFolderReader.read(dir.resolve("big"), 1, "big", 1, null));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("20000x20000 = 400000000 pixels is larger than the limit of " + ImageFolderReader.MAX_PIXELS),
                e.getMessage());
        assertTrue(allocated < 64L << 20, "refused before decoding: allocated " + allocated + " bytes");
    }

    @Test
    void anImageWithinTheLimitStillReads() throws IOException {
        Path f = dir.resolve("ok/a/small.png");
        Files.createDirectories(f.getParent());
        Files.write(f, blackPng(300, 200));
        Dataset d = ImageFolderReader.read(dir.resolve("ok"), 1, "ok", 1, null);
        assertEquals(200, d.sampleShape()[1]);
        assertEquals(300, d.sampleShape()[2]);
    }

    private static byte[] noiseJpeg() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(5);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, r.nextInt(1 << 24));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "jpeg", out));
        return out.toByteArray();
    }

    /** Offset of the start-of-scan marker's segment end: what follows is entropy-coded scan data. */
    private static int scanDataStart(byte[] jpg) {
        for (int i = 2; i + 3 < jpg.length; i++)
            if ((jpg[i] & 0xff) == 0xff && (jpg[i + 1] & 0xff) == 0xda) return i + 2 + (((jpg[i + 2] & 0xff) << 8) | (jpg[i + 3] & 0xff));
        throw new AssertionError("no SOS marker");
    }

    @Test
    void aJpegTruncatedInsideItsScanDataIsRefused() throws IOException {
        byte[] jpg = noiseJpeg();
        int scan = scanDataStart(jpg);
        Path good = dir.resolve("good/a/x.jpg"), cut = dir.resolve("cut/a/x.jpg");
        Files.createDirectories(good.getParent());
        Files.createDirectories(cut.getParent());
        Files.write(good, jpg);
        int at = scan + (jpg.length - scan) / 2;
        Files.write(cut, java.util.Arrays.copyOf(jpg, at));
        assertEquals(64, ImageFolderReader.read(dir.resolve("good"), 3, "good", 1, null).sampleShape()[1]);
        IOException e = assertThrows(IOException.class, () -> ImageFolderReader.read(dir.resolve("cut"), 3, "cut", 1, null));
        assertTrue(e.getMessage().startsWith(cut + ": corrupt or truncated image"), e.getMessage());
    }
}
