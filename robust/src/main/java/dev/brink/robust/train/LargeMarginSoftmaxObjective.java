package dev.brink.robust.train;

import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.attack.Attacks;

import java.util.List;

/**
 * Large-margin softmax (L-Softmax; Liu, Wen, Yu, Yang, "Large-Margin Softmax Loss for Convolutional Neural
 * Networks"): the cross-entropy of logits whose true-class entry is
 * {@code f_y = ||W_y|| ||h|| psi(theta_y) + b_y} instead of {@code W_y . h + b_y}, with h the penultimate
 * features {@code [N, D]}, W {@code [K, D]} and b the last linear layer's weight and bias, theta_y the angle
 * between W_y and h, and {@code psi(theta) = (-1)^k cos(m theta) - 2k} for theta in {@code [k pi/m, (k+1) pi/m]}
 * (cos(m theta) by the Chebyshev expansion in cos theta; k is piecewise constant, not differentiated). The other
 * logits are unchanged, so with {@code m = 1} this is exactly the model's cross-entropy. With {@code lambda > 0}
 * the true logit is {@code (lambda W_y . h + ||W_y|| ||h|| psi) / (1 + lambda) + b_y}, the softened form Liu et al.
 * anneal from a large lambda. The bias, absent from Liu et al.'s formulation, is kept so m = 1 matches the model.
 *
 * <p>Defaults: {@code m = 4} (Liu and Chan's MNIST MLP; they use m = 1 on their CIFAR-10 CNN, which did not
 * converge with larger margins), and the softening weight annealed per optimizer step s as
 * {@code max(lambda, lambda-start * lambda-decay^s)} from 1000 by 0.99 down to {@code lambda = 0}, the schedule of
 * the public L-Softmax implementations (a constant {@code lambda = 0} with m = 4 collapses the features at
 * initialization and stays at chance; {@code lambda-start=0} gives the constant weight). With {@code adversarial=true} the loss is evaluated on inputs
 * that maximize it ({@link InnerPgd}, from {@code --train-attack}, default {@link #DEFAULT_ATTACK}): Liu and Chan's
 * AT+L-Softmax. The model must end in a linear layer ({@link LinearHead}).
 */
public final class LargeMarginSoftmaxObjective implements Objective {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("m", "4", "integer angular margin >= 1 (Liu and Chan: 4 on the MNIST MLP, 1 on the CIFAR-10 CNN)"),
            new Attacks.Option("lambda", "0", "final softening weight of the plain logit in the true class's logit (0: pure L-Softmax)"),
            new Attacks.Option("lambda-start", "1000", "softening weight at step 0, annealed down to lambda (Liu, Wen, Yu, Yang; 0: constant lambda)"),
            new Attacks.Option("lambda-decay", "0.99", "factor per optimizer step: weight = max(lambda, lambda-start * lambda-decay^step)"),
            new Attacks.Option("adversarial", "false", "evaluate the loss on PGD examples that maximize it (AT+L-Softmax; --train-attack)"));

    /** The inner attack of {@code adversarial=true} without {@code --train-attack}: Liu and Chan's CIFAR-10 PGD-10. */
    public static final String DEFAULT_ATTACK = "pgd:steps=10,eps=0.031,step=0.0078,norm=linf";

    private final int m;
    private final double lambda;
    private final double lambdaStart;
    private final double lambdaDecay;
    private final InnerPgd inner;

    /** L-Softmax with integer margin {@code m >= 1} and softening {@code lambda >= 0}, on clean inputs. */
    public LargeMarginSoftmaxObjective(int m, double lambda) {
        this(m, lambda, null);
    }

    /**
     * L-Softmax with integer margin {@code m >= 1} and softening {@code lambda >= 0}, evaluated on the inputs that
     * {@code inner} finds by maximizing it (null: on the clean inputs).
     */
    public LargeMarginSoftmaxObjective(int m, double lambda, InnerPgd inner) {
        this(m, lambda, 0, 1, inner);
    }

    /**
     * L-Softmax whose softening weight is annealed as Liu, Wen, Yu and Yang train it: at optimizer step s it is
     * {@code max(lambda, lambdaStart * lambdaDecay^s)}, so training starts close to the plain softmax (a large weight)
     * and reaches the margin loss; without it, m = 4 collapses the features at initialization and does not train.
     */
    public LargeMarginSoftmaxObjective(int m, double lambda, double lambdaStart, double lambdaDecay, InnerPgd inner) {
        if (!(lambdaStart >= 0) || Double.isInfinite(lambdaStart)) throw new IllegalArgumentException("l-softmax: lambda-start must be finite and >= 0, got " + lambdaStart);
        if (!(lambdaDecay > 0 && lambdaDecay <= 1)) throw new IllegalArgumentException("l-softmax: lambda-decay must be in (0, 1], got " + lambdaDecay);
        this.lambdaStart = lambdaStart;
        this.lambdaDecay = lambdaDecay;
        if (m < 1) throw new IllegalArgumentException("l-softmax: m must be an integer >= 1, got " + m);
        if (!(lambda >= 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("l-softmax: lambda must be finite and >= 0, got " + lambda);
        this.m = m;
        this.lambda = lambda;
        this.inner = inner;
    }

    static LargeMarginSoftmaxObjective fromOptions(Attacks.Options o, ObjectiveSetup setup) {
        return new LargeMarginSoftmaxObjective(o.integer("m"), o.real("lambda"), o.real("lambda-start"), o.real("lambda-decay"),
                o.bool("adversarial") ? InnerPgd.of(setup.attackOr(DEFAULT_ATTACK), "l-softmax") : null);
    }

    /** The softening weight at optimizer step {@code step}: {@code max(lambda, lambdaStart * lambdaDecay^step)}. */
    public double lambdaAt(long step) {
        return Math.max(lambda, lambdaStart * Math.pow(lambdaDecay, step));
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        LinearHead head = LinearHead.of(model, "l-softmax");
        Tensor y = batch.y();
        double lambda = lambdaAt(context.step());
        if (inner != null) {
            Tensor adv = inner.maximize(model, batch.x(), inner.start(batch.x(), context.generator()), xv -> loss(head, xv, y, lambda));
            return new Outcome(loss(head, adv, y, lambda), null);
        }
        Tensor h = head.features(batch.x());
        Tensor logits = h.matmul(head.weight().transpose(0, 1));
        if (head.bias() != null) logits = logits.add(head.bias());
        Tensor margined = marginLogits(h, head.weight(), head.bias(), y, m, lambda);
        return new Outcome(F.crossEntropy(margined, y), logits);
    }

    private Tensor loss(LinearHead head, Tensor x, Tensor y, double lambda) {
        return F.crossEntropy(marginLogits(head.features(x), head.weight(), head.bias(), y, m, lambda), y);
    }

    /**
     * The L-Softmax logits {@code [N, K]} of features h {@code [N, D]}, weight {@code [K, D]}, bias {@code [K]}
     * (or null) and int32 labels {@code [N]}.
     */
    public static Tensor marginLogits(Tensor h, Tensor weight, Tensor bias, Tensor y, int m, double lambda) {
        int k = weight.size(0);
        Tensor onehot = F.oneHot(y, k, h.dtype());
        Tensor plain = h.matmul(weight.transpose(0, 1));
        Tensor wy = onehot.matmul(weight);                                   // [N, D]: W_y per sample
        Tensor dot = h.mul(wy).sum(new int[]{1}, false);                     // W_y . h
        Tensor norms = wy.square().sum(new int[]{1}, false).mul(h.square().sum(new int[]{1}, false)).add(1e-30).sqrt();
        Tensor cos = dot.div(norms).clamp(-1, 1);
        Tensor psi;
        if (m == 1) {
            psi = cos;
        } else {
            Tensor cosM = chebyshev(cos, m);
            double[] c = cos.detach().toDoubleArray();
            double[] sign = new double[c.length], shift = new double[c.length];
            for (int i = 0; i < c.length; i++) {
                int kk = (int) Math.floor(Math.acos(c[i]) * m / Math.PI);
                kk = Math.min(kk, m - 1);
                sign[i] = kk % 2 == 0 ? 1 : -1;
                shift[i] = -2.0 * kk;
            }
            psi = cosM.mul(Tensor.of(sign, c.length).to(h.dtype())).add(Tensor.of(shift, c.length).to(h.dtype()));
        }
        Tensor target = m == 1 ? dot : norms.mul(psi);
        if (lambda > 0) target = dot.mul(lambda).add(target).div(1 + lambda);
        Tensor logits = plain.add(onehot.mul(target.sub(dot).reshape(-1, 1)));
        return bias == null ? logits : logits.add(bias);
    }

    /** cos(m theta) from c = cos theta: {@code sum_n (-1)^n C(m, 2n) c^(m-2n) (1 - c^2)^n}. */
    static Tensor chebyshev(Tensor c, int m) {
        Tensor s2 = c.square().neg().add(1.0);
        Tensor total = null;
        for (int n = 0; 2 * n <= m; n++) {
            double coef = (n % 2 == 0 ? 1 : -1) * binomial(m, 2 * n);
            Tensor term = c.pow(m - 2 * n).mul(s2.pow(n)).mul(coef);
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    private static double binomial(int n, int r) {
        double b = 1;
        for (int i = 1; i <= r; i++) b = b * (n - r + i) / i;
        return b;
    }
}
