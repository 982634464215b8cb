package dev.brink.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** make gpu-check's Brink / PyTorch table on canned outputs of bench/scripts/interleave.py (two rounds pooled). */
class GpuCompareTableTest {

    static final String BRINK = """
            # brink bench: backend cuda
            madry_mnist_train_step_b128\t0.006\tpeak_rss_mib=900\treps=0.006,0.007,0.005
            madry_mnist_input_hvp_b128\t0.0035\tpeak_rss_mib=900\treps=0.0034,0.0036
            mlp4x1024_train_step_b100\tn/a\tfailed=exit 1: brink bench: out of device memory
            sgemm_1024_gflops\t12000\tpeak_rss_mib=800\treps=0.000179,0.000179
            madry_mnist_train_step_b128\t0.0062\tpeak_rss_mib=910\treps=0.0062,0.0064
            """;
    static final String TORCH = """
            madry_mnist_train_step_b128\t0.002\tpeak_rss_mib=2000\treps=0.002,0.0019
            madry_mnist_input_hvp_b128\t0.0041\tpeak_rss_mib=2000\treps=0.004,0.0042
            mlp4x1024_train_step_b100\t0.0018\tpeak_rss_mib=2000\treps=0.0018
            sgemm_1024_gflops\t24000\tpeak_rss_mib=2000\treps=0.0000895,0.0000895
            """;

    private static String row(String table, String name) {
        for (String line : table.split("\n")) if (line.startsWith("| " + name + " |")) return line;
        throw new AssertionError("no row " + name + " in\n" + table);
    }

    @Test
    void ratiosPerWorkloadWithTheFailedRunAsNaAndASummary() {
        String t = GpuCompareTable.table(CompareTable.parse(BRINK), CompareTable.parse(TORCH),
                GpuCompareTable.failures(BRINK), GpuCompareTable.failures(TORCH), List.of("device: test"));
        assertTrue(t.startsWith("device: test\n"), t);
        // rounds pooled: Brink's 5 reps 0.005..0.007, median 0.0062; PyTorch 0.0019 / 0.00195
        assertEquals("| madry_mnist_train_step_b128 | 0.005 / 0.0062 | 0.0019 / 0.00195 | 2.63 / 3.18 |", row(t, Workloads.MADRY_TRAIN));
        assertEquals("| madry_mnist_input_hvp_b128 | 0.0034 / 0.0035 | 0.004 / 0.0041 | 0.85 / 0.85 |", row(t, Workloads.MADRY_HVP));
        assertEquals("| mlp4x1024_train_step_b100 | n/a | 0.0018 / 0.0018 | n/a |", row(t, Workloads.MLP_TRAIN));
        // GFLOP/s rows: the ratio is PyTorch's GFLOP/s over Brink's (time ratio of equal work), 2.0 here
        assertTrue(row(t, Workloads.SGEMM).endsWith("| 2.00 / 2.00 |"), row(t, Workloads.SGEMM));
        assertTrue(t.contains("Brink at or below PyTorch's median time on 1 of 3 workloads, within 1.5x on 1 of 3. "
                + "Largest ratio: madry_mnist_train_step_b128 (3.18)."), t);
        assertTrue(t.contains("No ratio (a side missing or failed):\n- mlp4x1024_train_step_b100 (Brink: exit 1: brink bench: out of device memory)\n"), t);
        assertEquals(Map.of(Workloads.MLP_TRAIN, "exit 1: brink bench: out of device memory"), GpuCompareTable.failures(BRINK));
        assertTrue(GpuCompareTable.failures(TORCH).isEmpty());
        // rows in the bench's workload order
        assertTrue(t.indexOf(Workloads.MADRY_TRAIN) < t.indexOf(Workloads.MADRY_HVP) && t.indexOf(Workloads.MLP_TRAIN) < t.indexOf(Workloads.SGEMM), t);
    }

    @Test
    void emptyInputsGiveAnEmptyTableThatSaysSo() {
        String t = GpuCompareTable.table(Map.of(), Map.of(), List.of());
        assertTrue(t.contains("on 0 of 0 workloads"), t);
        assertFalse(t.contains("Largest ratio"), t);
    }
}
