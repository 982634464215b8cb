package dev.brink.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatOptimizerLoops} on Vector API lanes: the scalar loops' float operations in their order (IEEE
 * multiply, add, divide and the correctly rounded square root, never fused), so every element gets the same bits;
 * the tail runs the scalar loop. Adam's divisions and square root, scalar, made its update compute-bound (4-5x the
 * time of a memory-bound pass); on vectors it runs at memory speed.
 */
final class SimdFloatOptimizerLoops extends FloatOptimizerLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Public for {@link VectorSupport}'s reflective construction. */
    public SimdFloatOptimizerLoops() {}

    @Override
    void sgd(Sgd s, float[] p, int po, float[] g, int go, float[] buf, int bo, int lo, int hi) {
        int vl = S.length(), end = lo + S.loopBound(hi - lo), i = lo;
        for (; i < end; i += vl) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector d = FloatVector.fromArray(S, g, go + i);
            if (s.decay()) d = d.add(pv.mul(s.wd()));
            if (s.momentum()) {
                FloatVector b = s.first() ? d : FloatVector.fromArray(S, buf, bo + i).mul(s.mom()).add(d.mul(s.damp()));
                b.intoArray(buf, bo + i);
                d = s.nesterov() ? d.add(b.mul(s.mom())) : b;
            }
            pv.add(d.mul(s.negLr())).intoArray(p, po + i);
        }
        super.sgd(s, p, po, g, go, buf, bo, i, hi);
    }

    @Override
    void adam(Adam s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int lo, int hi) {
        int vl = S.length(), end = lo + S.loopBound(hi - lo), i = lo;
        for (; i < end; i += vl) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i), gv = FloatVector.fromArray(S, g, go + i);
            FloatVector base = s.adamw() ? pv.mul(s.shrink()) : pv;
            if (s.decay()) gv = gv.add(pv.mul(s.l2()));
            FloatVector mv = FloatVector.fromArray(S, m, mo + i).mul(s.b1()).add(gv.mul(s.c1()));
            FloatVector vv = FloatVector.fromArray(S, v, vo + i).mul(s.b2()).add(gv.mul(s.c2()).mul(gv));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            FloatVector denom = vv.sqrt().div(s.root2()).add(s.eps());
            base.add(mv.mul(s.negStep()).div(denom)).intoArray(p, po + i);
        }
        super.adam(s, p, po, g, go, m, mo, v, vo, i, hi);
    }

    @Override
    String describe() {
        return "Vector API, " + S.length() + " float lanes";
    }
}
