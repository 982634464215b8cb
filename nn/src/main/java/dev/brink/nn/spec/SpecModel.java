package dev.brink.nn.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.layer.Sequential;

import java.util.Arrays;

/**
 * A model built from a {@link ModelSpec}: one child {@code layers} applied in order. Input is a batch
 * {@code [N] + input shape} in pixel space; output is {@code [N] + output shape} (logits for classifiers).
 */
public final class SpecModel extends Module {
    private final JsonNode spec;
    private final int[] inputShape;
    private final int[] outputShape;
    private final Sequential layers;

    SpecModel(JsonNode spec, int[] inputShape, int[] outputShape, Sequential layers) {
        this.spec = spec;
        this.inputShape = inputShape.clone();
        this.outputShape = outputShape.clone();
        this.layers = child("layers", layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != inputShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), inputShape))
            throw new IllegalArgumentException("model expects input [N, " + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
                    + "], got " + Shape.str(s));
        return layers.forward(x);
    }

    /** The architecture as JSON text (what model files store). */
    public String specJson() {
        return ModelSpec.toJson(spec);
    }

    /** Shape of one input sample, e.g. {@code [1, 28, 28]}. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Shape of one output, e.g. {@code [10]}. */
    public int[] outputShape() {
        return outputShape.clone();
    }

    public Sequential layers() {
        return layers;
    }
}
