package dev.brink.engine;

import dev.brink.engine.backend.Backends;
import dev.brink.engine.backend.ConvGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input raises an exception whose message names the op, the argument and the shapes or values. */
class BadInputTest {
    private static void fails(Class<? extends Throwable> type, Executable e, String... fragments) {
        Throwable t = assertThrows(type, e);
        for (String f : fragments) assertTrue(t.getMessage().contains(f), "message '" + t.getMessage() + "' lacks '" + f + "'");
    }

    private final Tensor a23 = Tensor.zeros(DType.FLOAT64, 2, 3);

    @Test
    void broadcastMismatchNamesOpAndShapes() {
        fails(IllegalArgumentException.class, () -> a23.add(Tensor.zeros(DType.FLOAT64, 4)), "add", "[2, 3]", "[4]");
    }

    @Test
    void matmulInnerDimensionMismatch() {
        fails(IllegalArgumentException.class, () -> a23.matmul(Tensor.zeros(DType.FLOAT64, 4, 5)), "matmul", "[2, 3]", "[4, 5]");
    }

    @Test
    void dtypeMismatch() {
        fails(IllegalArgumentException.class, () -> a23.mul(Tensor.zeros(DType.FLOAT32, 2, 3)), "mul", "float64", "float32");
    }

    @Test
    void reshapeElementCount() {
        fails(IllegalArgumentException.class, () -> a23.reshape(4, 2), "reshape", "[4, 2]", "[2, 3]");
    }

    @Test
    void outOfRangeIndices() {
        fails(IndexOutOfBoundsException.class, () -> a23.gather(1, Tensor.ofInts(new int[] {0, 3}, 2, 1)), "gather", "3", "[0, 3)");
        fails(IndexOutOfBoundsException.class, () -> F.crossEntropy(a23, Tensor.ofInts(new int[] {1, -1}, 2)), "cross_entropy", "target", "-1");
        fails(IndexOutOfBoundsException.class, () -> F.oneHot(Tensor.ofInts(new int[] {5}, 1), 3, DType.FLOAT32), "one_hot", "5");
    }

    @Test
    void convolutionChannelAndSizeErrors() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 1, 3, 5, 5);
        fails(IllegalArgumentException.class, () -> F.conv2d(x, Tensor.zeros(DType.FLOAT64, 4, 2, 3, 3), null, ConvGeometry.of(1, 0)), "conv2d", "[4, 2, 3, 3]", "[1, 3, 5, 5]");
        fails(IllegalArgumentException.class, () -> F.conv2d(x, Tensor.zeros(DType.FLOAT64, 4, 3, 7, 7), null, ConvGeometry.of(1, 0)), "conv2d", "too small");
        fails(IllegalArgumentException.class, () -> F.conv2d(Tensor.zeros(DType.FLOAT64, 3, 5, 5), Tensor.zeros(DType.FLOAT64, 4, 3, 3, 3), null, ConvGeometry.of(1, 0)), "conv2d", "'x'", "rank 4");
        fails(IllegalArgumentException.class, () -> new ConvGeometry(0, 1, 0, 0, 1, 1, 1), "stride");
    }

    @Test
    void axisOutOfRange() {
        fails(IllegalArgumentException.class, () -> a23.sum(new int[] {2}, false), "sum", "axis 2", "rank 2");
        fails(IllegalArgumentException.class, () -> a23.softmax(5), "axis 5");
    }

    @Test
    void dataLengthMustMatchShape() {
        fails(IllegalArgumentException.class, () -> Tensor.of(new double[5], 2, 3), "length 5", "[2, 3]");
    }

    @Test
    void nanAndInfAreReportedWhereTheCallerAsks() {
        Tensor x = Tensor.of(new double[] {1, -1}, 2);
        fails(ArithmeticException.class, () -> x.log().requireFinite("log-likelihood"), "log-likelihood", "[1]", "NaN");
        try (GradMode.Scope s = Anomaly.detect()) {
            fails(ArithmeticException.class, () -> x.log(), "op 'log'", "[2]", "NaN");
            Tensor z = Tensor.of(new double[] {0, 1}, 2).requiresGrad(true);
            Tensor y = z.sqrt().sum(); // finite forward, infinite derivative at 0
            fails(ArithmeticException.class, y::backward, "backward of op 'sqrt'", "Infinity");
        }
        assertTrue(Double.isNaN(x.log().toDoubleArray()[1]), "outside the scope no check is made");
    }

    @Test
    void unknownBackendIsNamed() {
        fails(IllegalArgumentException.class, () -> Backends.get("tpu"), "unknown backend 'tpu'", "cpu");
    }
}
