package dev.brink.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulator detects what it must (emu_selftest.cu): the tester is tested before the kernels are. */
class EmulatorSelfTest {
    final EmulatedDevice dev = new EmulatedDevice();

    int[] run(String kernel, int[] grid, int[] block, int n, Object... extra) {
        Device.Buffer b = dev.alloc(4L * n);
        dev.memset(b, 0, 4L * n, (byte) 0);
        KernelArgs a = new KernelArgs().ptr(b);
        for (Object e : extra) a.i32((Integer) e);
        dev.launch(kernel, grid, block, a);
        int[] r = new int[n];
        dev.download(b, 0, r);
        dev.free(b);
        return r;
    }

    @Test
    void sharedMemoryAndBarriersBehaveAsOnAGpu() {
        int[] r = run("selftest_shared_rotate", new int[] {3, 1, 1}, new int[] {64, 1, 1}, 192);
        int[] expected = new int[192];
        for (int b = 0; b < 3; b++) for (int t = 0; t < 64; t++) expected[b * 64 + t] = ((t + 1) % 64) * 10 + b;
        assertArrayEquals(expected, r);
    }

    @Test
    void aMissingBarrierGivesWrongResults() {
        int[] r = run("selftest_missing_barrier", new int[] {2, 1, 1}, new int[] {64, 1, 1}, 128);
        int[] expected = new int[128];
        for (int b = 0; b < 2; b++) for (int t = 0; t < 64; t++) expected[b * 64 + t] = ((t + 1) % 64) * 10 + b;
        assertNotEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(r));
    }

    @Test
    void aBarrierNotEveryThreadReachesIsReported() {
        Emulator.EmulatorException e = assertThrows(Emulator.EmulatorException.class,
                () -> run("selftest_divergent_barrier", new int[] {1, 1, 1}, new int[] {32, 1, 1}, 32));
        assertTrue(e.getMessage().contains("barrier divergence"), e.getMessage());
    }

    @Test
    void aWritePastAnAllocationIsReported() {
        Emulator.EmulatorException e = assertThrows(Emulator.EmulatorException.class,
                () -> run("selftest_overflow", new int[] {1, 1, 1}, new int[] {1, 1, 1}, 8, 8));
        assertTrue(e.getMessage().contains("outside an allocation"), e.getMessage());
    }

    @Test
    void argumentsAreCheckedAgainstTheKernelSignature() {
        Device.Buffer b = dev.alloc(64);
        Emulator.EmulatorException wrongSize = assertThrows(Emulator.EmulatorException.class,
                () -> dev.launch("selftest_overflow", new int[] {1, 1, 1}, new int[] {1, 1, 1}, new KernelArgs().ptr(b).i64(3)));
        assertTrue(wrongSize.getMessage().contains("argument 1 must be a 4-byte value"), wrongSize.getMessage());
        Emulator.EmulatorException notPointer = assertThrows(Emulator.EmulatorException.class,
                () -> dev.launch("selftest_atomic", new int[] {1, 1, 1}, new int[] {1, 1, 1}, new KernelArgs().i32(3)));
        assertTrue(notPointer.getMessage().contains("must be a device pointer"), notPointer.getMessage());
        Emulator.EmulatorException count = assertThrows(Emulator.EmulatorException.class,
                () -> dev.launch("selftest_atomic", new int[] {1, 1, 1}, new int[] {1, 1, 1}, new KernelArgs()));
        assertTrue(count.getMessage().contains("expected 1 arguments"), count.getMessage());
        Emulator.EmulatorException bounds = assertThrows(Emulator.EmulatorException.class,
                () -> dev.launch("selftest_atomic", new int[] {1, 1, 1}, new int[] {2048, 1, 1}, new KernelArgs().ptr(b)));
        assertTrue(bounds.getMessage().contains("exceeds the CUDA limits"), bounds.getMessage());
        dev.free(b);
    }

    @Test
    void atomicsCountEveryThread() {
        int[] r = run("selftest_atomic", new int[] {5, 1, 1}, new int[] {96, 1, 1}, 1);
        assertEquals(480, r[0]);
    }
}
