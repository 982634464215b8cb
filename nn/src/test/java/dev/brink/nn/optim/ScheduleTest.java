package dev.brink.nn.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest {
    @Test
    void closedForms() {
        assertEquals(0.1, Schedule.constant(0.1).value(7));
        StepDecay step = Schedule.stepDecay(1.0, 3, 0.5);
        assertArrayEquals(new double[] {1, 1, 1, 0.5, 0.5, 0.5, 0.25}, values(step, 7));
        MultiStep ms = Schedule.multiStep(1.0, new int[] {5, 2, 2}, 0.5); // unsorted, repeated milestone
        assertArrayEquals(new double[] {1, 1, 0.25, 0.25, 0.25, 0.125}, values(ms, 6));
        assertArrayEquals(new int[] {2, 2, 5}, ms.milestones());
        Cosine cos = Schedule.cosine(1.0, 4, 0.0);
        assertEquals(1.0, cos.value(0));
        assertEquals(0.5, cos.value(2), 1e-15);
        assertEquals(0.0, cos.value(4), 1e-15);
        assertEquals(cos.value(3), cos.value(5), 1e-15); // PyTorch's closed form continues the cosine past T_max
        Linear lin = Schedule.linear(2.0, 0.5, 1.0, 4);
        assertArrayEquals(new double[] {1.0, 1.25, 1.5, 1.75, 2.0, 2.0}, values(lin, 6), 1e-15);
        Warmup w = Schedule.warmup(Schedule.constant(0.2), 2, 0.0);
        assertArrayEquals(new double[] {0.0, 0.1, 0.2, 0.2}, values(w, 4), 1e-15);
    }

    @Test
    void proportionalFollowsTheReference() {
        Schedule lr = Schedule.stepDecay(0.1, 2, 0.1);
        Proportional reg = Schedule.proportionalTo(lr, 5e-4);
        for (int e = 0; e < 8; e++) assertEquals(5e-4 * lr.value(e) / lr.value(0), reg.value(e), 0.0);
        assertEquals(5e-4, reg.value(0), 0.0);
        assertEquals(5e-6, reg.value(4), 1e-20);
        Schedule warm = Schedule.warmup(Schedule.constant(0.1), 3, 0.0); // value(0) == 0
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Schedule.proportionalTo(warm, 1));
        assertTrue(ex.getMessage().contains("epoch 0"), ex.getMessage());
    }

    @Test
    void nestedJsonRoundTrip() {
        Schedule s = Schedule.proportionalTo(Schedule.warmup(Schedule.multiStep(0.3, new int[] {4, 8}, 0.1), 2, 0.25), 1e-3);
        String json = s.toJson();
        Schedule back = Schedule.fromJson(json);
        assertEquals(s, back);
        assertEquals(json, back.toJson());
        for (int e = 0; e < 12; e++) assertEquals(s.value(e), back.value(e), 0.0);
        // doubles survive exactly
        Schedule odd = Schedule.cosine(0.1 + 0.2, 7, 1.0 / 3);
        assertEquals(odd, Schedule.fromJson(odd.toJson()));
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class, () -> Schedule.constant(1).value(-1));
        assertThrows(IllegalArgumentException.class, () -> Schedule.stepDecay(1, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedule.constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Schedule.fromJson("{\"type\":\"exp\",\"base\":1}"));
        assertThrows(IllegalArgumentException.class, () -> Schedule.fromJson("{\"type\":\"step\",\"base\":1,\"gamma\":0.1}"));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Schedule.fromJson("{\"type\":\"constant\",\"base\":1,\"bse\":2}"));
        assertTrue(ex.getMessage().contains("bse"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Schedule.fromJson("{\"type\":\"step\",\"base\":1,\"step_size\":2.5,\"gamma\":0.1}"));
        assertThrows(IllegalArgumentException.class, () -> Schedule.fromJson("not json"));
        Schedule custom = e -> 1.0 / (1 + e);
        assertEquals(0.5, custom.value(1));
        assertThrows(UnsupportedOperationException.class, custom::toJson);
    }

    private static double[] values(Schedule s, int n) {
        double[] v = new double[n];
        for (int e = 0; e < n; e++) v[e] = s.value(e);
        return v;
    }
}
