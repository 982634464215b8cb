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

    private static Map<String, CompareTable.Runs> parse(String s) {
        return CompareTable.parse(s);
    }

    @Test
    void parsesNameTabValueLinesSkippingComments() {
        Map<String, CompareTable.Runs> m = parse(BRINK);
        assertEquals(8, m.size());
        assertEquals(0.08, m.get("madry_mnist_train_step_b128").median());
        assertTrue(Double.isNaN(parse(DL4J).get("madry_mnist_input_hvp_b128").median()));
    }

    @Test
    void timeRatiosAreBrinkOverPeerAndGflopsRatiosAreInverted() {
        String t = CompareTable.table(parse(BRINK), parse(DL4J), parse(TORCH), List.of("note line"));
        assertTrue(t.startsWith("note line\n"), t);
        assertTrue(t.contains("| workload | Brink | DL4J | PyTorch | Brink/DL4J | Brink/PyTorch | peak RSS MiB Brink / DL4J / PyTorch |"), t);
        assertEquals("| madry_mnist_train_step_b128 | 0.08 / 0.08 | 0.8 / 0.8 | 0.16 / 0.16 | 0.10 / 0.10 | 0.50 / 0.50 | n/a / n/a / n/a |",
                row(t, "madry_mnist_train_step_b128"));
        // GFLOP/s: peer / Brink, so below 1 still means Brink is faster
        assertEquals("| sgemm_1024_gflops | 300 / 300 | 75 / 75 | 340 / 340 | 0.25 / 0.25 | 1.13 / 1.13 | n/a / n/a / n/a |", row(t, "sgemm_1024_gflops"));
    }

    @Test
    void roundsArePooledIntoBestAndMedianAndThePeakMemoryIsTheLargestRound() {
        // two rounds of Brink, one of PyTorch: Brink's reps 0.10 0.30 0.20 | 0.12 0.50 -> best 0.10, median 0.20
        String brink = "madry_mnist_train_step_b128\t0.200000\tpeak_rss_mib=700\treps=0.100000,0.300000,0.200000\n"
                + "madry_mnist_train_step_b128\t0.310000\tpeak_rss_mib=650\treps=0.120000,0.500000\n";
        String torch = "madry_mnist_train_step_b128\t0.150000\tpeak_rss_mib=400\treps=0.050000,0.150000,0.400000\n";
        Map<String, CompareTable.Runs> b = parse(brink);
        assertEquals(0.10, b.get("madry_mnist_train_step_b128").best(), 1e-12);
        assertEquals(0.20, b.get("madry_mnist_train_step_b128").median(), 1e-12);
        assertEquals(700, b.get("madry_mnist_train_step_b128").peakRss());
        String t = CompareTable.table(b, Map.of(), parse(torch), List.of());
        assertEquals("| madry_mnist_train_step_b128 | 0.1 / 0.2 | n/a | 0.05 / 0.15 | n/a | 2.00 / 1.33 | 700 / n/a / 400 |",
                row(t, "madry_mnist_train_step_b128"));
        assertTrue(t.contains("on 0 of 1 workloads by best time, 0 of 1 by median time."), t);
        assertTrue(t.contains("Brink's peak resident memory at most PyTorch's on 0 of 1 workloads."), t);
    }

    @Test
    void gflopsRowsTakeTheirBestFromTheFastestRep() {
        // 2 GFLOP of work: the median rep 0.01 s is 200 GFLOP/s, the best rep 0.008 s 250 GFLOP/s
        Map<String, CompareTable.Runs> m = parse("sgemm_1024_gflops\t200.00\tpeak_rss_mib=90\treps=0.010000,0.008000,0.012000\n");
        assertEquals(250.0, m.get("sgemm_1024_gflops").best(), 1e-6);
        assertEquals(200.0, m.get("sgemm_1024_gflops").median(), 1e-6);
    }

    @Test
    void scalingTableGivesOneToNThreadSpeedUps() {
        Map<String, CompareTable.Runs> two = parse("madry_mnist_train_step_b128\t0.1\treps=0.1,0.1,0.1\n");
        Map<String, CompareTable.Runs> one = parse("madry_mnist_train_step_b128\t0.16\treps=0.16,0.17,0.15\n");
        String s = CompareTable.scalingTable(List.of(two, Map.of(), two), List.of(one, Map.of(), Map.of()), 2);
        assertTrue(s.contains("| workload | Brink 1 / 2 thr | Brink speed-up |"), s);
        assertEquals("| madry_mnist_train_step_b128 | 0.16 / 0.1 | 1.60 |", row(s, "madry_mnist_train_step_b128"));
        assertEquals("", CompareTable.scalingTable(List.of(two, two, two), List.of(Map.of(), Map.of(), Map.of()), 2));
    }

    @Test
    void unsupportedOrMissingValuesShowAsNa() {
        String t = CompareTable.table(parse(BRINK), parse(DL4J), Map.of(), List.of());
        assertEquals("| madry_mnist_input_hvp_b128 | 0.1 / 0.1 | n/a | n/a | n/a | n/a | n/a / n/a / n/a |", row(t, "madry_mnist_input_hvp_b128"));
        assertTrue(t.contains("on 0 of 0 workloads"), t);
    }

    @Test
    void rowsFollowTheWorkloadOrderAndOnlyListWhatWasRun() {
        String t = CompareTable.table(parse("sgemm_1024_gflops\t100\nmadry_mnist_train_step_b128\t0.1\n"),
                parse("sgemm_1024_gflops\t50\n"), parse("extra_workload\t1\n"), List.of());
        List<String> rows = t.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| workload")).toList();
        assertEquals(3, rows.size(), t);
        assertTrue(rows.get(0).startsWith("| madry_mnist_train_step_b128 |"), t);
        assertTrue(rows.get(1).startsWith("| sgemm_1024_gflops | 100 / 100 | 50 / 50 | n/a | 0.50 / 0.50 | n/a |"), t);
        assertTrue(rows.get(2).startsWith("| extra_workload | n/a | n/a | 1 / 1 |"), t);
    }

    @Test
    void countsWorkloadsWhereBrinkIsAtLeastAsFastAsPyTorch() {
        String t = CompareTable.table(parse(BRINK), parse(DL4J), parse(TORCH), List.of());
        // faster or equal: train 0.5, pgd 0.61, igr 0.91, hvp 0.63, emr 0.85, galloway 1.00; slower: mlp 1.25, sgemm 1.13
        assertTrue(t.contains("Brink at least as fast as PyTorch (ratio <= 1.00) on 6 of 8 workloads by best time, 6 of 8 by median time."), t);
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
        assertEquals("Other processes during each engine's runs, mean cores busy (hypervisor steal): Brink 0.01 (steal 0.00) over 95 s; "
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
