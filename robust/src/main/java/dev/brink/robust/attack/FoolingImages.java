package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.RandomKind;
import dev.brink.engine.op.Loss;

/**
 * Fooling images ("rubbish examples", Nguyen et al. 2015), Galloway et al. Sec. 6.1: inputs that start as noise and are
 * pushed toward a target class. They have no clean input or epsilon ball, so they are not {@link Attack}s:
 * <ul>
 *   <li>{@link #iterative}: from {@code 0.5 + U(0, 0.1)} per feature, {@code steps} = 50 steps of size 5e-3 descending the
 *       target's cross-entropy toward each class ({@code trials} images per class), clipped to [0, 1] after each
 *       step. The paper says "gradient descent with a step size of 5e-3"; the step here is along the gradient's sign
 *       by default (I-FGSM toward the target, the multi-step version of the sweep below; with the raw gradient
 *       such a step barely moves the noise), {@code signed = false} uses the raw gradient.</li>
 *   <li>{@link #sweep}: Goodfellow's quantitative version (Figure 9): {@code samples} draws of {@code U(0, 1)}, one
 *       targeted FGSM step of size eps toward each class, for eps over 0..255/255, reporting per eps the attack
 *       success rate (argmax equals the target) and the prediction margin (top-1 minus top-2 softmax probability),
 *       both averaged over samples and targets.</li>
 * </ul>
 * Input shapes exclude the batch axis, e.g. {@code {3, 32, 32}}.
 */
public final class FoolingImages {
    private FoolingImages() {}

    /** Iterative fooling images {@code [K * trials, ...]} (class-major), their targets, and per image the target's softmax probability, success and margin. */
    public record Images(Tensor images, int[] targets, double[] targetProbability, boolean[] success, double[] margin) {
        public double successRate() {
            int s = 0;
            for (boolean b : success) if (b) s++;
            return (double) s / success.length;
        }
    }

    /** Per-eps attack success rate and mean margin of the single-step sweep; {@code successByClass[e][k]}. */
    public record Sweep(double[] eps, double[] successRate, double[] margin, double[][] successByClass) {}

    /** The paper's setting: 50 signed steps of 5e-3 from 0.5 + U(0, 0.1). */
    public static Images iterative(Classifier model, int[] shape, int classes, int trials, Generator gen) {
        return iterative(model, shape, classes, trials, 50, 5e-3, true, DType.FLOAT32, gen);
    }

    public static Images iterative(Classifier model, int[] shape, int classes, int trials, int steps, double step, boolean signed, DType dtype, Generator gen) {
        if (classes < 2 || trials < 1 || steps < 0 || !(step >= 0)) throw new IllegalArgumentException("fooling images: need classes >= 2, trials >= 1, steps >= 0, step >= 0");
        int n = classes * trials;
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = i / trials;
        Tensor t = Tensor.ofInts(targets, n);
        Tensor x = Tensor.rand(gen, dtype, batchShape(n, shape)).mul(0.1).add(0.5);
        for (int s = 0; s < steps; s++) {
            Tensor g = targetGradient(model, x, t);
            try (GradMode.Scope sc = GradMode.noGrad()) {
                x = (signed ? F.signStep(x, g, -step) : x.sub(g.mul(step))).clamp(0, 1);
            }
        }
        try (GradMode.Scope sc = GradMode.noGrad()) {
            Tensor prob = model.logits(x).softmax(1);
            double[] pt = prob.mul(F.oneHot(t, prob.size(1), prob.dtype())).sum(new int[] {1}, false).toDoubleArray();
            int[] pred = prob.argmax(1).toIntArray();
            boolean[] ok = new boolean[n];
            for (int i = 0; i < n; i++) ok[i] = pred[i] == targets[i];
            return new Images(x, targets, pt, ok, margins(prob));
        }
    }

    /** eps = 0, 1/255, ..., 255/255: the paper's sweep. */
    public static double[] pixelLevels() {
        double[] e = new double[256];
        for (int i = 0; i < e.length; i++) e[i] = i / 255.0;
        return e;
    }

    /** The single-step targeted sweep: for each eps, ASR and margin over {@code samples} noise inputs times every class. */
    public static Sweep sweep(Classifier model, int[] shape, int classes, int samples, double[] eps, int batch, DType dtype, Generator gen) {
        if (classes < 2 || samples < 1 || batch < 1) throw new IllegalArgumentException("fooling sweep: need classes >= 2, samples >= 1, batch >= 1");
        for (double e : eps) if (!(e >= 0)) throw new IllegalArgumentException("fooling sweep: eps must be >= 0, got " + e);
        double[][] hits = new double[eps.length][classes];
        double[] marginSum = new double[eps.length];
        for (int s0 = 0; s0 < samples; s0 += batch) {
            int m = Math.min(batch, samples - s0);
            Tensor noise = Tensor.rand(gen, dtype, batchShape(m, shape));
            for (int k = 0; k < classes; k++) {
                int[] tk = new int[m];
                java.util.Arrays.fill(tk, k);
                Tensor sign = targetGradient(model, noise, Tensor.ofInts(tk, m)).sign();
                try (GradMode.Scope sc = GradMode.noGrad()) {
                    for (int e = 0; e < eps.length; e++) {
                        Tensor prob = model.logits(noise.sub(sign.mul(eps[e])).clamp(0, 1)).softmax(1);
                        for (int p : prob.argmax(1).toIntArray()) if (p == k) hits[e][k]++;
                        for (double v : margins(prob)) marginSum[e] += v;
                    }
                }
            }
        }
        double[] asr = new double[eps.length], margin = new double[eps.length];
        for (int e = 0; e < eps.length; e++) {
            for (int k = 0; k < classes; k++) {
                asr[e] += hits[e][k] / ((double) samples * classes);
                hits[e][k] /= samples;
            }
            margin[e] = marginSum[e] / ((double) samples * classes);
        }
        return new Sweep(eps.clone(), asr, margin, hits);
    }

    private static Tensor targetGradient(Classifier model, Tensor x, Tensor targets) {
        Tensor xv = x.detach().requiresGrad(true);
        try (GradMode.Scope g = GradMode.enableGrad()) {
            Tensor ce = F.crossEntropy(model.logits(xv), targets, 0.0, Loss.Reduction.SUM);
            return Autograd.grad(ce, xv)[0];
        }
    }

    private static double[] margins(Tensor prob) {
        Tensor top = prob.topk(2, 1);
        return top.slice(1, 0, 1).sub(top.slice(1, 1, 2)).reshape(prob.size(0)).toDoubleArray();
    }

    private static int[] batchShape(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
