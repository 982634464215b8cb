package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** cumsum and argsort kernels against direct computation, on contiguous and strided inputs. */
class CpuScanTest {
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    @Test
    void cumsumForwardAndReverseAlongEachAxisOfAStridedInput() {
        double[] v = new double[24];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7 % 11) - 5;
        Tensor x = Tensor.of(v, 2, 3, 4).permute(2, 0, 1); // [4, 2, 3], strided
        double[] xv = x.toDoubleArray();
        int[] shape = x.shape();
        for (int axis = 0; axis < 3; axis++) {
            for (boolean reverse : new boolean[] {false, true}) {
                Tensor out = Tensor.empty(CPU, DType.FLOAT64, shape);
                CPU.cumsum(x, axis, reverse, out);
                double[] got = out.toDoubleArray();
                int[] strides = dev.brink.engine.Shape.contiguousStrides(shape);
                for (int flat = 0; flat < xv.length; flat++) {
                    int pos = flat / strides[axis] % shape[axis];
                    double expected = 0;
                    for (int p = 0; p < shape[axis]; p++) {
                        if (reverse ? p >= pos : p <= pos) expected += xv[flat + (p - pos) * strides[axis]];
                    }
                    assertEquals(expected, got[flat], 1e-12, "axis " + axis + " reverse " + reverse + " element " + flat);
                }
            }
        }
    }

    @Test
    void argsortIsStableAndPutsNaNLast() {
        Tensor x = Tensor.of(new double[] {3, 1, Double.NaN, 1, 2, 3}, 1, 6);
        Tensor asc = Tensor.empty(CPU, DType.INT32, 1, 6);
        Tensor desc = Tensor.empty(CPU, DType.INT32, 1, 6);
        CPU.argsort(x, 1, false, asc);
        CPU.argsort(x, 1, true, desc);
        assertArrayEquals(new int[] {1, 3, 4, 0, 5, 2}, asc.toIntArray());
        assertArrayEquals(new int[] {0, 5, 4, 1, 3, 2}, desc.toIntArray());
    }

    @Test
    void signedZerosCompareEqualSoStabilityDecides() {
        Tensor x = Tensor.of(new double[] {0.0, -0.0, 0.0, -0.0}, 4);
        Tensor idx = Tensor.empty(CPU, DType.INT32, 4);
        CPU.argsort(x, 0, false, idx);
        assertArrayEquals(new int[] {0, 1, 2, 3}, idx.toIntArray());
    }

    @Test
    void argsortAlongTheFirstAxisOfATransposedFloatTensor() {
        Tensor x = Tensor.of(new float[] {5, 1, 4, 2, 6, 0}, 2, 3).transpose(0, 1); // [[5,2],[1,6],[4,0]]
        Tensor idx = Tensor.empty(CPU, DType.INT32, 3, 2);
        CPU.argsort(x, 0, false, idx);
        assertArrayEquals(new int[] {1, 2, 2, 0, 0, 1}, idx.toIntArray());
    }
}
