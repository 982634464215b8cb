package dev.brink.nn.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Fluent construction of spec JSON, so that zoo models are written in the same language users write. */
public final class SpecBuilder {
    private final ObjectNode root = ModelSpec.object();
    private final ArrayNode layers;

    private SpecBuilder(int... input) {
        ArrayNode in = root.putArray("input");
        for (int d : input) in.add(d);
        layers = root.putArray("layers");
    }

    /** A spec for inputs of shape [C, H, W] or [D]. */
    public static SpecBuilder input(int... shape) {
        return new SpecBuilder(shape);
    }

    /** A free-standing list of layers (for residual bodies and shortcuts). */
    public static Layers list() {
        return new Layers(ModelSpec.object().arrayNode());
    }

    public SpecBuilder name(String name, String source) {
        root.put("name", name);
        root.put("source", source);
        return this;
    }

    /** Appends layers through the list API. */
    public Layers layers() {
        return new Layers(layers);
    }

    public JsonNode build() {
        return root;
    }

    /** A list of layers under construction. */
    public static final class Layers {
        private final ArrayNode arr;

        Layers(ArrayNode arr) {
            this.arr = arr;
        }

        ArrayNode node() {
            return arr;
        }

        private ObjectNode add(String type) {
            return arr.addObject().put("type", type);
        }

        public Layers conv(int out, int kernel, int stride, int padding, boolean bias) {
            add("conv2d").put("out", out).put("kernel", kernel).put("stride", stride).put("padding", padding).put("bias", bias);
            return this;
        }

        public Layers linear(int out, boolean bias) {
            add("linear").put("out", out).put("bias", bias);
            return this;
        }

        public Layers maxpool(int kernel, int stride) {
            add("maxpool2d").put("kernel", kernel).put("stride", stride);
            return this;
        }

        public Layers avgpool(int kernel, int stride) {
            add("avgpool2d").put("kernel", kernel).put("stride", stride);
            return this;
        }

        public Layers globalAvgPool() {
            add("global_avgpool");
            return this;
        }

        public Layers flatten() {
            add("flatten");
            return this;
        }

        public Layers relu() {
            add("relu");
            return this;
        }

        public Layers batchnorm() {
            add("batchnorm2d").put("eps", 1e-5).put("momentum", 0.1);
            return this;
        }

        public Layers dropout(double p) {
            add("dropout").put("p", p);
            return this;
        }

        public Layers normalize(double[] mean, double[] std) {
            ObjectNode n = add("normalize");
            ArrayNode m = n.putArray("mean"), s = n.putArray("std");
            for (double v : mean) m.add(v);
            for (double v : std) s.add(v);
            return this;
        }

        public Layers residual(Layers body, Layers shortcut) {
            ObjectNode n = add("residual");
            n.set("body", body.arr);
            n.set("shortcut", shortcut.arr);
            return this;
        }
    }
}
