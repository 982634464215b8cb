package dev.brink.nn.layer;

import dev.brink.engine.Generator;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/** {@code y = x W^T + b}: x {@code [N, in]}, weight {@code [out, in]} (PyTorch's layout), bias {@code [out]}. */
public final class Linear extends Module {
    private final int in;
    private final int out;

    public Linear(int in, int out, boolean bias, Generator gen) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("linear: sizes must be positive, got in " + in + ", out " + out);
        this.in = in;
        this.out = out;
        parameter("weight", Init.pytorchDefault(gen, in, out, in));
        if (bias) parameter("bias", Init.pytorchDefault(gen, in, out));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 2 || x.size(1) != in)
            throw new IllegalArgumentException("linear(" + in + " -> " + out + "): expected input [N, " + in + "], got " + Shape.str(x.shape()));
        Tensor y = x.matmul(param("weight").transpose(0, 1));
        return hasParam("bias") ? y.add(param("bias")) : y;
    }

    @Override
    protected String summary() {
        return "Linear(" + in + " -> " + out + (hasParam("bias") ? "" : ", no bias") + ")";
    }
}
