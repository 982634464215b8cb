package dev.brink.nn;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecException;
import dev.brink.nn.spec.SpecModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelSpecTest {
    private static final String SPEC = """
            {"input":[1,8,8],"layers":[
              {"type":"conv2d","out":4,"kernel":3,"padding":1},
              {"type":"batchnorm2d"},
              {"type":"relu"},
              {"type":"residual","body":[{"type":"conv2d","out":4,"kernel":3,"padding":1,"bias":false},{"type":"relu"}],"shortcut":[]},
              {"type":"maxpool2d","kernel":2},
              {"type":"residual","body":[{"type":"conv2d","out":6,"kernel":[3,1],"stride":2,"padding":[1,0]}],
                                 "shortcut":[{"type":"conv2d","out":6,"kernel":1,"stride":2,"bias":false}]},
              {"type":"flatten"},
              {"type":"dropout","p":0.25},
              {"type":"linear","out":3}
            ]}""";

    @Test
    void namesFollowPyTorchModuleList() {
        SpecModel m = ModelSpec.build(SPEC, new Generator(1));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
                "layers.1.running_var", "layers.3.body.0.weight", "layers.5.body.0.weight", "layers.5.body.0.bias",
                "layers.5.shortcut.0.weight", "layers.8.weight", "layers.8.bias"), List.copyOf(m.stateDict().keySet()));
        assertArrayEquals(new int[] {6, 4, 3, 1}, m.stateDict().get("layers.5.body.0.weight").shape());
        assertArrayEquals(new int[] {3, 24}, m.stateDict().get("layers.8.weight").shape()); // 6 channels x 2 x 2
        assertEquals(2, m.namedBuffers().size());
    }

    @Test
    void inferredOutputShapeMatchesTheForwardPass() {
        SpecModel m = ModelSpec.build(SPEC, new Generator(1));
        Tensor y = m.eval().forward(Tensor.rand(new Generator(2), DType.FLOAT32, 2, 1, 8, 8));
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new int[] {3}, m.outputShape());
    }

    @Test
    void sameSeedSameWeights() {
        float[] a = ModelSpec.build(SPEC, new Generator(7)).stateDict().get("layers.8.weight").toFloatArray();
        float[] b = ModelSpec.build(SPEC, new Generator(7)).stateDict().get("layers.8.weight").toFloatArray();
        assertArrayEquals(a, b);
    }

    private static void fails(String spec, String... fragments) {
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.build(spec, new Generator(0)));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }

    @Test
    void badSpecsAreExplained() {
        fails("{\"input\":[1,8,8],\"layers\":[{\"type\":\"convv\"}]}", "layers.0", "unknown layer type 'convv'");
        fails("{\"input\":[1,8,8],\"layers\":[{\"type\":\"linear\",\"out\":3}]}", "layers.0 (linear)", "flatten");
        fails("{\"input\":[1,8,8],\"layers\":[{\"type\":\"conv2d\",\"kernel\":3}]}", "missing \"out\"");
        fails("{\"input\":[1,8,8],\"layers\":[{\"type\":\"conv2d\",\"out\":2,\"kernel\":3,\"strid\":2}]}", "unknown field \"strid\"");
        fails("{\"input\":[1,4,4],\"layers\":[{\"type\":\"conv2d\",\"out\":2,\"kernel\":7}]}", "does not fit the input [1, 4, 4]");
        fails("{\"input\":[2,4,4],\"layers\":[{\"type\":\"residual\",\"body\":[{\"type\":\"conv2d\",\"out\":3,\"kernel\":1}],\"shortcut\":[]}]}",
                "body output [3, 4, 4] differs from shortcut output [2, 4, 4]");
        fails("{\"input\":[1,8,8],\"layers\":[", "not valid JSON");
        fails("{\"input\":[1,8],\"layers\":[]}", "[C, H, W] or [D]");
        fails("{\"input\":[3,8,8],\"layers\":[{\"type\":\"normalize\",\"mean\":[0.5],\"std\":[0.2]}]}", "1 means for 3 channels");
    }

    @Test
    void wrongInputShapeAtForwardIsNamed() {
        SpecModel m = ModelSpec.build(SPEC, new Generator(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 3, 8, 8)));
        assertTrue(e.getMessage().contains("[N, 1, 8, 8]") && e.getMessage().contains("[2, 3, 8, 8]"), e.getMessage());
    }

    @Test
    void trainEvalFreezeAndConversion() {
        SpecModel m = ModelSpec.build(SPEC, new Generator(1));
        assertTrue(m.isTraining());
        m.eval();
        assertFalse(m.layers().layers().get(1).isTraining());
        m.layers().layers().get(0).freeze();
        assertFalse(m.trainableParameters().containsKey("layers.0.weight"));
        assertTrue(m.namedParameters().containsKey("layers.0.weight"));
        m.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, m.stateDict().get("layers.1.running_var").dtype());
        assertFalse(m.namedParameters().get("layers.0.weight").requiresGrad(), "frozen stays frozen after conversion");
        assertEquals(DType.FLOAT64, m.forward(Tensor.zeros(DType.FLOAT64, 1, 1, 8, 8)).dtype());
    }
}
