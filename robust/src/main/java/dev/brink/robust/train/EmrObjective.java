package dev.brink.robust.train;

import dev.brink.engine.Autograd;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * Liu and Chan's effective margin regularization (EMR). A piecewise-linear network is locally
 * {@code f(x_i) = W_i x_i + b_i}; its effective margin is {@code min_{j != y} (z_y - z_j) / ||w_i^(y) - w_i^(j)||_2}
 * with {@code w_i^(j) = d z_j(x_i) / d x_i} (see {@link EffectiveMargins}). Cross-entropy can be lowered by scaling
 * the logits up without moving the boundary; EMR penalizes the effective weight norm instead:
 * <ul>
 *   <li>exact ({@code method=exact}, their Eq. 5): {@code L_EMR = (1/B) sum_i sum_{j=1..K} ||w_i^(j)||_2^2}, all K
 *       per-class Jacobian rows ({@link Derivatives#jacobianRows}, one backward pass per class) reduced by the
 *       {@code row_squared_norms} backend op ({@link F#rowSquaredNorms}: emr.cu on CUDA);</li>
 *   <li>approximate ({@code method=approx}, their Eq. 7 and Algorithm 1):
 *       {@code L_EMR = (1/B) sum_i ||d/dx sum_j p_ij z_ij(x_i)||_2^2} with {@code p_i = softmax(z_i / t)} detached
 *       (temperature t): one backward pass whatever K.</li>
 * </ul>
 * The penalty's forward pass runs in eval mode (batch norm on running statistics, so samples stay independent and
 * the network is locally linear per sample, as Liu and Chan do). The loss is {@code CE + lambda * r * L_EMR}, where
 * {@code r} is the learning rate over its initial value when {@code decay=true}: Liu and Chan divide lambda_EMR by
 * 10 whenever the learning rate is (Algorithm 1, "adjust eta and lambda_EMR").
 *
 * <p>Compositions: {@code emr} alone (defaults: clean inputs, clean CE added) is their standard-training "EMR"
 * (ST+EMR; the weight decay lambda_WD is the trainer's {@code --weight-decay}); AT+EMR is
 * {@code --objective pgd-at --objective emr:ce=false,on=adversarial}; TRADES+EMR is
 * {@code --objective trades --objective emr:ce=false,on=adversarial,method=approx} (Algorithm 1 computes EMR on
 * the adversarial examples, their Table 4). Here the adversarial examples come from the run's
 * {@code --train-attack} (an attack of the registry, maximizing CE), not from TRADES' KL attack.
 */
public final class EmrObjective implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("lambda", "0.1", "lambda_EMR, weight of the EMR loss (Liu and Chan's MNIST MLP: 0.1)"),
            new Attacks.Option("method", "exact", "exact (all K Jacobian rows) or approx (softmax-weighted logits, one row)"),
            new Attacks.Option("t", "1", "temperature of the approx weights p = softmax(z / t), detached"),
            new Attacks.Option("ce", "true", "add the mean cross-entropy on the clean batch (false: EMR alone, to sum)"),
            new Attacks.Option("on", "clean", "inputs of EMR: clean or adversarial (the --train-attack examples)"),
            new Attacks.Option("decay", "true", "scale lambda by learning rate / initial learning rate (Liu and Chan, Algorithm 1)"));

    private final double lambda;
    private final boolean exact;
    private final double temperature;
    private final boolean ce;
    private final InnerAttack inner;
    private final boolean decay;

    EmrObjective(double lambda, boolean exact, double temperature, boolean ce, InnerAttack inner, boolean decay) {
        if (!(lambda >= 0)) throw new IllegalArgumentException("emr: lambda must be >= 0, got " + lambda);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("emr: temperature t must be > 0 and finite, got " + temperature);
        this.lambda = lambda;
        this.exact = exact;
        this.temperature = temperature;
        this.ce = ce;
        this.inner = inner;
        this.decay = decay;
    }

    static EmrObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new EmrObjective(o.real("lambda"), o.choice("method", "exact", "approx").equals("exact"), o.real("t"), o.bool("ce"),
                RegularizerInputs.inner(RegularizerInputs.source(o), setup), o.bool("decay"));
    }

    /**
     * Exact EMR of a batch, {@code (1/B) sum_i sum_j ||d z_ij / d x_i||^2}, as a scalar differentiable in the weights.
     * The model's current mode is used (callers switch to eval mode).
     */
    static Tensor exact(Module model, Tensor x) {
        Tensor rows = Derivatives.jacobianRows(model::forward, x.detach(), true); // [K, B, ...]
        int k = rows.size(0), b = rows.size(1);
        if (b == 0) return rows.sum();
        return F.rowSquaredNorms(rows.reshape(k * b, rows.numel() / (k * b))).sum().div(b);
    }

    /** Approximate EMR (Liu and Chan, Eq. 7) at temperature t: {@code (1/B) sum_i ||grad_x sum_j p_ij z_ij||^2}. */
    static Tensor approx(Module model, Tensor x, double temperature) {
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor z = model.forward(xv);
            Tensor p;
            try (GradMode.Scope ng = GradMode.noGrad()) {
                p = z.detach().div(temperature).softmax(1);
            }
            return weighted(z, xv, p);
        }
    }

    /**
     * {@code (1/B) sum_i ||grad_x sum_j p_ij z_ij||^2} for given constant weights {@code p [B, K]} (rows on the
     * simplex), with {@code z = model(x)}: approximate EMR with the weights held fixed (tests check its weight
     * gradient against finite differences this way, since the detached weights make the objective's gradient
     * differ from the derivative of its value on purpose).
     */
    static Tensor approx(Module model, Tensor x, Tensor p) {
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor xv = x.detach().requiresGrad(true);
            return weighted(model.forward(xv), xv, p.detach());
        }
    }

    private static Tensor weighted(Tensor z, Tensor xv, Tensor p) {
        Tensor g = Autograd.grad(z.mul(p).sum(), xv, GradOptions.defaults().createGraph().allowUnused())[0];
        return F.rowSquaredNorms(g).mean();
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor x = RegularizerInputs.inputs(inner, model, batch, context);
        Tensor emr = RegularizerInputs.inEval(model, () -> exact ? exact(model, x) : approx(model, x, temperature));
        double weight = lambda * (decay ? context.learningRateRatio() : 1);
        Tensor reg = emr.mul(weight);
        if (!ce) return new Outcome(reg, null, reg.detach());
        Tensor clean = model.forward(batch.x());
        Tensor loss = Objective.classificationLoss(clean, batch.y(), 0).add(reg);
        return new Outcome(loss, clean, reg.detach());
    }
}
