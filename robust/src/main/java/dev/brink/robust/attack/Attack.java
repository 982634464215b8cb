package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.Set;

/**
 * Base of every attack (Foolbox 3's design): {@link #run} is final and owns what all attacks share, so that a
 * subclass only implements {@link #perturb}:
 * <ul>
 *   <li>checks before any work: eps >= 0, a supported norm, inputs inside the box, one label per sample, targets
 *       in range;</li>
 *   <li>resolves the goal into per-sample target classes (the least-likely class from the clean logits);</li>
 *   <li>after {@code perturb}: projects onto the epsilon ball and the box (so no attack can ever return an input
 *       outside them), evaluates success on the final inputs (taken from the attack's own evaluation of
 *       them where it made one and the projection changed nothing), and measures the perturbation's L0/L1/L2/L-inf
 *       norms.</li>
 * </ul>
 * Attacks are seeded through the {@link Generator} argument; the same seed gives the same adversarial batch.
 */
public abstract class Attack {
    /** Short name, e.g. "fgsm", "pgd-linf". */
    public abstract String name();

    /** The norms this attack can be bounded in. */
    public abstract Set<Norm> supportedNorms();

    /** The norm to use when none is given: the first of L-inf, L2, L1, L0 that this attack supports. */
    public Norm defaultNorm() {
        for (Norm n : new Norm[] {Norm.LINF, Norm.L2, Norm.L1, Norm.L0}) if (supportedNorms().contains(n)) return n;
        throw new IllegalStateException(name() + " supports no norm");
    }

    /** What a subclass receives: the problem, already validated. */
    public record Problem(Classifier model, Tensor x, Tensor labels, Tensor classes, boolean targeted,
                             ThreatModel threat, Generator gen) {
        /** The attack loss (to increase) of a batch, per sample. */
        public Tensor loss(AttackLoss loss, Tensor input) {
            return loss.value(model.logits(input), classes, targeted);
        }

        /** Per-sample success of a candidate batch (prediction leaves the label, or reaches the target). */
        public boolean[] success(Tensor candidate) {
            try (GradMode.Scope s = GradMode.noGrad()) {
                return succeeded(model.logits(candidate), this);
            }
        }
    }

    /**
     * What {@link #perturb} returns: the adversarial batch, the iterations each sample used and, where the attack
     * evaluated the model on exactly the batch it returns, each sample's success there ({@code null} where it did
     * not). {@link #run} trusts {@code success} only when its projection leaves the batch bit for bit unchanged, and
     * otherwise evaluates the model once more.
     */
    public record Outcome(Tensor adversarial, int[] iterations, boolean[] success) {
        /** An outcome whose success {@link #run} evaluates itself. */
        public Outcome(Tensor adversarial, int[] iterations) {
            this(adversarial, iterations, null);
        }
    }

    /** The attack proper. The returned batch is projected onto the ball and box by {@link #run} afterwards. */
    protected abstract Outcome perturb(Problem p);

    /**
     * Attacks a batch.
     *
     * @param model the classifier (logits of a batch)
     * @param x clean inputs {@code [N, ...]}, inside the threat model's box
     * @param labels true classes, int32 {@code [N]}
     * @param threat norm, eps and box
     * @param goal untargeted, targeted or least-likely
     * @param gen random stream for random starts, restarts and sampling
     */
    public final AttackResult run(Classifier model, Tensor x, Tensor labels, ThreatModel threat, Goal goal, Generator gen) {
        validate(x, labels, threat, goal);
        Tensor x0 = x.detach();
        Tensor classes = resolveTargets(model, x0, labels, goal);
        long before = model.calls();
        Problem p = new Problem(model, x0, labels, classes, goal.isTargeted(), threat, gen);
        Outcome o = perturb(p);
        Tensor adv;
        try (GradMode.Scope s = GradMode.noGrad()) {
            adv = Projections.project(o.adversarial().detach().to(x0.dtype()), x0, threat);
        }
        boolean[] success = o.success() != null && sameValues(adv, o.adversarial()) ? o.success().clone() : p.success(adv);
        AttackResult.Perturbations norms = measure(adv.sub(x0));
        return new AttackResult(adv, success, norms, model.calls() - before, o.iterations());
    }

    private void validate(Tensor x, Tensor labels, ThreatModel threat, Goal goal) {
        String n = name();
        Projections.requireBatch(n, x);
        if (!supportedNorms().contains(threat.norm()))
            throw new IllegalArgumentException(n + ": norm " + threat.norm().label() + " is not supported (supported: " + supportedNorms() + ")");
        if (labels.dtype() != DType.INT32 || labels.dim() != 1 || labels.size(0) != x.size(0))
            throw new IllegalArgumentException(n + ": labels must be int32 [" + x.size(0) + "] for inputs " + Shape.str(x.shape())
                    + ", got " + labels.dtype().label() + " " + Shape.str(labels.shape()));
        try (GradMode.Scope s = GradMode.noGrad()) {
            double lo = x.amin().item(), hi = x.amax().item();
            if (lo < threat.lower() || hi > threat.upper())
                throw new IllegalArgumentException(n + ": inputs lie in [" + lo + ", " + hi + "], outside the box [" + threat.lower() + ", " + threat.upper()
                        + "]; attacks work in pixel space (normalization belongs inside the model)");
        }
        if (goal instanceof Goal.Targeted t && (t.targets().dtype() != DType.INT32 || t.targets().dim() != 1 || t.targets().size(0) != x.size(0)))
            throw new IllegalArgumentException(n + ": targets must be int32 [" + x.size(0) + "], got " + t.targets().dtype().label() + " " + Shape.str(t.targets().shape()));
    }

    private static Tensor resolveTargets(Classifier model, Tensor x, Tensor labels, Goal goal) {
        if (goal instanceof Goal.Targeted t) return t.targets();
        if (goal instanceof Goal.LeastLikely) {
            try (GradMode.Scope s = GradMode.noGrad()) {
                return model.logits(x).argmin(1);
            }
        }
        return labels;
    }

    /** Per-sample success of logits against the problem's goal. */
    /** True when a and b hold the same values bit for bit (same dtype and shape). */
    private static boolean sameValues(Tensor a, Tensor b) {
        if (a == b) return true;
        if (a.dtype() != b.dtype() || !Arrays.equals(a.shape(), b.shape())) return false;
        return a.dtype() == DType.FLOAT64 ? Arrays.equals(a.toDoubleArray(), b.toDoubleArray()) : Arrays.equals(a.toFloatArray(), b.toFloatArray());
    }

    static boolean[] succeeded(Tensor logits, Problem p) {
        int[] pred = logits.argmax(1).toIntArray();
        int[] cls = p.classes().toIntArray();
        boolean[] s = new boolean[pred.length];
        for (int i = 0; i < s.length; i++) s[i] = p.targeted() ? pred[i] == cls[i] : pred[i] != cls[i];
        return s;
    }

    static AttackResult.Perturbations measure(Tensor d) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return new AttackResult.Perturbations(Projections.norm(d, Norm.L0).toDoubleArray(), Projections.norm(d, Norm.L1).toDoubleArray(),
                    Projections.norm(d, Norm.L2).toDoubleArray(), Projections.norm(d, Norm.LINF).toDoubleArray());
        }
    }

    /** Gradient of the summed attack loss with respect to the input batch (one forward and one backward). */
    protected static Tensor inputGradient(Problem p, AttackLoss loss, Tensor input) {
        Tensor xv = input.detach().requiresGrad(true);
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor l = p.loss(loss, xv).sum();
            return dev.brink.engine.Autograd.grad(l, xv)[0];
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
