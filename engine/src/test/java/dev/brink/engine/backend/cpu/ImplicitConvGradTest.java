package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.check.GradCheck;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * First- and second-order gradient checks of conv2d through the float32 kernels of each path ({@link ConvPath}):
 * the checked function casts its float64 inputs to float32, convolves, and casts back, so the forward pass, the
 * backward rules and the double backward (which calls conv2d, its input gradient and its weight gradient on new
 * shapes) all run on the float32 kernels. A convolution is linear in x and in w and the second-order probe is
 * bilinear, so central differences with a large step are exact up to float32 rounding: the tolerance is float32's.
 * Then the implicit and Winograd paths agree with lowering in float32 on the same layers.
 */
class ImplicitConvGradTest {
    private static final GradCheck.Options FLOAT32 = new GradCheck.Options(0.25, 2e-3, 2e-3, 99);

    private ConvPath.Mode saved;

    @AfterEach
    void restore() {
        if (saved != null) ConvPath.use(saved);
    }

    /** Small versions of the zoo's layers: x shape, w shape, geometry. */
    private record Layer(String name, int[] x, int[] w, ConvGeometry g) {}

    private static final Layer[] LAYERS = {
            new Layer("Galloway conv1 8x8/2 pad 3", new int[] {1, 3, 10, 10}, new int[] {2, 3, 8, 8}, ConvGeometry.of(2, 3)),
            new Layer("Galloway conv2 6x6/2", new int[] {2, 3, 9, 9}, new int[] {5, 3, 6, 6}, ConvGeometry.of(2, 0)),
            new Layer("5x5 on a small map (Galloway conv3, Madry et al.)", new int[] {2, 4, 6, 6}, new int[] {3, 4, 5, 5}, ConvGeometry.of(1, 2)),
            new Layer("3x3 pad 1, dilation 2", new int[] {1, 8, 7, 6}, new int[] {3, 8, 3, 3}, new ConvGeometry(1, 2, 1, 1, 2, 1, 1)),
            // stride 1 with 8+ input channels: the input gradient is the flipped-kernel forward pass (implicit here)
            new Layer("3x3 pad 1 on 4x4, 8 channels (VGG-16/ResNet-18's last stages)", new int[] {2, 8, 4, 4}, new int[] {3, 8, 3, 3}, ConvGeometry.of(1, 1)),
            new Layer("3x3 pad 2, dilation 2, 8 channels", new int[] {1, 8, 5, 5}, new int[] {2, 8, 3, 3}, new ConvGeometry(1, 1, 2, 2, 2, 2, 1)),
            // 3x3 stride 1: Winograd when forced; odd maps clip the last tiles, padding 0 and 2 swap in the input gradient
            new Layer("3x3 pad 1 on 5x7", new int[] {2, 3, 5, 7}, new int[] {4, 3, 3, 3}, ConvGeometry.of(1, 1)),
            new Layer("3x3 pad 0 on 6x5", new int[] {1, 2, 6, 5}, new int[] {3, 2, 3, 3}, ConvGeometry.of(1, 0)),
            new Layer("3x3 pad 2 on 3x4", new int[] {2, 2, 3, 4}, new int[] {2, 2, 3, 3}, ConvGeometry.of(1, 2)),
            // one input channel, stride 1: the direct weight gradient when forced (as the 2-4 channel layers above)
            new Layer("5x5 pad 2, one channel (Madry et al.'s first layer)", new int[] {2, 1, 7, 9}, new int[] {3, 1, 5, 5}, ConvGeometry.of(1, 2)),
    };

    private static Function<Tensor[], Tensor> conv32(Layer l) {
        return xs -> F.conv2d(xs[0].to(DType.FLOAT32), xs[1].to(DType.FLOAT32), xs[2].to(DType.FLOAT32), l.g()).to(DType.FLOAT64);
    }

    private static Tensor[] inputs(Layer l, long seed) {
        Generator gen = new Generator(seed);
        return new Tensor[] {
                Tensor.randn(gen, DType.FLOAT64, l.x()).requiresGrad(true),
                Tensor.randn(gen, DType.FLOAT64, l.w()).requiresGrad(true),
                Tensor.randn(gen, DType.FLOAT64, l.w()[0]).requiresGrad(true)};
    }

    @ParameterizedTest
    @EnumSource(value = ConvPath.Mode.class, names = {"LOWERED", "IMPLICIT", "WINOGRAD", "DIRECT"})
    void firstAndSecondOrderThroughFloatKernels(ConvPath.Mode mode) {
        saved = ConvPath.use(mode);
        for (Layer l : LAYERS) {
            GradCheck.first(mode + " " + l.name(), conv32(l), FLOAT32, inputs(l, 5));
            GradCheck.second(mode + " " + l.name(), conv32(l), FLOAT32, inputs(l, 6));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ConvPath.Mode.class, names = {"IMPLICIT", "WINOGRAD", "DIRECT"})
    void implicitAgreesWithLoweringInFloat32(ConvPath.Mode mode) {
        for (Layer l : LAYERS) {
            float[][] lowered = forwardAndGrads(l, ConvPath.Mode.LOWERED), implicit = forwardAndGrads(l, mode);
            for (int k = 0; k < lowered.length; k++) {
                double scale = 0, diff = 0;
                for (int i = 0; i < lowered[k].length; i++) {
                    scale = Math.max(scale, Math.abs(lowered[k][i]));
                    diff = Math.max(diff, Math.abs(lowered[k][i] - implicit[k][i]));
                }
                assertTrue(diff <= 1e-5 * scale, l.name() + " output " + k + ": max |implicit - lowered| " + diff + " against max |lowered| " + scale);
            }
        }
    }

    /** y, dL/dx and dL/dw of L = sum(y * y) for one layer in float32 on the given path. */
    private float[][] forwardAndGrads(Layer l, ConvPath.Mode mode) {
        ConvPath.Mode old = ConvPath.use(mode);
        try {
            Tensor[] in = inputs(l, 7);
            Tensor x = in[0].detach().to(DType.FLOAT32).requiresGrad(true), w = in[1].detach().to(DType.FLOAT32).requiresGrad(true);
            Tensor y = F.conv2d(x, w, null, l.g());
            y.mul(y).sum().backward();
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray()};
        } finally {
            ConvPath.use(old);
        }
    }
}
