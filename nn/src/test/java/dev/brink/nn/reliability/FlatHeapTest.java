package dev.brink.nn.reliability;

import dev.brink.engine.Generator;
import dev.brink.nn.data.Dataset;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Schedule;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.Trainer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long training run keeps a flat heap: 10,000 optimizer steps of a small model through {@link Trainer} (data
 * loader, objective, autograd, Adam), with the live heap measured after a full collection at intervals. Nothing a
 * step creates may stay reachable: graphs, gradients, optimizer state replaced each step, scratch buffers.
 */
class FlatHeapTest {
    private static final String SPEC = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":16},"
            + "{\"type\":\"relu\"},{\"type\":\"dropout\",\"p\":0.1},{\"type\":\"linear\",\"out\":3}]}";

    private static long liveHeap(MemoryMXBean mem) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            System.gc();
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    @Test
    void tenThousandStepsKeepAFlatHeap() throws Exception {
        int n = 64, batch = 8, stepsPerEpoch = n / batch, epochsPerRound = 250, rounds = 5; // 5 x 2000 steps
        byte[] px = new byte[n * 16];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int p = 0; p < 16; p++) px[i * 16 + p] = (byte) (((p % 3 == y[i]) ? 200 : 20) + (int) (Generator.bits(7, i * 16L + p) & 31));
        }
        Dataset d = Dataset.of("toy", px, new int[] {1, 4, 4}, y, List.of("a", "b", "c"));
        SpecModel m = ModelSpec.build(SPEC, new Generator(1));
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        List<Long> heap = new ArrayList<>();
        long steps = 0;
        Trainer.EpochResult last = null;
        var opt = new Adam(m.trainableParameters(), 0.01);
        for (int r = 0; r < rounds; r++) {
            Trainer t = new Trainer(m, new ModelInfo(m.specJson(), ""), opt, Schedule.constant(0.01), Objective.crossEntropy(0),
                    new Trainer.Config(epochsPerRound, batch, r, 64));
            last = t.fit(d, null, null, null);
            steps += (long) epochsPerRound * stepsPerEpoch;
            heap.add(liveHeap(mem));
        }
        assertEquals(10_000, steps);
        assertTrue(last.trainAccuracy() > 0.9, "it did train: " + last.trainAccuracy());
        // after the first round (warm-up: classes, scratch buffers) the live heap stays within 2 MB over 8000 more steps
        long base = heap.get(1), max = heap.subList(1, heap.size()).stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(max - base < 2L << 20, "live heap after each 2000 steps (bytes): " + heap);
    }
}
