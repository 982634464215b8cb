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
    void sgd(double[] h, float[] p, int po, float[] g, int go, float[] buf, int bo, int lo, int hi) {
        float negLr = (float) -h[0], mom = (float) h[1], damp = (float) (1 - h[2]), wd = (float) h[4];
        boolean momentum = h[1] != 0, nesterov = h[3] != 0, first = h[5] != 0, decay = h[4] != 0;
        int vl = S.length(), end = lo + S.loopBound(hi - lo), i = lo;
        for (; i < end; i += vl) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector d = FloatVector.fromArray(S, g, go + i);
            if (decay) d = d.add(pv.mul(wd));
            if (momentum) {
                FloatVector b = first ? d : FloatVector.fromArray(S, buf, bo + i).mul(mom).add(d.mul(damp));
                b.intoArray(buf, bo + i);
                d = nesterov ? d.add(b.mul(mom)) : b;
            }
            pv.add(d.mul(negLr)).intoArray(p, po + i);
        }
        super.sgd(h, p, po, g, go, buf, bo, i, hi);
    }

    @Override
    void adam(double[] h, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int lo, int hi) {
        double lr = h[0], wd = h[4];
        boolean adamw = h[5] != 0, decay = !adamw && wd != 0;
        float b1 = (float) h[1], c1 = (float) (1 - h[1]), b2 = (float) h[2], c2 = (float) (1 - h[2]), eps = (float) h[3];
        float shrink = (float) (1 - lr * wd), l2 = (float) wd, negStep = (float) (-lr / h[6]), root2 = (float) Math.sqrt(h[7]);
        int vl = S.length(), end = lo + S.loopBound(hi - lo), i = lo;
        for (; i < end; i += vl) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i), gv = FloatVector.fromArray(S, g, go + i);
            FloatVector base = adamw ? pv.mul(shrink) : pv;
            if (decay) gv = gv.add(pv.mul(l2));
            FloatVector mv = FloatVector.fromArray(S, m, mo + i).mul(b1).add(gv.mul(c1));
            FloatVector vv = FloatVector.fromArray(S, v, vo + i).mul(b2).add(gv.mul(c2).mul(gv));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            FloatVector denom = vv.sqrt().div(root2).add(eps);
            base.add(mv.mul(negStep).div(denom)).intoArray(p, po + i);
        }
        super.adam(h, p, po, g, go, m, mo, v, vo, i, hi);
    }

    @Override
    String describe() {
        return "Vector API, " + S.length() + " float lanes";
    }
}
