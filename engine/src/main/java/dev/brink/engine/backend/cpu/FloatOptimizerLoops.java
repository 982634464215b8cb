package dev.brink.engine.backend.cpu;

/**
 * The float32 loops of the fused optimizer updates ({@link FusedOptimizer}) over one range of elements, scalar; a
 * subclass ({@code SimdFloatOptimizerLoops}) runs the same float operations, in the same order, on vectors of lanes,
 * so both give the same bits. {@code h} is the update's {@code hyper} array ({@code OptimizerKernel}).
 */
class FloatOptimizerLoops {
    /** The loops in use: SIMD when the Vector API is available and {@code brink.simd} is not off. */
    static FloatOptimizerLoops get() {
        return Current.LOOPS;
    }

    /** Chosen on first use, outside this class's initialization (the SIMD subclass is created by it). */
    private static final class Current {
        static final FloatOptimizerLoops LOOPS = select(VectorSupport.requested());
    }

    /** The SIMD loops when {@code simd} and the Vector API is available, else the scalar ones. */
    static FloatOptimizerLoops select(boolean simd) {
        FloatOptimizerLoops k = simd ? VectorSupport.loadSimdOptimizerLoops() : null;
        return k != null ? k : new FloatOptimizerLoops();
    }

    /** SGD on elements [lo, hi): p at {@code p[po]}, gradient at {@code g[go]}, momentum buffer at {@code buf[bo]}. */
    void sgd(double[] h, float[] p, int po, float[] g, int go, float[] buf, int bo, int lo, int hi) {
        float negLr = (float) -h[0], mom = (float) h[1], damp = (float) (1 - h[2]), wd = (float) h[4];
        boolean momentum = h[1] != 0, nesterov = h[3] != 0, first = h[5] != 0, decay = h[4] != 0;
        for (int i = lo; i < hi; i++) {
            float d = g[go + i];
            if (decay) d = d + p[po + i] * wd;
            if (momentum) {
                float b = first ? d : buf[bo + i] * mom + d * damp;
                buf[bo + i] = b;
                d = nesterov ? d + b * mom : b;
            }
            p[po + i] = p[po + i] + d * negLr;
        }
    }

    /** Adam on elements [lo, hi): p at {@code p[po]}, gradient at {@code g[go]}, m at {@code m[mo]}, v at {@code v[vo]}. */
    void adam(double[] h, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int lo, int hi) {
        double lr = h[0], wd = h[4];
        boolean adamw = h[5] != 0, decay = !adamw && wd != 0;
        float b1 = (float) h[1], c1 = (float) (1 - h[1]), b2 = (float) h[2], c2 = (float) (1 - h[2]), eps = (float) h[3];
        float shrink = (float) (1 - lr * wd), l2 = (float) wd, negStep = (float) (-lr / h[6]), root2 = (float) Math.sqrt(h[7]);
        for (int i = lo; i < hi; i++) {
            float pi = p[po + i], gi = g[go + i];
            float base = adamw ? pi * shrink : pi;
            if (decay) gi = gi + pi * l2;
            float mi = m[mo + i] * b1 + gi * c1;
            float vi = v[vo + i] * b2 + gi * c2 * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            float denom = (float) Math.sqrt(vi) / root2 + eps; // the correctly rounded float square root
            p[po + i] = base + mi * negStep / denom;
        }
    }

    /** "scalar", or the vector shape of a SIMD subclass. */
    String describe() {
        return "scalar";
    }
}
