package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.brink.nn.optim.OptimVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The schedule cases of {@code test-vectors/optim.json}: each schedule is read from its JSON with
 * {@link Schedule#fromJson}; its values for epochs 0..11 must match the learning rates that PyTorch's scheduler
 * produced (StepLR, MultiStepLR, CosineAnnealingLR, LinearLR, a ChainedScheduler warmup) to 1e-12 and PyTorch's
 * closed form to 1e-14; its JSON must round-trip.
 */
class ScheduleVectorTest {
    @TestFactory
    Stream<DynamicTest> schedules() {
        List<JsonNode> cases = new ArrayList<>();
        OptimVectors.root().get("schedule_cases").forEach(cases::add);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }

    private static void check(JsonNode c) {
        String name = c.get("name").asText();
        Schedule s = Schedule.fromJson(c.get("schedule").toString());
        JsonNode closed = c.get("closed_form");
        assertEquals(OptimVectors.root().get("epochs").asInt(), closed.size());
        for (int e = 0; e < closed.size(); e++) {
            assertClose(name + " closed form at epoch " + e, closed.get(e).asDouble(), s.value(e), 1e-14);
            if (c.has("lr")) assertClose(name + " torch lr at epoch " + e, c.get("lr").get(e).asDouble(), s.value(e), 1e-12);
        }
        Schedule back = Schedule.fromJson(s.toJson());
        assertEquals(s, back, name + ": JSON round trip");
        assertEquals(s.toJson(), back.toJson(), name + ": JSON round trip");
    }
}
