package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuIndexingTest {
    static final int[] X_SHAPE = {3, 4, 5};

    /** An index shape no larger than x's off the axis (any size along it), and random indices. */
    static Tensor randomIndex(SplittableRandom rng, int axis, boolean transposed, int[] idxShape) {
        int n = Shape.numel(idxShape);
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextInt(X_SHAPE[axis]);
        if (!transposed || idxShape.length < 2) return ints(v, idxShape);
        // same logical values stored with the first two axes swapped
        int[] swapped = idxShape.clone();
        swapped[0] = idxShape[1];
        swapped[1] = idxShape[0];
        int[] cs = Shape.contiguousStrides(swapped);
        int[] stored = new int[n];
        for (int i = 0; i < n; i++) {
            int[] idx = unravel(i, idxShape);
            stored[idx[1] * cs[0] + idx[0] * cs[1] + (idx.length > 2 ? idx[2] * cs[2] : 0)] = v[i];
        }
        int[] strides = cs.clone();
        strides[0] = cs[1];
        strides[1] = cs[0];
        return Tensor.fromStorage(B.upload(stored), idxShape, strides, 0);
    }

    static int[] randomIndexShape(SplittableRandom rng, int axis) {
        int[] s = new int[3];
        for (int d = 0; d < 3; d++) s[d] = d == axis ? 1 + rng.nextInt(6) : 1 + rng.nextInt(X_SHAPE[d]);
        return s;
    }

    @Test
    void gatherMatchesNaive() {
        SplittableRandom rng = new SplittableRandom(51);
        for (DType dt : DType.values()) {
            for (Layout l : Layout.values()) {
                for (int axis = 0; axis < 3; axis++) {
                    View x = view(rng, dt, l, X_SHAPE);
                    int[] is = randomIndexShape(rng, axis);
                    Tensor index = randomIndex(rng, axis, rng.nextBoolean(), is);
                    int[] iv = B.readInts(index);
                    Tensor out = Tensor.empty(B, dt, is);
                    B.gather(x.t(), axis, index, out);
                    double[] exp = new double[iv.length];
                    for (int i = 0; i < iv.length; i++) {
                        int[] idx = unravel(i, is);
                        idx[axis] = iv[i];
                        exp[i] = x.values()[ravel(idx, X_SHAPE)];
                    }
                    assertClose(exp, raw(out.storage()), 0, "gather " + dt + " " + l + " axis " + axis);
                }
            }
        }
    }

    @Test
    void scatterAddAccumulatesIntoExistingContents() {
        SplittableRandom rng = new SplittableRandom(52);
        for (DType dt : DType.values()) {
            for (Layout l : Layout.values()) {
                for (int axis = 0; axis < 3; axis++) {
                    int[] is = randomIndexShape(rng, axis);
                    Tensor index = randomIndex(rng, axis, rng.nextBoolean(), is);
                    int[] iv = B.readInts(index);
                    View src = view(rng, dt, l, is);
                    View init = contiguous(rng, dt, X_SHAPE);
                    Tensor out = init.t();
                    B.scatterAdd(src.t(), axis, index, out);
                    double[] exp = init.values().clone();
                    for (int i = 0; i < iv.length; i++) {
                        int[] idx = unravel(i, is);
                        idx[axis] = iv[i];
                        exp[ravel(idx, X_SHAPE)] += src.values()[i];
                    }
                    if (dt == DType.FLOAT32) exp = toFloat(exp);
                    assertClose(exp, raw(out.storage()), 1e-6, "scatterAdd " + dt + " " + l + " axis " + axis);
                }
            }
        }
    }

    @Test
    void gatherAndScatterAddAreAdjoint() {
        SplittableRandom rng = new SplittableRandom(53);
        for (int axis = 0; axis < 3; axis++) {
            int[] is = randomIndexShape(rng, axis);
            Tensor index = randomIndex(rng, axis, true, is);
            double[] x = uniforms(rng, Shape.numel(X_SHAPE));
            double[] s = uniforms(rng, Shape.numel(is));
            Tensor g = Tensor.empty(B, DType.FLOAT64, is);
            B.gather(tensor(x, X_SHAPE), axis, index, g);
            Tensor sc = Tensor.empty(B, DType.FLOAT64, X_SHAPE);
            B.scatterAdd(tensor(s, is), axis, index, sc);
            assertEquals(dot(B.readDoubles(g), s), dot(x, B.readDoubles(sc)), 1e-12, "axis " + axis);
        }
    }
}
