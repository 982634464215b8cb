package dev.brink.engine.backend;

/**
 * The fused optimizer updates of {@link Backend#optimizerStep}: each updates one parameter tensor and its state in
 * a single pass, with the same float operations, in the same order, as the update composed from separate ops, so
 * that fused and composed results are identical. {@code hyper} holds the scalars, in the order listed.
 */
public enum OptimizerKernel {
    /**
     * SGD with optional momentum, dampening, Nesterov and L2 weight decay ({@code torch.optim.SGD}).
     * {@code hyper = {lr, momentum, dampening, nesterov (0 or 1), weightDecay, first (1 on the buffer's first
     * update, which sets it to the gradient)}}; {@code state1} is the momentum buffer (null when momentum is 0).
     * <pre>
     * d = g + weightDecay * p                 (when weightDecay != 0)
     * b = first ? d : momentum * b + (1 - dampening) * d;  d = nesterov ? d + momentum * b : b   (momentum != 0)
     * p = p + (-lr) * d
     * </pre>
     */
    SGD,
    /**
     * Adam / AdamW ({@code torch.optim.Adam}, {@code AdamW}). {@code hyper = {lr, beta1, beta2, eps, weightDecay,
     * adamw (0 or 1), 1 - beta1^t, 1 - beta2^t}}; {@code state1} is m, {@code state2} is v.
     * <pre>
     * adamw: p' = p * (1 - lr * weightDecay)        else: p' = p, and g = g + weightDecay * p when weightDecay != 0
     * m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + ((1 - beta2) * g) * g
     * p = p' + (m * (-lr / (1 - beta1^t))) / (sqrt(v) / sqrt(1 - beta2^t) + eps)
     * </pre>
     */
    ADAM
}
