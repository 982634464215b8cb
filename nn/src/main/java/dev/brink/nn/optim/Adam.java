package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;

import java.util.List;
import java.util.Map;

/**
 * Adam, or AdamW with {@code adamw = true}; exactly {@code torch.optim.Adam} / {@code torch.optim.AdamW}
 * (PyTorch 1.13, {@code amsgrad=False}, {@code maximize=False}).
 *
 * <p>For each parameter {@code p} with gradient {@code g}; {@code t} is the parameter's own step count (it
 * advances only on steps where the parameter has a gradient, as in PyTorch):
 * <pre>
 * t = t + 1
 * if adamw:                p = p * (1 - lr * weightDecay)        (decoupled weight decay)
 * else if weightDecay != 0: g = g + weightDecay * p              (Adam's L2 added to the gradient)
 * m = beta1 * m + (1 - beta1) * g                                 (m, v start at zero)
 * v = beta2 * v + (1 - beta2) * g * g
 * stepSize = lr / (1 - beta1^t)
 * denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 * p = p - stepSize * m / denom
 * </pre>
 * State per parameter: {@code step.<name>} (0-d float64 tensor holding t), {@code exp_avg.<name>} (m) and
 * {@code exp_avg_sq.<name>} (v), PyTorch's names.
 *
 * <p>Defaults are PyTorch's: {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}; weight decay 0 for Adam, and
 * {@code 1e-2} for {@link #adamW(Map, double)} (torch.optim.AdamW's default).
 *
 * <p>Config: {@code {"type":"adam","lr":..,"beta1":..,"beta2":..,"eps":..,"weight_decay":..,"adamw":..}}.
 */
public final class Adam extends Optimizer {
    private static final String STEP = "step";
    private static final String EXP_AVG = "exp_avg";
    private static final String EXP_AVG_SQ = "exp_avg_sq";
    private static final List<Slot> SLOTS = List.of(new Slot(STEP, true), new Slot(EXP_AVG, false), new Slot(EXP_AVG_SQ, false));

    /** PyTorch's default learning rate for Adam and AdamW. */
    public static final double DEFAULT_LR = 1e-3;
    /** torch.optim.AdamW's default weight decay. */
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 1e-2;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean adamw;

    /** Adam with PyTorch's defaults except the learning rate. */
    public Adam(Map<String, Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /**
     * @param params named parameters, in order
     * @param lr learning rate ({@code >= 0})
     * @param beta1 decay of the first-moment average, in [0, 1)
     * @param beta2 decay of the second-moment average, in [0, 1)
     * @param eps added to the denominator ({@code >= 0})
     * @param weightDecay weight-decay coefficient ({@code >= 0}): L2 added to the gradient, or decoupled with adamw
     * @param adamw decoupled weight decay (AdamW) instead of Adam's L2-in-the-gradient
     */
    public Adam(Map<String, Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean adamw) {
        super(params, lr);
        String what = adamw ? "AdamW" : "Adam";
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException(what + ": invalid beta1 " + beta1 + " (must be in [0, 1))");
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException(what + ": invalid beta2 " + beta2 + " (must be in [0, 1))");
        requireNonNegative(what, "eps", eps);
        requireNonNegative(what, "weight_decay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.adamw = adamw;
    }

    /** AdamW with PyTorch's defaults (weight decay 1e-2) except the learning rate. */
    public static Adam adamW(Map<String, Tensor> params, double lr) {
        return adamW(params, lr, DEFAULT_ADAMW_WEIGHT_DECAY);
    }

    /** AdamW (decoupled weight decay) with default betas and eps. */
    public static Adam adamW(Map<String, Tensor> params, double lr, double weightDecay) {
        return new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    /** The first-moment decay. */
    public double beta1() {
        return beta1;
    }

    /** The second-moment decay. */
    public double beta2() {
        return beta2;
    }

    /** The denominator epsilon. */
    public double eps() {
        return eps;
    }

    /** The weight-decay coefficient. */
    public double weightDecay() {
        return weightDecay;
    }

    /** True for AdamW (decoupled weight decay). */
    public boolean isAdamW() {
        return adamw;
    }

    @Override
    protected List<Slot> slots() {
        return SLOTS;
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState st) {
        double lr = learningRate();
        long t = st.counter(STEP) + 1;
        st.setCounter(STEP, t);
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        Tensor m = st.tensor(EXP_AVG);
        Tensor v = st.tensor(EXP_AVG_SQ);
        if (m == null) m = param.zerosLike();
        if (v == null) v = param.zerosLike();
        double[] hyper = {lr, beta1, beta2, eps, weightDecay, adamw ? 1 : 0, biasCorrection1, biasCorrection2};
        if (param.backend().optimizerStep(OptimizerKernel.ADAM, hyper, param, grad, m, v)) {
            st.setTensor(EXP_AVG, m);
            st.setTensor(EXP_AVG_SQ, v);
            return;
        }
        // the same update composed from ops, on backends without the fused kernel
        Tensor p = param;
        Tensor g = grad;
        if (adamw) p = p.mul(1 - lr * weightDecay);
        else if (weightDecay != 0) g = g.add(p.mul(weightDecay));
        m = m.mul(beta1).add(g.mul(1 - beta1));
        v = v.mul(beta2).add(g.mul(1 - beta2).mul(g));
        st.setTensor(EXP_AVG, m);
        st.setTensor(EXP_AVG_SQ, v);
        double stepSize = lr / biasCorrection1;
        Tensor denom = v.sqrt().div(Math.sqrt(biasCorrection2)).add(eps);
        param.assign(p.add(m.mul(-stepSize).div(denom)));
    }

    @Override
    protected ObjectNode configJson() {
        ObjectNode n = Json.object("adam");
        n.put("lr", learningRate());
        n.put("beta1", beta1);
        n.put("beta2", beta2);
        n.put("eps", eps);
        n.put("weight_decay", weightDecay);
        n.put("adamw", adamw);
        return n;
    }

    /** Recreates an Adam/AdamW from its {@link #config()} JSON over {@code params}. */
    public static Adam fromConfig(String json, Map<String, Tensor> params) {
        return fromConfig(Json.parseOfType(json, "adam", "Adam config"), params);
    }

    static Adam fromConfig(ObjectNode n, Map<String, Tensor> params) {
        String what = "Adam config";
        Json.checkFields(n, what, "lr", "beta1", "beta2", "eps", "weight_decay", "adamw");
        boolean adamw = Json.bool(n, "adamw", false, what);
        return new Adam(params, Json.num(n, "lr", DEFAULT_LR, what), Json.num(n, "beta1", 0.9, what),
                Json.num(n, "beta2", 0.999, what), Json.num(n, "eps", 1e-8, what),
                Json.num(n, "weight_decay", adamw ? DEFAULT_ADAMW_WEIGHT_DECAY : 0, what), adamw);
    }
}
