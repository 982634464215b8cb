package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMasks} with Vector API compares: one ordered compare and one blend per vector of lanes (an
 * ordered compare is false when either side is NaN, and {@code -0 == +0}, as the scalar loops define it); the
 * tail runs the scalar loop.
 */
final class SimdFloatMasks extends FloatMasks {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ZERO = FloatVector.zero(S), ONE = FloatVector.broadcast(S, 1f),
            MINUS_ONE = FloatVector.broadcast(S, -1f);

    /** Public so that {@link VectorSupport} can create it reflectively. */
    public SimdFloatMasks() {}

    // Each loop names its operator as a constant: C2 intrinsifies a Vector API compare only for a constant
    // operator (one chosen at run time falls back to the API's per-lane Java code, slower than the scalar loop).

    @Override
    void vv(boolean orEqual, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        if (orEqual) {
            for (; i < end; i += l)
                ZERO.blend(ONE, FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i))).intoArray(o, oo + i);
        } else {
            for (; i < end; i += l)
                ZERO.blend(ONE, FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i))).intoArray(o, oo + i);
        }
        super.vv(orEqual, a, ao + i, b, bo + i, o, oo + i, n - i);
    }

    @Override
    void vs(boolean orEqual, float[] a, int ao, float y, float[] o, int oo, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        if (orEqual) {
            for (; i < end; i += l) ZERO.blend(ONE, FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, y)).intoArray(o, oo + i);
        } else {
            for (; i < end; i += l) ZERO.blend(ONE, FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, y)).intoArray(o, oo + i);
        }
        super.vs(orEqual, a, ao + i, y, o, oo + i, n - i);
    }

    @Override
    void sv(boolean orEqual, float x, float[] b, int bo, float[] o, int oo, int n) {
        // x > b  <=>  b < x (and >= with <=): the same ordered compare from the vector's side.
        int i = 0, end = S.loopBound(n), l = S.length();
        if (orEqual) {
            for (; i < end; i += l) ZERO.blend(ONE, FloatVector.fromArray(S, b, bo + i).compare(VectorOperators.LE, x)).intoArray(o, oo + i);
        } else {
            for (; i < end; i += l) ZERO.blend(ONE, FloatVector.fromArray(S, b, bo + i).compare(VectorOperators.LT, x)).intoArray(o, oo + i);
        }
        super.sv(orEqual, x, b, bo + i, o, oo + i, n - i);
    }

    @Override
    void maskPositive(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l)
            ZERO.blend(FloatVector.fromArray(S, a, ao + i), FloatVector.fromArray(S, b, bo + i).compare(VectorOperators.GT, 0f)).intoArray(o, oo + i);
        super.maskPositive(a, ao + i, b, bo + i, o, oo + i, n - i);
    }

    @Override
    void select(float[] c, int co, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        if (n <= 0) return;
        int i = 0, end = S.loopBound(n), l = S.length();
        FloatVector sa = FloatVector.broadcast(S, a[ao]), sb = FloatVector.broadcast(S, b[bo]);
        for (; i < end; i += l) {
            FloatVector va = as == 1 ? FloatVector.fromArray(S, a, ao + i) : sa;
            FloatVector vb = bs == 1 ? FloatVector.fromArray(S, b, bo + i) : sb;
            vb.blend(va, FloatVector.fromArray(S, c, co + i).compare(VectorOperators.NE, 0f)).intoArray(o, oo + i);
        }
        super.select(c, co + i, a, ao + i * as, as, b, bo + i * bs, bs, o, oo + i, n - i);
    }

    @Override
    void sign(float[] x, int xo, float[] o, int oo, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            // NaN lanes keep v; both zeros become +0; then the strict signs.
            v.blend(ZERO, v.compare(VectorOperators.EQ, 0f))
                    .blend(ONE, v.compare(VectorOperators.GT, 0f))
                    .blend(MINUS_ONE, v.compare(VectorOperators.LT, 0f))
                    .intoArray(o, oo + i);
        }
        super.sign(x, xo + i, o, oo + i, n - i);
    }

    @Override
    String describe() {
        return "Vector API, " + S.length() + " float lanes";
    }
}
