package dev.brink.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Every Brink workload runs once at smoke sizes and produces a finite number, in the issue's order and names. */
class BrinkWorkloadsTest {

    @Test
    void theWorkloadsAreTheIssuesListInTableOrder() {
        assertEquals(List.of("madry_mnist_train_step_b128", "madry_mnist_pgd40_b128", "madry_mnist_pgd7_at_step_b128",
                "madry_mnist_igr_double_backprop_step_b128", "madry_mnist_jacreg_step_b128", "madry_mnist_input_hvp_b128",
                "madry_mnist_trades_step_b128", "mlp4x1024_train_step_b100", "mlp4x1024_emr_exact_step_b100", "mlp4x1024_emr_approx_step_b100",
                "galloway_cifar_cnn_train_step_b128", "resnet18_cifar_train_step_b32", "vgg16_cifar_train_step_b32",
                "wrn_16_4_cifar_pgd10_b32", "madry_mnist_apgd_ce100_b100", "autoattack_standard_madry_mnist_b100", "sgemm_1024_gflops"), Workloads.NAMES);
        assertEquals(Workloads.NAMES, BrinkWorkloads.all().stream().map(Workload::name).toList());
    }

    @Test
    void everyWorkloadRunsAtSmokeSizeAndGivesAFiniteNumber() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        List<Harness.Result> results = Harness.runAll(BrinkWorkloads.all(), Harness.Options.smokeTest(), out, null);
        assertEquals(Workloads.NAMES.size(), results.size());
        for (Harness.Result r : results) {
            assertTrue(r.supported(), r.name());
            assertTrue(Double.isFinite(r.value()), r.name() + " value " + r.value());
            assertTrue(Double.isFinite(r.medianSeconds()) && r.medianSeconds() > 0, r.name() + " time " + r.medianSeconds());
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(Workloads.NAMES.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            assertEquals(4, f.length, lines[i]);
            assertEquals(Workloads.NAMES.get(i), f[0]);
            double v = Double.parseDouble(f[1]);
            assertTrue(Double.isFinite(v) && v > 0, lines[i]);
            assertTrue(f[2].matches("peak_rss_mib=[1-9][0-9]*"), lines[i]);
            assertTrue(f[3].matches("reps=[0-9.]+"), lines[i]);
        }
    }

    @Test
    void deepCifarModelsHaveExactlyThePyTorchSidesParameters() {
        // counts of bench/pytorch/workloads.py's resnet18(), vgg16() and wrn(16, 4) (sum of p.numel() over
        // model.parameters(); BN weight and bias included): the same layers, widths and biases on both sides
        dev.brink.engine.Generator gen = new dev.brink.engine.Generator(1);
        assertEquals(11_173_962L, parameters(dev.brink.nn.zoo.Zoo.build("resnet18", dev.brink.nn.zoo.Zoo.Options.DEFAULT, gen)));
        assertEquals(14_724_042L, parameters(dev.brink.nn.zoo.Zoo.build("vgg16-cifar", dev.brink.nn.zoo.Zoo.Options.DEFAULT, gen)));
        assertEquals(2_748_890L, parameters(dev.brink.nn.zoo.Zoo.build("wrn-16-4", dev.brink.nn.zoo.Zoo.Options.DEFAULT, gen)));
    }

    private static long parameters(dev.brink.nn.Module m) {
        long n = 0;
        for (dev.brink.engine.Tensor p : m.trainableParameters().values()) n += p.numel();
        return n;
    }

    @Test
    void trainingStepsLowerTheLossOnAFixedBatch() {
        // the timed step really trains: repeated Adam steps on one batch reduce its loss
        Workload.Step step = BrinkWorkloads.byName(Workloads.GALLOWAY_TRAIN).prepare(true);
        double first = step.run();
        double last = first;
        for (int i = 0; i < 20; i++) last = step.run();
        assertTrue(last < first, "loss " + first + " -> " + last);
    }

    @Test
    void sgemmIsReportedInGflops() {
        Workload w = BrinkWorkloads.byName(Workloads.SGEMM);
        assertEquals(2.0 * 64 * 64 * 64, w.flops(true));
        Harness.Result r = Harness.measure(w, Harness.Options.smokeTest());
        assertEquals(r.flops() / r.medianSeconds() / 1e9, r.gflops(), 1e-9);
        assertTrue(Workloads.isGflops(r.name()));
    }

    @Test
    void selectionFollowsTheGivenOrderAndRejectsUnknownNames() {
        List<Workload> sel = Harness.select(BrinkWorkloads.all(), List.of(Workloads.SGEMM, Workloads.MADRY_TRAIN));
        assertEquals(List.of(Workloads.SGEMM, Workloads.MADRY_TRAIN), sel.stream().map(Workload::name).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Harness.select(BrinkWorkloads.all(), List.of("nope")));
        assertTrue(e.getMessage().contains("madry_mnist_train_step_b128"), e.getMessage());
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Harness.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Harness.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void commandLineParsing() {
        Bench.Config c = Bench.parse(new String[] {"sgemm_1024_gflops", "--threads", "2", "--reps", "7", "--warmup", "1"});
        assertEquals(List.of("sgemm_1024_gflops"), c.workloads());
        assertEquals(2, c.threads());
        assertEquals(7, c.options().reps());
        assertEquals(1, c.options().warmup());
        assertTrue(Bench.parse(new String[] {"--smoke"}).options().smoke());
        assertEquals(null, Bench.parse(new String[] {"--list"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.parse(new String[] {"--threads"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.parse(new String[] {"--bogus"}));
        assertThrows(IllegalArgumentException.class, () -> Bench.parse(new String[] {"--reps", "0"}));
    }
}
