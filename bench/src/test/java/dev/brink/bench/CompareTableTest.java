package dev.brink.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table joiner on canned engine outputs. */
class CompareTableTest {

    static final String BRINK = """
            # brink bench: backend cpu, 2 threads
            madry_mnist_train_step_b128\t0.080000
            madry_mnist_pgd40_b128\t2.000000
            madry_mnist_igr_double_backprop_step_b128\t0.200000
            madry_mnist_input_hvp_b128\t0.100000
            mlp4x1024_train_step_b100\t0.030000
            mlp4x1024_emr_exact_step_b100\t0.400000
            galloway_cifar_cnn_train_step_b128\t0.016000
            sgemm_1024_gflops\t300.00
            """;
    static final String DL4J = """
            madry_mnist_train_step_b128\t0.800000
            madry_mnist_pgd40_b128\t25.000000
            madry_mnist_igr_double_backprop_step_b128\tn/a
            madry_mnist_input_hvp_b128\tn/a
            mlp4x1024_train_step_b100\t0.270000
            mlp4x1024_emr_exact_step_b100\tn/a
            galloway_cifar_cnn_train_step_b128\t0.700000
            sgemm_1024_gflops\t75.00
            """;
    static final String TORCH = """
            madry_mnist_train_step_b128\t0.160000
            madry_mnist_pgd40_b128\t3.300000
            madry_mnist_igr_double_backprop_step_b128\t0.220000
            madry_mnist_input_hvp_b128\t0.160000
            mlp4x1024_train_step_b100\t0.024000
            mlp4x1024_emr_exact_step_b100\t0.470000
            galloway_cifar_cnn_train_step_b128\t0.016000
            sgemm_1024_gflops\t340.00
            """;

    private static String row(String table, String name) {
        for (String line : table.split("\n")) if (line.startsWith("| " + name + " |")) return line;
        throw new AssertionError("no row " + name + " in\n" + table);
    }

    @Test
    void parsesNameTabValueLinesSkippingComments() {
        Map<String, String> m = CompareTable.parse(BRINK);
        assertEquals(8, m.size());
        assertEquals("0.080000", m.get("madry_mnist_train_step_b128"));
        assertEquals("n/a", CompareTable.parse(DL4J).get("madry_mnist_input_hvp_b128"));
    }

    @Test
    void timeRatiosAreBrinkOverPeerAndGflopsRatiosAreInverted() {
        String t = CompareTable.table(CompareTable.parse(BRINK), CompareTable.parse(DL4J), CompareTable.parse(TORCH), List.of("note line"));
        assertTrue(t.startsWith("note line\n"), t);
        assertTrue(t.contains("| workload | Brink | DL4J | PyTorch | Brink/DL4J | Brink/PyTorch |"), t);
        assertEquals("| madry_mnist_train_step_b128 | 0.08 | 0.8 | 0.16 | 0.10 | 0.50 |", row(t, "madry_mnist_train_step_b128"));
        assertEquals("| madry_mnist_pgd40_b128 | 2 | 25 | 3.3 | 0.08 | 0.61 |", row(t, "madry_mnist_pgd40_b128"));
        // GFLOP/s: peer / Brink, so below 1 still means Brink is faster
        assertEquals("| sgemm_1024_gflops | 300 | 75 | 340 | 0.25 | 1.13 |", row(t, "sgemm_1024_gflops"));
        assertEquals("| mlp4x1024_train_step_b100 | 0.03 | 0.27 | 0.024 | 0.11 | 1.25 |", row(t, "mlp4x1024_train_step_b100"));
    }

    @Test
    void unsupportedOrMissingValuesShowAsNa() {
        String t = CompareTable.table(CompareTable.parse(BRINK), CompareTable.parse(DL4J), Map.of(), List.of());
        assertEquals("| madry_mnist_input_hvp_b128 | 0.1 | n/a | n/a | n/a | n/a |", row(t, "madry_mnist_input_hvp_b128"));
        assertEquals("| madry_mnist_igr_double_backprop_step_b128 | 0.2 | n/a | n/a | n/a | n/a |", row(t, "madry_mnist_igr_double_backprop_step_b128"));
        assertTrue(t.contains("on 0 of 0 workloads"), t);
    }

    @Test
    void rowsFollowTheWorkloadOrderAndOnlyListWhatWasRun() {
        String t = CompareTable.table(Map.of("sgemm_1024_gflops", "100", "madry_mnist_train_step_b128", "0.1"),
                Map.of("sgemm_1024_gflops", "50"), Map.of("extra_workload", "1"), List.of());
        List<String> rows = t.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| workload")).toList();
        assertEquals(3, rows.size(), t);
        assertTrue(rows.get(0).startsWith("| madry_mnist_train_step_b128 |"), t);
        assertTrue(rows.get(1).startsWith("| sgemm_1024_gflops | 100 | 50 | n/a | 0.50 | n/a |"), t);
        assertTrue(rows.get(2).startsWith("| extra_workload | n/a | n/a | 1 |"), t);
    }

    @Test
    void countsWorkloadsWhereBrinkIsAtLeastAsFastAsPyTorch() {
        String t = CompareTable.table(CompareTable.parse(BRINK), CompareTable.parse(DL4J), CompareTable.parse(TORCH), List.of());
        // faster or equal: train 0.5, pgd 0.61, igr 0.91, hvp 0.63, emr 0.85, galloway 1.00; slower: mlp 1.25, sgemm 1.13
        assertTrue(t.contains("Brink at least as fast as PyTorch (ratio <= 1.00) on 6 of 8 workloads."), t);
    }

    @Test
    void readsFilesAndTreatsAMissingFileAsEmpty(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("brink.tsv");
        Files.writeString(f, BRINK);
        assertEquals(8, CompareTable.read(f).size());
        assertTrue(CompareTable.read(dir.resolve("absent.tsv")).isEmpty());
    }

    @Test
    void loadNoteSummarizesOtherProcessesPerRun() {
        String note = CompareTable.loadNote("Brink\t0.01\t0.00\t95\nDL4J\t0.50\t0.02\t300\n");
        assertEquals("Other processes during each run, mean cores busy (hypervisor steal): Brink 0.01 (steal 0.00) over 95 s; "
                + "DL4J 0.50 (steal 0.02) over 300 s.", note);
        assertEquals(null, CompareTable.loadNote(""));
    }

    @Test
    void ratioConvention() {
        assertEquals(0.5, CompareTable.ratio("madry_mnist_train_step_b128", 1, 2));
        assertEquals(2.0, CompareTable.ratio("sgemm_1024_gflops", 100, 200));
        assertTrue(Double.isNaN(CompareTable.ratio("x", Double.NaN, 1)));
    }
}
