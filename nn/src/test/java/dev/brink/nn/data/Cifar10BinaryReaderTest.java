package dev.brink.nn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cifar10BinaryReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsAndConcatenatesTwoBatches() throws IOException {
        Path b1 = TestFiles.cifarBatch(tmp.resolve("data_batch_1.bin"), 0, 6, 9, 0);
        Path b2 = TestFiles.cifarBatch(tmp.resolve("data_batch_2.bin"), 100, 3, 5);
        Dataset d = Cifar10BinaryReader.read(List.of(b1, b2), Cifar10BinaryReader.CLASSES, "two");
        assertEquals(5, d.size());
        assertArrayEquals(new int[] {3, 32, 32}, d.sampleShape());
        assertArrayEquals(new int[] {6, 9, 0, 3, 5}, d.labels());
        assertArrayEquals(TestFiles.cifarPixels(2, 0), d.sampleBytes(2));
        assertArrayEquals(TestFiles.cifarPixels(0, 100), d.sampleBytes(3));
        assertArrayEquals(TestFiles.cifarPixels(1, 100), d.sampleBytes(4));
        assertEquals("airplane", d.classes().get(0));
    }

    @Test
    void planesAreRedGreenBlueRowMajor() throws IOException {
        // one record: R plane all 10 except (row 1, col 2) = 200, G plane 20, B plane 30
        byte[] rec = new byte[Cifar10BinaryReader.RECORD];
        rec[0] = 7;
        for (int p = 0; p < 1024; p++) {
            rec[1 + p] = 10;
            rec[1 + 1024 + p] = 20;
            rec[1 + 2048 + p] = 30;
        }
        rec[1 + 32 + 2] = (byte) 200;
        Path f = TestFiles.write(tmp.resolve("one.bin"), rec, false);
        Dataset d = Cifar10BinaryReader.read(List.of(f), Cifar10BinaryReader.CLASSES, "one");
        float[] x = d.x(0, 1).toFloatArray();
        assertEquals(200 / 255f, x[32 + 2]);     // [0, c=0, h=1, w=2]
        assertEquals(10 / 255f, x[0]);
        assertEquals(20 / 255f, x[1024 + 32 + 2]);
        assertEquals(30 / 255f, x[2048 + 1023]);
        assertEquals("horse", d.classes().get(d.label(0)));
    }

    @Test
    void readsTrainAndTestFromADirectoryWithMeta() throws IOException {
        for (int b = 1; b <= 5; b++) TestFiles.cifarBatch(tmp.resolve("data_batch_" + b + ".bin"), b, b, b - 1);
        TestFiles.cifarBatch(tmp.resolve("test_batch.bin"), 77, 4, 2, 8);
        Files.writeString(tmp.resolve("batches.meta.txt"),
                "a0\na1\na2\na3\na4\na5\na6\na7\na8\na9\n\n", StandardCharsets.UTF_8);
        Dataset train = Cifar10BinaryReader.read(tmp, true);
        assertEquals("cifar10-train", train.name());
        assertArrayEquals(new int[] {1, 0, 2, 1, 3, 2, 4, 3, 5, 4}, train.labels());
        assertArrayEquals(TestFiles.cifarPixels(1, 3), train.sampleBytes(5));
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"), train.classes());
        Dataset test = Cifar10BinaryReader.read(tmp, false);
        assertEquals("cifar10-test", test.name());
        assertArrayEquals(new int[] {4, 2, 8}, test.labels());
        assertArrayEquals(TestFiles.cifarPixels(2, 77), test.sampleBytes(2));

        Files.delete(tmp.resolve("batches.meta.txt"));
        assertEquals(Cifar10BinaryReader.CLASSES, Cifar10BinaryReader.read(tmp, false).classes());
    }

    @Test
    void lengthNotAWholeNumberOfRecords() throws IOException {
        Path f = TestFiles.write(tmp.resolve("data_batch_1.bin"), new byte[Cifar10BinaryReader.RECORD * 2 + 5], false);
        IOException e = assertThrows(IOException.class,
                () -> Cifar10BinaryReader.read(List.of(f), Cifar10BinaryReader.CLASSES, "x"));
        assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("size mismatch: file length 6151 is not a whole number of 3073-byte records"),
                e.getMessage());
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path ok = TestFiles.cifarBatch(tmp.resolve("data_batch_1.bin"), 0, 1, 2);
        Path bad = TestFiles.cifarBatch(tmp.resolve("data_batch_2.bin"), 0, 3, 4, 10);
        IOException e = assertThrows(IOException.class,
                () -> Cifar10BinaryReader.read(List.of(ok, bad), Cifar10BinaryReader.CLASSES, "x"));
        assertTrue(e.getMessage().contains("data_batch_2.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("label 10 of record 2 is out of range for 10 classes"), e.getMessage());
    }

    @Test
    void missingBatchIsNamed() throws IOException {
        for (int b = 1; b <= 4; b++) TestFiles.cifarBatch(tmp.resolve("data_batch_" + b + ".bin"), 0, 1);
        IOException e = assertThrows(IOException.class, () -> Cifar10BinaryReader.read(tmp, true));
        assertTrue(e.getMessage().contains("data_batch_5.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void writeRoundTripsAtomically() throws IOException {
        Path b1 = TestFiles.cifarBatch(tmp.resolve("in.bin"), 9, 0, 5, 9, 1);
        Dataset d = Cifar10BinaryReader.read(List.of(b1), Cifar10BinaryReader.CLASSES, "x");
        Path out = tmp.resolve("cache/train.bin");
        Cifar10BinaryReader.write(d, out);
        assertArrayEquals(Files.readAllBytes(b1), Files.readAllBytes(out));
        try (var files = Files.list(out.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        assertThrows(IllegalArgumentException.class, () -> Cifar10BinaryReader.write(
                Dataset.of("g", new byte[4], new int[] {1, 2, 2}, new int[] {0}, List.of("a")), tmp.resolve("g.bin")));
    }
}
