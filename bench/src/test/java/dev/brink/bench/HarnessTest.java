package dev.brink.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The harness's allocation count: what a repetition allocates, read from the JVM's per-thread counters. */
class HarnessTest {
    @Test
    void allocatedBytesCountAnArrayTheStepAllocates() {
        long before = Harness.allocatedBytes();
        assumeCounted(before);
        float[] big = new float[4_000_000]; // 16 MB
        long after = Harness.allocatedBytes();
        assertTrue(after - before >= 16_000_000L, "counted " + (after - before) + " bytes for a 16 MB array");
        assertEquals(4_000_000, big.length);
    }

    @Test
    void aResultCarriesTheMedianAllocationPerRep() {
        Workload w = BrinkWorkloads.all().get(0);
        Harness.Result r = Harness.runAll(List.of(w), Harness.Options.smokeTest(), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), null).get(0);
        assumeCounted(Harness.allocatedBytes());
        assertTrue(r.allocatedMbPerStep() >= 0, "allocated " + r.allocatedMbPerStep() + " MB");
    }

    private static void assumeCounted(long bytes) {
        org.junit.jupiter.api.Assumptions.assumeTrue(bytes >= 0, "this JVM does not count allocated bytes per thread");
    }
}
