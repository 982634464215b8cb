package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradF4Transforms} with Vector API loops (the preferred species), the scalar loops' operations in the
 * same order; the tail runs the scalar loop.
 */
final class SimdWinogradF4Transforms extends WinogradF4Transforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Public so that {@link VectorSupport} can create it reflectively. */
    public SimdWinogradF4Transforms() {}

    @Override
    void input(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            int k = so + i, q = po + i;
            FloatVector d0 = FloatVector.fromArray(S, src, k), d1 = FloatVector.fromArray(S, src, k + ss);
            FloatVector d2 = FloatVector.fromArray(S, src, k + 2 * ss), d3 = FloatVector.fromArray(S, src, k + 3 * ss);
            FloatVector d4 = FloatVector.fromArray(S, src, k + 4 * ss), d5 = FloatVector.fromArray(S, src, k + 5 * ss);
            FloatVector t = d4.sub(d2.mul(4f)), u = d3.sub(d1.mul(4f)), v = d4.sub(d2), w = d3.sub(d1).mul(2f);
            d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(dst, q);
            t.add(u).intoArray(dst, q + ps);
            t.sub(u).intoArray(dst, q + 2 * ps);
            v.add(w).intoArray(dst, q + 3 * ps);
            v.sub(w).intoArray(dst, q + 4 * ps);
            d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(dst, q + 5 * ps);
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
            FloatVector m4 = FloatVector.fromArray(S, src, k + 4 * ss), m5 = FloatVector.fromArray(S, src, k + 5 * ss);
            FloatVector a = m1.add(m2), b = m1.sub(m2), c = m3.add(m4), d = m3.sub(m4);
            m0.add(a).add(c).intoArray(dst, q);
            b.add(d.mul(2f)).intoArray(dst, q + ps);
            a.add(c.mul(4f)).intoArray(dst, q + 2 * ps);
            b.add(d.mul(8f)).add(m5).intoArray(dst, q + 3 * ps);
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
            FloatVector s = g0.add(g2), t = g0.mul(TWENTY_FOURTH).add(g2.mul(SIXTH)), u = g1.mul(TWELFTH);
            g0.mul(0.25f).intoArray(dst, q);
            s.add(g1).mul(-SIXTH).intoArray(dst, q + ps);
            s.sub(g1).mul(-SIXTH).intoArray(dst, q + 2 * ps);
            t.add(u).intoArray(dst, q + 3 * ps);
            t.sub(u).intoArray(dst, q + 4 * ps);
            g2.intoArray(dst, q + 5 * ps);
        }
        super.kernel(src, so + i, ss, dst, po + i, ps, n - i);
    }

    @Override
    void gradient(float[] src, int so, int ss, float[] dst, int po, int ps, int n) {
        int i = 0, end = S.loopBound(n), l = S.length();
        for (; i < end; i += l) {
            int k = so + i, o = po + i;
            FloatVector g0 = FloatVector.fromArray(S, src, k), g1 = FloatVector.fromArray(S, src, k + ss);
            FloatVector g2 = FloatVector.fromArray(S, src, k + 2 * ss), g3 = FloatVector.fromArray(S, src, k + 3 * ss);
            FloatVector p = g0.add(g2), q = g1.add(g3), r = g0.add(g2.mul(4f)), s = g1.mul(2f).add(g3.mul(8f));
            g0.intoArray(dst, o);
            p.add(q).intoArray(dst, o + ps);
            p.sub(q).intoArray(dst, o + 2 * ps);
            r.add(s).intoArray(dst, o + 3 * ps);
            r.sub(s).intoArray(dst, o + 4 * ps);
            g3.intoArray(dst, o + 5 * ps);
        }
        super.gradient(src, so + i, ss, dst, po + i, ps, n - i);
    }
}
