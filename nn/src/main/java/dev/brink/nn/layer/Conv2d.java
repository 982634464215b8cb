package dev.brink.nn.layer;

import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.nn.Module;

/** 2-D convolution: weight {@code [out, in/groups, kh, kw]}, optional bias {@code [out]}, NCHW input. */
public final class Conv2d extends Module {
    private final int in;
    private final int out;
    private final int kh;
    private final int kw;
    private final ConvGeometry geometry;

    public Conv2d(int in, int out, int kh, int kw, ConvGeometry geometry, boolean bias, Generator gen) {
        if (in < 1 || out < 1 || kh < 1 || kw < 1)
            throw new IllegalArgumentException("conv2d: channels and kernel must be positive, got " + in + " -> " + out + ", kernel " + kh + "x" + kw);
        if (in % geometry.groups() != 0 || out % geometry.groups() != 0)
            throw new IllegalArgumentException("conv2d: groups " + geometry.groups() + " must divide channels " + in + " and " + out);
        this.in = in;
        this.out = out;
        this.kh = kh;
        this.kw = kw;
        this.geometry = geometry;
        int fanIn = in / geometry.groups() * kh * kw;
        parameter("weight", Init.pytorchDefault(gen, fanIn, out, in / geometry.groups(), kh, kw));
        if (bias) parameter("bias", Init.pytorchDefault(gen, fanIn, out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, param("weight"), hasParam("bias") ? param("bias") : null, geometry);
    }

    /**
     * {@code relu(forward(x))} as one op ({@code conv2d_relu}: the bias and relu applied in place to the
     * convolution's output), the same values and gradients; {@link Sequential} uses it for a Conv2d followed by a
     * relu {@link Activation}.
     */
    public Tensor forwardRelu(Tensor x) {
        return F.conv2dRelu(x, param("weight"), hasParam("bias") ? param("bias") : null, geometry);
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    /** Re-draws the weight with He normal (fan-out) initialization, as ResNets do. */
    public Conv2d kaimingInit(Generator gen) {
        try (var scope = dev.brink.engine.GradMode.noGrad()) {
            param("weight").assign(Init.kaimingNormalFanOut(gen, out * kh * kw, param("weight").shape()));
        }
        return this;
    }

    @Override
    protected String summary() {
        ConvGeometry g = geometry;
        return "Conv2d(" + in + " -> " + out + ", kernel " + kh + "x" + kw + ", stride " + g.strideH() + ", padding " + g.padH()
                + (g.dilationH() != 1 ? ", dilation " + g.dilationH() : "") + (g.groups() != 1 ? ", groups " + g.groups() : "")
                + (hasParam("bias") ? "" : ", no bias") + ")";
    }
}
