package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link WinogradF2Transforms} with Vector API loops (the preferred species); the tail runs the scalar loop. */
final class SimdWinogradF2Transforms extends WinogradF2Transforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Public so that {@link VectorSupport} can create it reflectively. */
    public SimdWinogradF2Transforms() {}

    @Override
    void input(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            int k = so + i, q = po + i;
            FloatVector d0 = FloatVector.fromArray(S, src, k), d1 = FloatVector.fromArray(S, src, k + ss);
            FloatVector d2 = FloatVector.fromArray(S, src, k + 2 * ss), d3 = FloatVector.fromArray(S, src, k + 3 * ss);
            d0.sub(d2).intoArray(dst, q);
            d1.add(d2).intoArray(dst, q + ps);
            d2.sub(d1).intoArray(dst, q + 2 * ps);
            d1.sub(d3).intoArray(dst, q + 3 * ps);
        }
        super.input(src, so + i, ss, dst, po + i, ps, n - i);
    }

    @Override
    void output(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            int k = so + i, q = po + i;
            FloatVector m0 = FloatVector.fromArray(S, src, k), m1 = FloatVector.fromArray(S, src, k + ss);
            FloatVector m2 = FloatVector.fromArray(S, src, k + 2 * ss), m3 = FloatVector.fromArray(S, src, k + 3 * ss);
            m0.add(m1).add(m2).intoArray(dst, q);
            m1.sub(m2).sub(m3).intoArray(dst, q + ps);
        }
        super.output(src, so + i, ss, dst, po + i, ps, n - i);
    }

    @Override
    void kernel(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            int k = so + i, q = po + i;
            FloatVector g0 = FloatVector.fromArray(S, src, k), g1 = FloatVector.fromArray(S, src, k + ss);
            FloatVector g2 = FloatVector.fromArray(S, src, k + 2 * ss);
            g0.intoArray(dst, q);
            g0.add(g1).add(g2).mul(0.5f).intoArray(dst, q + ps);
            g0.sub(g1).add(g2).mul(0.5f).intoArray(dst, q + 2 * ps);
            g2.intoArray(dst, q + 3 * ps);
        }
        super.kernel(src, so + i, ss, dst, po + i, ps, n - i);
    }

    @Override
    void gradient(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            int k = so + i, q = po + i;
            FloatVector g0 = FloatVector.fromArray(S, src, k), g1 = FloatVector.fromArray(S, src, k + ss);
            g0.intoArray(dst, q);
            g0.add(g1).intoArray(dst, q + ps);
            g0.sub(g1).intoArray(dst, q + 2 * ps);
            g1.neg().intoArray(dst, q + 3 * ps);
        }
        super.gradient(src, so + i, ss, dst, po + i, ps, n - i);
    }
}
