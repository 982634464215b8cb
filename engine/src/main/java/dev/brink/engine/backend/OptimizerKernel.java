package dev.brink.engine.backend;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

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
    ADAM;

    /**
     * Whether a backend's fused kernel can take these tensors: a floating parameter, gradient and state of its dtype
     * and size, the parameter and state contiguous (they are written in place), and the state this update needs
     * present. Layout of the gradient is the backend's concern.
     */
    public boolean fits(double[] hyper, Tensor param, Tensor grad, Tensor state1, Tensor state2) {
        DType t = param.dtype();
        if (t != DType.FLOAT32 && t != DType.FLOAT64) return false;
        for (Tensor s : new Tensor[] {grad, state1, state2})
            if (s != null && (s.dtype() != t || s.numel() != param.numel())) return false;
        for (Tensor s : new Tensor[] {param, state1, state2}) if (s != null && !s.isContiguous()) return false;
        return this == ADAM ? state1 != null && state2 != null : hyper[1] == 0 || state1 != null;
    }
}
