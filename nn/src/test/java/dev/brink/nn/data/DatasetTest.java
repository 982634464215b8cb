package dev.brink.nn.data;

import dev.brink.engine.DType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    /** {@code n} samples of shape [2, 1, 3]: sample i's bytes are (i, 10+i, 20+i, 100+i, 200+i, 255-i); label i % 4. */
    static Dataset tiny(int n) {
        byte[] px = new byte[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int[] v = {i, 10 + i, 20 + i, 100 + i, 200 + i, 255 - i};
            for (int p = 0; p < 6; p++) px[i * 6 + p] = (byte) v[p];
            labels[i] = i % 4;
        }
        return Dataset.of("tiny", px, new int[] {2, 1, 3}, labels, List.of("a", "b", "c", "d"));
    }

    /** The id of a sample of {@link #tiny}: its first byte. */
    static int id(Dataset d, int i) {
        return d.sampleBytes(i)[0] & 0xFF;
    }

    @Test
    void basics() {
        Dataset d = tiny(10);
        assertEquals(10, d.size());
        assertArrayEquals(new int[] {2, 1, 3}, d.sampleShape());
        assertEquals(6, d.sampleSize());
        assertEquals(2, d.channels());
        assertEquals(1, d.height());
        assertEquals(3, d.width());
        assertEquals(List.of("a", "b", "c", "d"), d.classes());
        assertEquals(4, d.numClasses());
        assertArrayEquals(new int[] {3, 3, 2, 2}, d.classCounts());
        assertEquals(3, d.label(7));
    }

    @Test
    void ofCopiesAndValidates() {
        byte[] px = new byte[6];
        int[] labels = {1};
        Dataset d = Dataset.of("x", px, new int[] {1, 2, 3}, labels, List.of("a", "b"));
        px[0] = 9;
        labels[0] = 0;
        assertEquals(0, d.sampleBytes(0)[0]);
        assertEquals(1, d.label(0));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("x", new byte[5], new int[] {1, 2, 3}, new int[] {0}, List.of("a")));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("x", new byte[6], new int[] {1, 2, 3}, new int[] {2}, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("x", new byte[6], new int[] {6}, new int[] {0}, List.of("a")));
    }

    @Test
    void batchConvertsBytesToFloatsOver255() {
        Dataset d = tiny(10);
        Batch b = d.batch(new int[] {7, 2});
        assertArrayEquals(new int[] {2, 2, 1, 3}, b.x().shape());
        assertEquals(DType.FLOAT32, b.x().dtype());
        assertEquals(DType.INT32, b.y().dtype());
        assertArrayEquals(new int[] {2}, b.y().shape());
        assertArrayEquals(new int[] {3, 2}, b.y().toIntArray());
        assertArrayEquals(new int[] {7, 2}, b.indices());
        assertEquals(2, b.size());
        float[] x = b.x().toFloatArray();
        int[] first = {7, 17, 27, 107, 207, 248};
        int[] second = {2, 12, 22, 102, 202, 253};
        for (int p = 0; p < 6; p++) {
            assertEquals(first[p] / 255f, x[p]);
            assertEquals(second[p] / 255f, x[6 + p]);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> d.batch(new int[] {10}));
    }

    @Test
    void xAndYRanges() {
        Dataset d = tiny(10);
        assertArrayEquals(new int[] {3, 2, 1, 3}, d.x(4, 7).shape());
        assertEquals(4 / 255f, d.x(4, 7).toFloatArray()[0]);
        assertEquals(1f, d.x(0, 1).toFloatArray()[5]);
        assertArrayEquals(new int[] {0, 1, 2}, d.y(4, 7).toIntArray());
        assertArrayEquals(d.x(2, 5).toFloatArray(), d.batch(2, 5).x().toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> d.x(8, 11));
    }

    @Test
    void subsetCopiesInTheGivenOrder() {
        Dataset d = tiny(10);
        Dataset s = d.subset(new int[] {9, 0, 9, 4});
        assertEquals(4, s.size());
        assertArrayEquals(new int[] {9, 0, 9, 4}, new int[] {id(s, 0), id(s, 1), id(s, 2), id(s, 3)});
        assertArrayEquals(new int[] {1, 0, 1, 0}, s.labels());
        assertEquals(d.classes(), s.classes());
        assertArrayEquals(d.sampleBytes(4), s.sampleBytes(3));
        assertEquals(0, d.subset(new int[0]).size());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {-1}));
    }

    @Test
    void splitIsSeededDisjointAndComplete() {
        Dataset d = tiny(50);
        Dataset.Split s = d.split(12, 4);
        assertEquals(38, s.train().size());
        assertEquals(12, s.validation().size());
        assertEquals("tiny-train", s.train().name());
        assertEquals("tiny-val", s.validation().name());
        Set<Integer> seen = new HashSet<>();
        int prev = -1;
        for (int i = 0; i < s.train().size(); i++) {
            int id = id(s.train(), i);
            assertTrue(id > prev, "train keeps the original order");
            prev = id;
            assertTrue(seen.add(id));
            assertEquals(id % 4, s.train().label(i));
        }
        prev = -1;
        for (int i = 0; i < s.validation().size(); i++) {
            int id = id(s.validation(), i);
            assertTrue(id > prev, "validation keeps the original order");
            prev = id;
            assertTrue(seen.add(id), "train and validation are disjoint");
        }
        assertEquals(50, seen.size());

        Dataset.Split again = d.split(12, 4);
        assertArrayEquals(ids(s.validation()), ids(again.validation()));
        assertNotEquals(Arrays.toString(ids(s.validation())), Arrays.toString(ids(d.split(12, 5).validation())));
        assertEquals(0, d.split(0, 1).validation().size());
        assertEquals(50, d.split(50, 1).validation().size());
        assertThrows(IllegalArgumentException.class, () -> d.split(51, 1));
        assertThrows(IllegalArgumentException.class, () -> d.split(-1, 1));
    }

    private static int[] ids(Dataset d) {
        int[] r = new int[d.size()];
        for (int i = 0; i < r.length; i++) r[i] = id(d, i);
        return r;
    }

    @Test
    void filterClassesRelabelsInTheGivenOrder() {
        Dataset d = tiny(12); // labels 0 1 2 3 0 1 2 3 0 1 2 3
        Dataset f = d.filterClasses(3, 1); // like mnist-3v7: keep[j] -> j
        assertEquals(List.of("d", "b"), f.classes());
        assertArrayEquals(new int[] {1, 3, 5, 7, 9, 11}, ids(f));
        assertArrayEquals(new int[] {1, 0, 1, 0, 1, 0}, f.labels());
        assertArrayEquals(d.sampleBytes(7), f.sampleBytes(3));
        assertThrows(IllegalArgumentException.class, () -> d.filterClasses());
        assertThrows(IllegalArgumentException.class, () -> d.filterClasses(1, 1));
        assertThrows(IllegalArgumentException.class, () -> d.filterClasses(4));
    }
}
