package dev.brink.nn.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    private static final Dataset DATA = DatasetTest.tiny(103);

    private static List<int[]> indices(DataLoader loader, int epoch) {
        List<int[]> out = new ArrayList<>();
        try (DataLoader.BatchIterator it = loader.iterator(epoch)) {
            while (it.hasNext()) out.add(it.next().indices());
        }
        return out;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void sameSeedAndEpochGiveTheSameOrder() {
        DataLoader a = DataLoader.builder(DATA).batchSize(10).shuffle(true).seed(42).build();
        DataLoader b = DataLoader.builder(DATA).batchSize(10).shuffle(true).seed(42).prefetch(false).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            assertArrayEquals(flat(indices(a, epoch)), flat(indices(a, epoch)));
            assertArrayEquals(flat(indices(a, epoch)), flat(indices(b, epoch)), "prefetch does not change the order");
            assertArrayEquals(a.order(epoch), flat(indices(a, epoch)));
        }
    }

    @Test
    void differentEpochsAndSeedsGiveDifferentOrders() {
        DataLoader a = DataLoader.builder(DATA).batchSize(10).shuffle(true).seed(42).build();
        DataLoader c = DataLoader.builder(DATA).batchSize(10).shuffle(true).seed(43).build();
        assertNotEquals(Arrays.toString(a.order(0)), Arrays.toString(a.order(1)));
        assertNotEquals(Arrays.toString(a.order(0)), Arrays.toString(c.order(0)));
        int[] identity = new int[DATA.size()];
        for (int i = 0; i < identity.length; i++) identity[i] = i;
        assertNotEquals(Arrays.toString(identity), Arrays.toString(a.order(0)));
    }

    @Test
    void everyIndexExactlyOncePerEpochWithAPartialLastBatch() {
        DataLoader loader = DataLoader.builder(DATA).batchSize(10).shuffle(true).seed(7).build();
        assertEquals(11, loader.batchesPerEpoch());
        assertEquals(103, loader.samplesPerEpoch());
        for (int epoch = 0; epoch < 4; epoch++) {
            List<int[]> batches = indices(loader, epoch);
            assertEquals(11, batches.size());
            for (int k = 0; k < 10; k++) assertEquals(10, batches.get(k).length);
            assertEquals(3, batches.get(10).length);
            int[] all = flat(batches);
            Arrays.sort(all);
            for (int i = 0; i < 103; i++) assertEquals(i, all[i]);
        }
    }

    @Test
    void dropLastSkipsThePartialBatch() {
        DataLoader loader = DataLoader.builder(DATA).batchSize(10).shuffle(true).seed(7).dropLast(true).build();
        assertEquals(10, loader.batchesPerEpoch());
        assertEquals(100, loader.samplesPerEpoch());
        List<int[]> batches = indices(loader, 2);
        assertEquals(10, batches.size());
        int[] all = flat(batches);
        assertEquals(100, Arrays.stream(all).distinct().count());
        assertArrayEquals(Arrays.copyOf(loader.order(2), 100), all);

        DataLoader exact = DataLoader.builder(DatasetTest.tiny(30)).batchSize(10).dropLast(true).build();
        assertEquals(3, exact.batchesPerEpoch());
        DataLoader tooBig = DataLoader.builder(DatasetTest.tiny(5)).batchSize(10).dropLast(true).build();
        assertEquals(0, tooBig.batchesPerEpoch());
        assertFalse(tooBig.iterator().hasNext());
        DataLoader oneSmall = DataLoader.builder(DatasetTest.tiny(5)).batchSize(10).build();
        assertEquals(1, oneSmall.batchesPerEpoch());
        assertEquals(5, oneSmall.iterator().next().size());
    }

    @Test
    void withoutShuffleTheOrderIsSequentialInEveryEpoch() {
        DataLoader loader = DataLoader.builder(DATA).batchSize(25).build();
        for (int epoch : new int[] {0, 5}) {
            int[] all = flat(indices(loader, epoch));
            for (int i = 0; i < 103; i++) assertEquals(i, all[i]);
        }
        int count = 0;
        for (Batch b : loader) count += b.size();
        assertEquals(103, count);
        count = 0;
        for (Batch b : loader.epoch(3)) count += b.size();
        assertEquals(103, count);
    }

    @Test
    void batchesHoldBytesOver255AndTheirLabels() {
        DataLoader loader = DataLoader.builder(DATA).batchSize(16).shuffle(true).seed(1).build();
        try (DataLoader.BatchIterator it = loader.iterator(0)) {
            while (it.hasNext()) {
                Batch b = it.next();
                assertArrayEquals(new int[] {b.size(), 2, 1, 3}, b.x().shape());
                float[] x = b.x().toFloatArray();
                int[] y = b.y().toIntArray();
                for (int k = 0; k < b.size(); k++) {
                    int i = b.indices()[k];
                    byte[] px = DATA.sampleBytes(i);
                    for (int p = 0; p < 6; p++) assertEquals((px[p] & 0xFF) / 255f, x[k * 6 + p]);
                    assertEquals(DATA.label(i), y[k]);
                }
            }
        }
    }

    @Test
    void closingEarlyStopsTheIterator() throws InterruptedException {
        DataLoader loader = DataLoader.builder(DATA).batchSize(4).shuffle(true).build();
        DataLoader.BatchIterator it = loader.iterator(0);
        assertTrue(it.hasNext());
        it.next();
        it.close();
        it.close();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        // the worker thread ends after close
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline && Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("brink-data-loader") && t.isAlive())) {
            Thread.sleep(10);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("brink-data-loader") && t.isAlive()));
    }

    @Test
    void invalidBatchSize() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(DATA).batchSize(0));
    }
}
