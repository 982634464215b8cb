package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/**
 * Logits for the softmax-based objectives (TRADES, MART, MAIL): the model's {@code [N, K]} output, where a one-logit
 * model (binary logistic regression, {@code [N, 1]}) becomes {@code [N, 2] = (0, z)}, whose softmax cross-entropy is
 * the binary cross-entropy of z and whose argmax is the sign rule (as the attacks' {@code Classifier} does).
 */
final class Logits {
    private Logits() {}

    /** The model's logits of x, one-logit models lifted to two classes. */
    static Tensor of(Module model, Tensor x) {
        Tensor z = model.forward(x);
        return z.dim() == 2 && z.size(1) == 1 ? Tensor.concat(1, z.zerosLike(), z) : z;
    }
}
