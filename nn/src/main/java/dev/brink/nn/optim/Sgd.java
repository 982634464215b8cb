package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.OptimizerKernel;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay; exactly
 * {@code torch.optim.SGD} (PyTorch 1.13, {@code maximize=False}).
 *
 * <p>For each parameter {@code p} with gradient {@code g}, at each step:
 * <pre>
 * d = g + weightDecay * p                          (only when weightDecay != 0: L2 added to the gradient)
 * if momentum != 0:
 *     b = d                                        at the parameter's first update (no dampening)
 *     b = momentum * b + (1 - dampening) * d       afterwards
 *     d = nesterov ? d + momentum * b : b
 * p = p - lr * d
 * </pre>
 * State: with {@code momentum != 0}, one slot {@code momentum} (PyTorch's {@code momentum_buffer}) per parameter,
 * keyed {@code momentum.<name>}; with {@code momentum == 0}, none.
 *
 * <p>Config: {@code {"type":"sgd","lr":..,"momentum":..,"dampening":..,"nesterov":..,"weight_decay":..}}.
 */
public final class Sgd extends Optimizer {
    private static final String MOMENTUM = "momentum";

    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;

    /** Plain SGD: {@code p = p - lr * g}. */
    public Sgd(Map<String, Tensor> params, double lr) {
        this(params, lr, 0, 0, false, 0);
    }

    /** SGD with momentum (no dampening, not Nesterov, no weight decay). */
    public Sgd(Map<String, Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, false, 0);
    }

    /**
     * @param params named parameters, in order
     * @param lr learning rate ({@code >= 0})
     * @param momentum momentum factor ({@code >= 0}; 0 disables momentum and its state)
     * @param dampening dampening of the gradient added to the momentum buffer (PyTorch's default 0)
     * @param nesterov Nesterov momentum; requires {@code momentum > 0} and {@code dampening == 0} (as PyTorch)
     * @param weightDecay L2 penalty coefficient added to the gradient ({@code >= 0})
     */
    public Sgd(Map<String, Tensor> params, double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        super(params, lr);
        requireNonNegative("Sgd", "momentum", momentum);
        requireNonNegative("Sgd", "weight_decay", weightDecay);
        if (!Double.isFinite(dampening)) throw new IllegalArgumentException("Sgd: invalid dampening " + dampening);
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new IllegalArgumentException("Sgd: Nesterov momentum requires a momentum and zero dampening (momentum "
                    + momentum + ", dampening " + dampening + ")");
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    /** The momentum factor. */
    public double momentum() {
        return momentum;
    }

    /** The dampening. */
    public double dampening() {
        return dampening;
    }

    /** Whether Nesterov momentum is used. */
    public boolean nesterov() {
        return nesterov;
    }

    /** The L2 weight-decay coefficient. */
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected List<Slot> slots() {
        return momentum != 0 ? List.of(new Slot(MOMENTUM, false)) : List.of();
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamState st) {
        Tensor buf = momentum == 0 ? null : st.tensor(MOMENTUM);
        boolean first = momentum != 0 && buf == null;
        if (first) buf = param.zerosLike();
        double[] hyper = {learningRate(), momentum, dampening, nesterov ? 1 : 0, weightDecay, first ? 1 : 0};
        if (param.backend().optimizerStep(OptimizerKernel.SGD, hyper, param, grad, buf, null)) {
            if (first) st.setTensor(MOMENTUM, buf);
            return;
        }
        // the same update composed from ops, on backends without the fused kernel
        Tensor d = grad;
        if (weightDecay != 0) d = d.add(param.mul(weightDecay));
        if (momentum != 0) {
            if (first) buf = buf.assign(d); // a copy: never alias the caller's gradient
            else buf = buf.mul(momentum).add(d.mul(1 - dampening));
            st.setTensor(MOMENTUM, buf);
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        param.assign(param.add(d.mul(-learningRate())));
    }

    @Override
    protected ObjectNode configJson() {
        ObjectNode n = Json.object("sgd");
        n.put("lr", learningRate());
        n.put("momentum", momentum);
        n.put("dampening", dampening);
        n.put("nesterov", nesterov);
        n.put("weight_decay", weightDecay);
        return n;
    }

    /** Recreates an Sgd from its {@link #config()} JSON over {@code params}. */
    public static Sgd fromConfig(String json, Map<String, Tensor> params) {
        return fromConfig(Json.parseOfType(json, "sgd", "Sgd config"), params);
    }

    static Sgd fromConfig(ObjectNode n, Map<String, Tensor> params) {
        String what = "Sgd config";
        Json.checkFields(n, what, "lr", "momentum", "dampening", "nesterov", "weight_decay");
        return new Sgd(params, Json.num(n, "lr", Double.NaN, what), Json.num(n, "momentum", 0, what),
                Json.num(n, "dampening", 0, what), Json.bool(n, "nesterov", false, what), Json.num(n, "weight_decay", 0, what));
    }
}
