package dev.brink.userops;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A user's op (a backward rule outside the engine's packages) may keep the gradient it is given and what it
 * computes; the walker must never recycle either, even in passes that recycle everything else.
 */
class UserRuleRecyclingTest {
    /** Identity op whose backward rule keeps every gradient it sees and the doubled copy it returns. */
    private static final class Recorder {
        final List<Tensor> seen = new ArrayList<>(), made = new ArrayList<>();

        Tensor apply(Tensor x) {
            Tensor out = x.detach().mul(1.0);
            return Autograd.record("recorder", out, new Tensor[] {x}, gy -> {
                seen.add(gy);
                Tensor gx = gy.mul(2.0);
                made.add(gx);
                return new Tensor[] {gx};
            });
        }
    }

    @Test
    void gradientsKeptByAUserRuleAreNeverRecycled() {
        Generator gen = new Generator(21);
        Recorder rec = new Recorder();
        Tensor x = Tensor.randn(gen, DType.FLOAT32, 64, 512).requiresGrad(true); // 32 Ki floats: pooled sizes
        List<float[]> seenValues = new ArrayList<>(), madeValues = new ArrayList<>();
        for (int rep = 0; rep < 4; rep++) {
            Tensor h = x.tanh();
            Tensor loss = rec.apply(h).mul(h).sum(); // built-in ops on both sides of the user's op
            Autograd.grad(loss, x);
            seenValues.add(rec.seen.get(rep).toFloatArray());
            madeValues.add(rec.made.get(rep).toFloatArray());
        }
        // later passes allocate the same sizes again: what the rule kept must still hold its values
        for (int rep = 0; rep < 4; rep++) {
            assertArrayEquals(seenValues.get(rep), rec.seen.get(rep).toFloatArray(), "the gradient the rule kept, pass " + rep);
            assertArrayEquals(madeValues.get(rep), rec.made.get(rep).toFloatArray(), "the tensor the rule made, pass " + rep);
        }
        float[] h = x.tanh().toFloatArray(), seen = seenValues.get(3);
        for (int i = 0; i < h.length; i += 997) assertEquals(h[i], seen[i], 1e-6, "d(sum(r * h))/dr = h at element " + i);
    }
}
