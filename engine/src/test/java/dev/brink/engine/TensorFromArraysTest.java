package dev.brink.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Tensors made from Java arrays: {@link Tensor#of(float[], int...)} and the 2-D {@link Tensor#of(float[][])}. */
class TensorFromArraysTest {
    @Test
    void rowsBecomeAMatrixInRowMajorOrder() {
        Tensor f = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new int[] {2, 3}, f.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.toFloatArray());
        Tensor d = Tensor.of(new double[][] {{0.5}, {-1.5}});
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new int[] {2, 1}, d.shape());
        assertArrayEquals(new double[] {0.5, -1.5}, d.toDoubleArray());
        assertArrayEquals(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toFloatArray(), f.toFloatArray());
    }

    @Test
    void theDataIsCopied() {
        float[][] rows = {{1, 2}};
        Tensor t = Tensor.of(rows);
        rows[0][0] = 9;
        assertEquals(1f, t.toFloatArray()[0]);
    }

    @Test
    void raggedOrEmptyRowsAreRejectedWithTheirLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("row 1 has 1 elements but row 0 has 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[0][]));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        assertTrue(shape.getMessage().contains("does not fit shape"), shape.getMessage());
    }
}
