package dev.brink.nn.spec;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.AllocationMeter;
import dev.brink.nn.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** ModelSpec.plan: the tensors a spec's model holds, known without building it (issue 13, case 1). */
class SpecPlanTest {
    static List<String> zoo() {
        return Zoo.names();
    }

    /** The plan lists exactly what the built model holds: names in state-dict order, shapes, buffers, counts, output. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void planMatchesTheBuiltModel(String name) {
        Zoo.Options small = Zoo.Options.DEFAULT.withWidth(0.125);
        SpecPlan plan = ModelSpec.plan(Zoo.spec(name, small));
        SpecModel m = Zoo.build(name, small, new Generator(1));
        List<String> want = new ArrayList<>(), got = new ArrayList<>();
        m.stateDict().forEach((k, t) -> want.add(k + " " + java.util.Arrays.toString(t.shape())));
        plan.state().forEach((k, s) -> got.add(k + " " + java.util.Arrays.toString(s)));
        assertEquals(want, got, name);
        assertEquals(m.namedBuffers().keySet(), plan.buffers(), name);
        assertEquals(m.parameterCount(), plan.parameterCount(), name);
        assertArrayEquals(m.outputShape(), plan.outputShape(), name);
        assertArrayEquals(m.inputShape(), plan.inputShape(), name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mlp-4x1024, 3962890", "vgg16-cifar, 14724042", "resnet18, 11173962", "wrn-34-10, 46160474"})
    void fullSizePlansCountTheParametersWithoutAllocatingThem(String name, long parameters) {
        AllocationMeter meter = AllocationMeter.start();
        SpecPlan plan = ModelSpec.plan(Zoo.spec(name, Zoo.Options.DEFAULT));
        Map<String, Tensor> standIns = plan.standIns();
        long allocated = meter.bytes();
        assertEquals(parameters, plan.parameterCount(), name);
        assertEquals(plan.state().keySet(), standIns.keySet());
        assertTrue(allocated < 16 << 20, name + ": planning allocated " + allocated + " bytes for " + plan.stateBytes() + " bytes of weights");
    }

    @Test
    void aSpecTooLargeForTheHeapFailsBeforeAllocating() {
        // 50,000 -> 40,000 -> 40,000: 3.6e9 parameters, 14 GB as float32, above any test heap
        String spec = "{\"input\":[50000],\"layers\":[{\"type\":\"linear\",\"out\":40000},{\"type\":\"linear\",\"out\":40000}]}";
        AllocationMeter meter = AllocationMeter.start();
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.build(spec, new Generator(0)));
        assertTrue(e.getMessage().contains("3,600,080,000 parameters") && e.getMessage().contains("Java heap"), e.getMessage());
        assertTrue(meter.bytes() < 16 << 20, "allocated " + meter.bytes());
    }

    @Test
    void aTensorBeyondTwoBillionElementsIsNamed() {
        String spec = "{\"input\":[100000],\"layers\":[{\"type\":\"linear\",\"out\":30000}]}";
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.plan(spec));
        assertTrue(e.getMessage().contains("layers.0: weight of shape [30000, 100000] has more than 2147483647 elements"), e.getMessage());
        String flat = "{\"input\":[3,50000,50000],\"layers\":[{\"type\":\"flatten\"}]}";
        e = assertThrows(SpecException.class, () -> ModelSpec.plan(flat));
        assertTrue(e.getMessage().contains("layers.0 (flatten): the input [3, 50000, 50000] has 7500000000 features"), e.getMessage());
    }
}
