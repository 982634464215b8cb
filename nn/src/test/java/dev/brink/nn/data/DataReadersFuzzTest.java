package dev.brink.nn.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brink.nn.fuzz.FuzzSupport;
import dev.brink.nn.fuzz.Seeds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the data-set readers: IDX (MNIST; plain and gzipped), CIFAR-10 binary batches and their class-name file,
 * and the image decoder of image folders (PNG, JPEG and whatever else javax.imageio recognises). Any input either
 * reads or fails with an {@link IOException} naming the file, within an allocation of what its bytes justify
 * (for gzip, up to deflate's 1032:1 ratio; for an image, up to the pixel limit, lowered here to 2^20 pixels).
 */
class DataReadersFuzzTest {
    private static final long FIXED = 64L << 20;

    private static boolean gzip(byte[] d) {
        return d.length > 1 && (d[0] & 0xff) == 0x1f && (d[1] & 0xff) == 0x8b;
    }

    static void idx(byte[] data) throws Exception {
        Path f = FuzzSupport.write("idx/train-images-idx3-ubyte", data);
        long budget = (gzip(data) ? 1100L : 8L) * data.length + FIXED;
        FuzzSupport.withinAllocation(budget, "reading a " + data.length + "-byte IDX file", () -> {
            for (int dims : new int[] {1, 3}) {
                try {
                    IdxReader.read(f, dims);
                } catch (IOException expected) {
                    // malformed, reported
                }
            }
            // the same bytes as images and (from the byte after the header) as labels
            Path labels = FuzzSupport.write("idx/train-labels-idx1-ubyte", labelsOf(data));
            try {
                IdxReader.read(f, labels, "fuzz", null);
            } catch (IOException expected) {
                // malformed or mismatched, reported
            }
        });
    }

    private static byte[] labelsOf(byte[] data) {
        int n = Math.max(0, (data.length - 16) / 16);
        byte[] l = new byte[8 + n];
        java.nio.ByteBuffer.wrap(l).putInt(IdxReader.LABELS_MAGIC).putInt(n);
        for (int i = 0; i < n; i++) l[8 + i] = (byte) ((data[16 + i] & 0xff) % 12);
        return l;
    }

    static void cifar(byte[] data) throws Exception {
        Path dir = FuzzSupport.scratchDir().resolve("cifar");
        Path f = FuzzSupport.write("cifar/data_batch_1.bin", data);
        Path meta = FuzzSupport.write("cifar/" + Cifar10BinaryReader.META_FILE, data);
        FuzzSupport.withinAllocation(16L * data.length + FIXED, "reading a " + data.length + "-byte CIFAR batch", () -> {
            try {
                Cifar10BinaryReader.read(List.of(f), Cifar10BinaryReader.CLASSES, "fuzz");
            } catch (IOException expected) {
                // malformed, reported
            }
            try {
                Cifar10BinaryReader.classNames(dir);
            } catch (IOException expected) {
                // malformed, reported
            }
        });
        Files.deleteIfExists(meta);
    }

    static void image(byte[] data) throws Exception {
        Path f = FuzzSupport.write("images/a.png", data);
        FuzzSupport.withinAllocation(64L * data.length + 8L * (1 << 20) * 4 + FIXED, "decoding a " + data.length + "-byte image", () -> {
            try {
                ImageFolderReader.decode(f, 1 << 20);
            } catch (IOException expected) {
                // not an image, corrupt, truncated or too large: reported
            }
        });
    }

    @FuzzTest(maxDuration = "10m")
    void idxFile(byte[] data) throws Exception {
        idx(data);
    }

    @FuzzTest(maxDuration = "10m")
    void cifarBatch(byte[] data) throws Exception {
        cifar(data);
    }

    @FuzzTest(maxDuration = "10m")
    void imageFile(byte[] data) throws Exception {
        image(data);
    }

    @Test
    void mutatedIdxSeeds() throws IOException {
        Seeds.replay(FuzzSupport.mutants(Seeds.of(getClass(), "idxFile"), 19, 800), DataReadersFuzzTest::idx);
    }

    @Test
    void mutatedCifarSeeds() throws IOException {
        Seeds.replay(FuzzSupport.mutants(Seeds.of(getClass(), "cifarBatch"), 23, 400), DataReadersFuzzTest::cifar);
    }

    @Test
    void mutatedImageSeeds() throws IOException {
        Seeds.replay(FuzzSupport.mutants(Seeds.of(getClass(), "imageFile"), 29, 800), DataReadersFuzzTest::image);
    }
}
