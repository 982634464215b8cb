package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link WinogradTransforms} with Vector API loops (the preferred species); the tail runs the scalar loop. */
final class SimdWinogradTransforms extends WinogradTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Public so that {@link VectorSupport} can create it reflectively. */
    public SimdWinogradTransforms() {}

    @Override
    void input(float[] src, int o0, int o1, int o2, int o3, float[] dst, int p0, int p1, int p2, int p3, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            FloatVector d0 = FloatVector.fromArray(S, src, o0 + i), d1 = FloatVector.fromArray(S, src, o1 + i);
            FloatVector d2 = FloatVector.fromArray(S, src, o2 + i), d3 = FloatVector.fromArray(S, src, o3 + i);
            d0.sub(d2).intoArray(dst, p0 + i);
            d1.add(d2).intoArray(dst, p1 + i);
            d2.sub(d1).intoArray(dst, p2 + i);
            d1.sub(d3).intoArray(dst, p3 + i);
        }
        super.input(src, o0 + i, o1 + i, o2 + i, o3 + i, dst, p0 + i, p1 + i, p2 + i, p3 + i, n - i);
    }

    @Override
    void output(float[] src, int o0, int o1, int o2, int o3, float[] dst, int p0, int p1, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            FloatVector m0 = FloatVector.fromArray(S, src, o0 + i), m1 = FloatVector.fromArray(S, src, o1 + i);
            FloatVector m2 = FloatVector.fromArray(S, src, o2 + i), m3 = FloatVector.fromArray(S, src, o3 + i);
            m0.add(m1).add(m2).intoArray(dst, p0 + i);
            m1.sub(m2).sub(m3).intoArray(dst, p1 + i);
        }
        super.output(src, o0 + i, o1 + i, o2 + i, o3 + i, dst, p0 + i, p1 + i, n - i);
    }

    @Override
    void kernel(float[] src, int o0, int o1, int o2, float[] dst, int p0, int p1, int p2, int p3, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            FloatVector g0 = FloatVector.fromArray(S, src, o0 + i), g1 = FloatVector.fromArray(S, src, o1 + i);
            FloatVector g2 = FloatVector.fromArray(S, src, o2 + i);
            g0.intoArray(dst, p0 + i);
            g0.add(g1).add(g2).mul(0.5f).intoArray(dst, p1 + i);
            g0.sub(g1).add(g2).mul(0.5f).intoArray(dst, p2 + i);
            g2.intoArray(dst, p3 + i);
        }
        super.kernel(src, o0 + i, o1 + i, o2 + i, dst, p0 + i, p1 + i, p2 + i, p3 + i, n - i);
    }

    @Override
    void gradient(float[] src, int o0, int o1, float[] dst, int p0, int p1, int p2, int p3, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            FloatVector g0 = FloatVector.fromArray(S, src, o0 + i), g1 = FloatVector.fromArray(S, src, o1 + i);
            g0.intoArray(dst, p0 + i);
            g0.add(g1).intoArray(dst, p1 + i);
            g0.sub(g1).intoArray(dst, p2 + i);
            g1.neg().intoArray(dst, p3 + i);
        }
        super.gradient(src, o0 + i, o1 + i, dst, p0 + i, p1 + i, p2 + i, p3 + i, n - i);
    }
}
