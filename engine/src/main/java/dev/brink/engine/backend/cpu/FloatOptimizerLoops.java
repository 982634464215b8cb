package dev.brink.engine.backend.cpu;

/**
 * The float32 loops of the fused optimizer updates ({@link FusedOptimizer}) over one range of elements, scalar; a
 * subclass ({@code SimdFloatOptimizerLoops}) runs the same float operations, in the same order, on vectors of lanes,
 * so both give the same bits. The scalars come decoded from the update's {@code hyper} array ({@code OptimizerKernel})
 * as {@link Sgd} and {@link Adam}.
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

    /**
     * SGD's scalars in float, decoded once per update from its {@code hyper} array (the scalar and the vector loops
     * read the same values, so they give the same bits).
     */
    record Sgd(float negLr, float mom, float damp, float wd, boolean momentum, boolean nesterov, boolean first, boolean decay) {
        static Sgd of(double[] h) {
            return new Sgd((float) -h[0], (float) h[1], (float) (1 - h[2]), (float) h[4], h[1] != 0, h[3] != 0, h[5] != 0, h[4] != 0);
        }
    }

    /** Adam's scalars in float, decoded once per update from its {@code hyper} array (as {@link Sgd}). */
    record Adam(float b1, float c1, float b2, float c2, float eps, float shrink, float l2, float negStep, float root2,
                boolean adamw, boolean decay) {
        static Adam of(double[] h) {
            double lr = h[0], wd = h[4];
            boolean adamw = h[5] != 0;
            return new Adam((float) h[1], (float) (1 - h[1]), (float) h[2], (float) (1 - h[2]), (float) h[3], (float) (1 - lr * wd),
                    (float) wd, (float) (-lr / h[6]), (float) Math.sqrt(h[7]), adamw, !adamw && wd != 0);
        }
    }

    /** SGD on elements [lo, hi): p at {@code p[po]}, gradient at {@code g[go]}, momentum buffer at {@code buf[bo]}. */
    void sgd(Sgd s, float[] p, int po, float[] g, int go, float[] buf, int bo, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            float d = g[go + i];
            if (s.decay()) d = d + p[po + i] * s.wd();
            if (s.momentum()) {
                float b = s.first() ? d : buf[bo + i] * s.mom() + d * s.damp();
                buf[bo + i] = b;
                d = s.nesterov() ? d + b * s.mom() : b;
            }
            p[po + i] = p[po + i] + d * s.negLr();
        }
    }

    /** Adam on elements [lo, hi): p at {@code p[po]}, gradient at {@code g[go]}, m at {@code m[mo]}, v at {@code v[vo]}. */
    void adam(Adam s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            float pi = p[po + i], gi = g[go + i];
            float base = s.adamw() ? pi * s.shrink() : pi;
            if (s.decay()) gi = gi + pi * s.l2();
            float mi = m[mo + i] * s.b1() + gi * s.c1();
            float vi = v[vo + i] * s.b2() + gi * s.c2() * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            float denom = (float) Math.sqrt(vi) / s.root2() + s.eps(); // the correctly rounded float square root
            p[po + i] = base + mi * s.negStep() / denom;
        }
    }

    /** "scalar", or the vector shape of a SIMD subclass. */
    String describe() {
        return "scalar";
    }
}
