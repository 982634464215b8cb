package dev.brink.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The wide gathering tile (4 rows x 2nr columns) gives, bit for bit, what two {@link SgemmKernel#gatherTile}
 * calls give for the same rows and columns: stored and accumulated, with row offsets, step offsets and a leading
 * dimension wider than the tile.
 */
class GatherTileWideTest {
    @Test
    void equalsTwoNarrowTilesBitForBit() {
        SgemmKernel k = SgemmKernel.get();
        assumeTrue(k.gathersWide(), "the kernel in use (" + k.describe() + ") has no wide gathering tile (it needs 16 float lanes)");
        SplittableRandom rng = new SplittableRandom(5);
        int nr = k.nr, mr = k.mr, ldb = 3 * nr + 8, ldc = ldb + 5;
        for (int trial = 0; trial < 20; trial++) {
            int kc = 1 + rng.nextInt(140);
            float[] x = new float[4000];
            for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
            int[] rows = new int[mr + 3], steps = new int[kc + 7];
            for (int i = 0; i < rows.length; i++) rows[i] = rng.nextInt(2000);
            for (int i = 0; i < steps.length; i++) steps[i] = rng.nextInt(2000);
            float[] b = new float[(kc + 2) * ldb];
            for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextGaussian();
            int ro = rng.nextInt(4), so = rng.nextInt(7), bo = ldb + rng.nextInt(ldb - 2 * nr + 1);
            boolean add = trial % 2 == 1;
            float[] start = new float[6 * ldc];
            for (int i = 0; i < start.length; i++) start[i] = (float) rng.nextGaussian();
            float[] wide = start.clone(), narrow = start.clone();
            int co = ldc + 3;
            k.gatherTileWide(kc, x, rows, ro, steps, so, b, bo, ldb, wide, co, ldc, add);
            // two narrow tiles over rows ro..ro+mr-1 compute rows ro..ro+3 as their first four; the rest is scratch
            float[] scratch = new float[mr * ldc + 2 * nr];
            for (int r = 0; r < 4; r++) System.arraycopy(start, co + r * ldc, scratch, r * ldc, 2 * nr);
            k.gatherTile(kc, x, rows, ro, steps, so, b, bo, ldb, scratch, 0, ldc, add);
            k.gatherTile(kc, x, rows, ro, steps, so, b, bo + nr, ldb, scratch, nr, ldc, add);
            for (int r = 0; r < 4; r++) System.arraycopy(scratch, r * ldc, narrow, co + r * ldc, 2 * nr);
            assertArrayEquals(narrow, wide, "kc " + kc + ", add " + add + ": the wide tile must write exactly the narrow tiles' values");
        }
    }
}
