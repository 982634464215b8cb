package dev.brink.robust.analysis;

import dev.brink.engine.Derivatives;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.progress.ProgressBar;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Jacobian and Hessian statistics with respect to the input (Yu et al., Sec. 4.3), per sample of the first
 * {@code points} evaluation points:
 * <ul>
 *   <li>the Jacobian (input gradient) of the decision function {@code d = z_y - max_{j != y} z_j} and of the
 *       cross-entropy loss: L1, L2 and L-inf norms, and sparsity (the fraction of entries with {@code |J_i| < t})
 *       at each threshold {@code t} of {@code zero};</li>
 *   <li>the input Hessian of {@code of} (the loss, or d on the linear piece of its runner-up: zero almost everywhere
 *       for a piecewise-linear ReLU/max-pool network): the top-{@code top} eigenvalues by magnitude from
 *       {@code lanczos-steps} Lanczos steps on exact Hessian-vector products, and, for samples of at most
 *       {@code full-max} elements (MNIST's 784), the full spectrum from the Hessian built column by column from
 *       HVPs and decomposed with Apache Commons Math, with its sparsity at the same thresholds;</li>
 *   <li>Yu et al.'s second-order robustness bound (their Eq. 9): for {@code ||delta||_inf <= eps},
 *       {@code |f(x + delta) - f(x)| <= eps ||J||_1 + eps^2 D max_i |lambda_i| / 2} (and {@code eps ||J||_2 +
 *       eps^2 max_i |lambda_i| / 2} for {@code ||delta||_2 <= eps}), with J and lambda those of {@code of}; it
 *       bounds the quadratic Taylor model, not the network, so it is an indicator, not a certificate. Their
 *       indicator proper is the mean magnitude of the Jacobian entries and of the Hessian eigenvalues, both
 *       reported.</li>
 * </ul>
 */
public final class InputDerivatives implements Analysis {
    public static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("points", "10", "evaluation points analysed (the first N)"),
            new Attacks.Option("of", "loss", "function whose Hessian is taken: loss (cross-entropy) or margin (Yu et al.'s decision function d)"),
            new Attacks.Option("top", "5", "Hessian eigenvalues reported from Lanczos (largest magnitude first)"),
            new Attacks.Option("lanczos-steps", "30", "Lanczos steps (exact HVPs) per sample"),
            new Attacks.Option("full-max", "1024", "full spectrum for samples of at most this many elements (0: never)"),
            new Attacks.Option("zero", "1e-4/1e-3/1e-2", "thresholds below which an entry or eigenvalue counts as zero (/-separated)"),
            new Attacks.Option("eps", "0.1/0.3", "radii of Yu et al.'s bound (/-separated), in input units"));

    private final int points, top, lanczosSteps, fullMax;
    private final boolean ofLoss;
    private final double[] zero, eps;

    public InputDerivatives(int points, boolean ofLoss, int top, int lanczosSteps, int fullMax, double[] zero, double[] eps) {
        if (points < 1) throw new IllegalArgumentException("jacobian-hessian: points must be >= 1, got " + points);
        if (top < 1 || lanczosSteps < top)
            throw new IllegalArgumentException("jacobian-hessian: need 1 <= top <= lanczos-steps, got top " + top + ", lanczos-steps " + lanczosSteps);
        if (fullMax < 0 || fullMax > 4096) throw new IllegalArgumentException("jacobian-hessian: full-max must be in [0, 4096], got " + fullMax);
        this.points = points;
        this.ofLoss = ofLoss;
        this.top = top;
        this.lanczosSteps = lanczosSteps;
        this.fullMax = fullMax;
        this.zero = zero.clone();
        this.eps = eps.clone();
    }

    static Analysis fromOptions(Attacks.Options o) {
        return new InputDerivatives(o.integer("points"), o.choice("of", "loss", "margin").equals("loss"), o.integer("top"),
                o.integer("lanczos-steps"), o.integer("full-max"), reals(o, "zero"), reals(o, "eps"));
    }

    /** A /-separated list of positive reals. */
    static double[] reals(Attacks.Options o, String key) {
        String s = o.string(key);
        try {
            double[] v = Arrays.stream(s.split("/")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
            for (double x : v) if (!(x > 0) || !Double.isFinite(x)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be positive numbers separated by '/', got '" + s + "'");
        }
    }

    /** The statistics of one sample. */
    public record Sample(double[] marginGrad, double[] lossGrad, double[] lanczos, double[] spectrum) {}

    /** Jacobians, Lanczos values and (when {@code full}) the full spectrum of each sample of a batch. */
    public static List<Sample> compute(Module model, Tensor x, int[] y, boolean ofLoss, int lanczosSteps, boolean full, long seed, ProgressBar bar) {
        int n = x.size(0), d = x.numel() / n;
        Tensor labels = Tensor.ofInts(y, n);
        double[] gm = Derivatives.grad(InputFunctions.decisionSum(model, x, y), x, false).toDoubleArray();
        double[] gl = Derivatives.grad(InputFunctions.lossSum(model, labels), x, false).toDoubleArray();
        double[] hess = null;
        if (full) {
            Function<Tensor, Tensor> f = ofLoss ? InputFunctions.lossSum(model, labels) : InputFunctions.decisionSum(model, x, y);
            hess = Derivatives.sampleHessians(f, x).toDoubleArray();
        }
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Tensor xi = x.slice(0, i, i + 1).detach();
            int[] yi = {y[i]};
            Function<Tensor, Tensor> f = ofLoss ? InputFunctions.lossSum(model, Tensor.ofInts(yi, 1)) : InputFunctions.decisionSum(model, xi, yi);
            double[] ritz = Lanczos.ritzValues(v -> Derivatives.hvp(f, xi, xi.newTensor(v, xi.shape())).toDoubleArray(), d, lanczosSteps, seed + i);
            double[] spectrum = null;
            if (hess != null) {
                double[][] h = new double[d][d];
                for (int r = 0; r < d; r++)
                    for (int c = 0; c < d; c++) h[r][c] = 0.5 * (hess[(i * d + r) * d + c] + hess[(i * d + c) * d + r]);
                spectrum = Lanczos.byMagnitude(SymmetricEigenvalues.of(h));
            }
            out.add(new Sample(Arrays.copyOfRange(gm, i * d, (i + 1) * d), Arrays.copyOfRange(gl, i * d, (i + 1) * d), ritz, spectrum));
            if (bar != null) bar.update(i + 1, i + 1, "");
        }
        return out;
    }

    @Override
    public void run(AnalysisInput in, AnalysisOutput out) throws IOException {
        Batch b = InputFunctions.first(in.data(), points);
        int n = b.size(), d = b.x().numel() / n;
        boolean full = d <= fullMax;
        int[] y = b.y().toIntArray();
        List<Sample> s = compute(in.model(), b.x(), y, ofLoss, lanczosSteps, full, in.seed(), in.progress("jacobian-hessian", n));
        double[][] z = InputFunctions.logits(in.model(), b.x());
        List<String> header = new ArrayList<>(List.of("index", "label", "decision", "loss", "jm_l1", "jm_l2", "jm_linf", "jl_l1", "jl_l2", "jl_linf"));
        for (double t : zero) { header.add("jm_zero_" + t); header.add("jl_zero_" + t); }
        for (int k = 0; k < top; k++) header.add("lanczos_" + (k + 1));
        if (full) {
            for (int k = 0; k < top; k++) header.add("full_" + (k + 1));
            for (double t : zero) header.add("eig_zero_" + t);
            header.add("eig_mean_abs");
        }
        header.add("jac_mean_abs");
        for (double e : eps) { header.add("bound_linf_" + e); header.add("bound_l2_" + e); }
        List<List<?>> rows = new ArrayList<>(), spectra = new ArrayList<>();
        double[] mean = new double[header.size()];
        double lanczosGap = 0;
        for (int i = 0; i < n; i++) {
            Sample x = s.get(i);
            List<Object> r = new ArrayList<>(List.of(i, y[i], InputFunctions.decision(z[i], y[i]), InputFunctions.crossEntropy(z[i], y[i]),
                    norm1(x.marginGrad()), Lanczos.norm(x.marginGrad()), normInf(x.marginGrad()),
                    norm1(x.lossGrad()), Lanczos.norm(x.lossGrad()), normInf(x.lossGrad())));
            for (double t : zero) { r.add(zeroFraction(x.marginGrad(), t)); r.add(zeroFraction(x.lossGrad(), t)); }
            for (int k = 0; k < top; k++) r.add(k < x.lanczos().length ? x.lanczos()[k] : 0.0);
            double lmax = Math.abs(x.lanczos()[0]);
            if (full) {
                for (int k = 0; k < top; k++) r.add(x.spectrum()[k]);
                for (double t : zero) r.add(zeroFraction(x.spectrum(), t));
                r.add(norm1(x.spectrum()) / d);
                lmax = Math.abs(x.spectrum()[0]);
                for (int k = 0; k < Math.min(top, x.lanczos().length); k++)
                    lanczosGap = Math.max(lanczosGap, Math.abs(x.lanczos()[k] - x.spectrum()[k]) / Math.max(1e-12, Math.abs(x.spectrum()[0])));
                for (int k = 0; k < d; k++) spectra.add(List.of(i, k + 1, x.spectrum()[k]));
            }
            double[] j = ofLoss ? x.lossGrad() : x.marginGrad();
            r.add(norm1(j) / d);
            for (double e : eps) {
                r.add(e * norm1(j) + 0.5 * e * e * d * lmax);
                r.add(e * Lanczos.norm(j) + 0.5 * e * e * lmax);
            }
            for (int c = 2; c < r.size(); c++) mean[c] += ((Number) r.get(c)).doubleValue() / n;
            rows.add(r);
        }
        out.csv("jacobian-hessian.csv", "per-sample input-Jacobian norms and sparsity (jm: decision function d, jl: loss), Hessian eigenvalues of the "
                + (ofLoss ? "loss" : "decision function") + " (Lanczos and full), Yu et al.'s bound", header, rows);
        if (full) out.csv("spectrum.csv", "full input-Hessian spectrum of each sample, largest magnitude first", List.of("index", "rank", "eigenvalue"), spectra);
        out.summary("hessian_of", ofLoss ? "cross-entropy loss" : "decision function d");
        out.summary("points", n);
        for (int c = 2; c < header.size(); c++) out.summary("mean_" + header.get(c), mean[c]);
        if (full) out.summary("lanczos_vs_full_max_relative_gap", lanczosGap);
        Figures.spectrum(out, s, full, top);
    }

    static double norm1(double[] a) {
        double s = 0;
        for (double v : a) s += Math.abs(v);
        return s;
    }

    static double normInf(double[] a) {
        double s = 0;
        for (double v : a) s = Math.max(s, Math.abs(v));
        return s;
    }

    static double zeroFraction(double[] a, double t) {
        int c = 0;
        for (double v : a) if (Math.abs(v) < t) c++;
        return (double) c / a.length;
    }
}
