package dev.brink.app.vectors;

import dev.brink.engine.Autograd;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.Loss;
import dev.brink.nn.spec.SpecModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The quantities of a model-level reference case, computed by the engine: what {@code brink vectors make} writes
 * and {@code brink vectors check} recomputes. All are taken in eval mode at a batch {@code x [N, ...]} with labels
 * {@code y [N]}, with {@code L} = the mean cross-entropy of the logits against y (for a one-logit model, binary
 * logistic regression, the mean binary cross-entropy of the logit against labels 0/1, as Brink trains it):
 * <ul>
 *   <li>{@code logits [N, K]}, {@code loss []} (L);</li>
 *   <li>{@code grad_x} (dL/dx, x's shape) and {@code grad.<param>} (dL/dparam for every trainable parameter);</li>
 *   <li>{@code hvp_x} = d/dx {@code <dL/dx, v>}, the input Hessian of L times v;</li>
 *   <li>{@code hessian_x [N, D, D]}: the input Hessian of L, sample by sample ({@code hessian_x[n] = d^2 L / dx[n]^2},
 *       D = the elements of one sample in row-major order; the blocks between samples are zero in eval mode), so
 *       {@code hvp_x[n] = hessian_x[n] v[n]};</li>
 *   <li>{@code gradnorm []} = the sum of squares of dL/dx (the input-gradient-norm penalty), and
 *       {@code gradnorm.grad.<param>};</li>
 *   <li>{@code jac_rows [N, K, ...]}: {@code d logits[n, k] / d x[n]};</li>
 *   <li>{@code emr []} = the sum of squares of jac_rows divided by N (the Jacobian term of Liu and Chan's effective
 *       margin regularization), and {@code emr.grad.<param>}.</li>
 * </ul>
 * A name ending in {@code .*} stands for one tensor per trainable parameter.
 */
public final class ModelQuantities {
    /** Every quantity, in report order. */
    public static final List<String> ALL = List.of("logits", "loss", "grad_x", "grad.*", "hvp_x", "hessian_x", "gradnorm",
            "gradnorm.grad.*", "jac_rows", "emr", "emr.grad.*");
    /** The quantities of a case whose metadata does not list them (the PyTorch-made cases): all but hessian_x. */
    public static final List<String> DEFAULT = ALL.stream().filter(q -> !q.equals("hessian_x")).toList();
    /** Largest sample (elements) for which {@code hessian_x} can be computed (D Hessian-vector products, N D^2 values). */
    public static final int HESSIAN_MAX = 4096;

    private ModelQuantities() {}

    /** True for the quantities held to the first-order tolerance: logits, loss, grad_x and grad.*. */
    public static boolean firstOrder(String q) {
        return q.equals("logits") || q.equals("loss") || q.equals("grad_x") || q.equals("grad.*");
    }

    /**
     * Parses a comma-separated list of quantity names ({@code grad} may stand for {@code grad.*}, likewise
     * {@code gradnorm.grad} and {@code emr.grad}; {@code all} for every quantity) into the names of {@link #ALL} it
     * holds, in report order.
     *
     * @throws IllegalArgumentException naming every unknown entry, or when the list is empty
     */
    public static List<String> parse(String list) {
        Set<String> want = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String raw : list.split(",")) {
            String q = raw.trim().toLowerCase(Locale.ROOT);
            if (q.isEmpty()) continue;
            if (q.equals("all")) {
                want.addAll(ALL);
                continue;
            }
            if (!q.endsWith(".*") && ALL.contains(q + ".*")) q = q + ".*";
            if (ALL.contains(q)) want.add(q);
            else unknown.add("'" + raw.trim() + "'");
        }
        if (!unknown.isEmpty())
            throw new IllegalArgumentException("unknown quantit" + (unknown.size() == 1 ? "y " : "ies ") + String.join(", ", unknown) + "; known: " + String.join(", ", ALL));
        if (want.isEmpty()) throw new IllegalArgumentException("no quantity named in '" + list + "'; known: " + String.join(", ", ALL));
        return ALL.stream().filter(want::contains).toList();
    }

    /** The loss L of logits {@code [N, K]} against labels: mean cross-entropy, or mean binary cross-entropy when K = 1. */
    public static Tensor loss(Tensor logits, Tensor y) {
        if (logits.size(1) == 1) {
            Tensor z = logits.reshape(logits.size(0));
            return F.bceWithLogits(z, y.to(z.dtype()), Loss.Reduction.MEAN);
        }
        return F.crossEntropy(logits, y);
    }

    /** The name and shape of every tensor the quantities consist of, in report order. */
    public static Map<String, int[]> shapes(SpecModel model, int n, int k, Collection<String> quantities) {
        int[] in = model.inputShape();
        int[] x = prepend(in, n);
        int d = 1;
        for (int s : in) d *= s;
        Map<String, int[]> s = new LinkedHashMap<>();
        for (String q : ALL) {
            if (!quantities.contains(q)) continue;
            if (q.endsWith(".*")) {
                String prefix = q.substring(0, q.length() - 1);
                model.trainableParameters().forEach((name, p) -> s.put(prefix + name, p.shape()));
                continue;
            }
            s.put(q, switch (q) {
                case "logits" -> new int[] {n, k};
                case "loss", "gradnorm", "emr" -> new int[0];
                case "grad_x", "hvp_x" -> x;
                case "hessian_x" -> new int[] {n, d, d};
                case "jac_rows" -> prepend(prepend(in, k), n);
                default -> throw new IllegalStateException(q);
            });
        }
        return s;
    }

    /**
     * The requested quantities computed by the engine, by the names of {@link #shapes}. The model should be in eval
     * mode; x and v must have the model's dtype (v is used only for {@code hvp_x}).
     */
    public static Map<String, Tensor> compute(SpecModel model, Tensor x, Tensor y, Tensor v, Collection<String> quantities) {
        for (String q : quantities) if (!ALL.contains(q)) throw new IllegalArgumentException("unknown quantity '" + q + "'");
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Tensor> params = model.trainableParameters();
        List<String> names = new ArrayList<>(params.keySet());
        Tensor[] ps = params.values().toArray(new Tensor[0]);
        boolean secondOrder = quantities.contains("hvp_x") || quantities.contains("gradnorm") || quantities.contains("gradnorm.grad.*");
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            Tensor xv = x.detach().requiresGrad(true);
            Tensor logits = model.forward(xv);
            Tensor loss = loss(logits, y);
            if (quantities.contains("logits")) out.put("logits", logits.detach());
            if (quantities.contains("loss")) out.put("loss", loss.detach());

            if (quantities.contains("grad_x") || quantities.contains("grad.*") || secondOrder) {
                Tensor[] inputs = new Tensor[ps.length + 1];
                inputs[0] = xv;
                System.arraycopy(ps, 0, inputs, 1, ps.length);
                Tensor[] g = Autograd.grad(loss, inputs, GradOptions.defaults().createGraph(secondOrder).retainGraph().allowUnused());
                Tensor gx = g[0];
                if (quantities.contains("grad_x")) out.put("grad_x", gx.detach());
                if (quantities.contains("grad.*")) for (int i = 0; i < ps.length; i++) out.put("grad." + names.get(i), g[i + 1].detach());
                if (quantities.contains("hvp_x")) {
                    Tensor gv = gx.mul(v).sum();
                    Tensor hvp = gv.requiresGrad() ? Autograd.grad(gv, xv, GradOptions.defaults().retainGraph().allowUnused())[0] : xv.detach().zerosLike();
                    out.put("hvp_x", hvp.detach());
                }
                Tensor gradnorm = gx.square().sum();
                if (quantities.contains("gradnorm")) out.put("gradnorm", gradnorm.detach());
                if (quantities.contains("gradnorm.grad.*")) putParamGrads(out, "gradnorm.grad.", gradnorm, names, ps);
            }
            if (quantities.contains("hessian_x")) out.put("hessian_x", inputHessian(model, x, y));
            if (quantities.contains("jac_rows") || quantities.contains("emr") || quantities.contains("emr.grad.*")) {
                int n = x.size(0);
                boolean emrGrads = quantities.contains("emr.grad.*");
                Tensor jac = Derivatives.jacobianRows(model::forward, xv, emrGrads).transpose(0, 1); // [K, N, ...] -> [N, K, ...]
                if (quantities.contains("jac_rows")) out.put("jac_rows", jac.detach().contiguous());
                Tensor emr = jac.square().sum().div(n);
                if (quantities.contains("emr")) out.put("emr", emr.detach());
                if (emrGrads) putParamGrads(out, "emr.grad.", emr, names, ps);
            }
        }
        return out;
    }

    /** Samples (copies of x) per pass of {@link #inputHessian}. */
    static final int HESSIAN_BATCH = 256;

    /**
     * {@code hessian_x}: the per-sample input Hessians of L, {@code [N, D, D]}. The same as
     * {@link Derivatives#sampleHessians} of L, but batched: each pass runs the model on up to {@link #HESSIAN_BATCH}
     * copies of the samples, copy {@code (j, n)} with the direction {@code e_j}, and differentiates
     * {@code sum(loss of each copy) / N}, so one double-backward pass yields many Hessian rows (the samples are
     * independent in eval mode).
     */
    static Tensor inputHessian(SpecModel model, Tensor x, Tensor y) {
        int n = x.size(0);
        int d = x.numel() / n;
        int chunk = Math.max(1, Math.min(d, HESSIAN_BATCH / n));
        double[] h = new double[n * d * d];
        int[] sample = x.shape();
        try (GradMode.Scope scope = GradMode.enableGrad()) {
            for (int j0 = 0; j0 < d; j0 += chunk) {
                int c = Math.min(chunk, d - j0);
                int[] shape = sample.clone();
                shape[0] = c * n;
                Tensor xr = x.detach().reshape(1, n, d).expand(c, n, d).contiguous().reshape(shape).requiresGrad(true);
                int[] labels = y.toIntArray(), yr = new int[c * n];
                for (int i = 0; i < c * n; i++) yr[i] = labels[i % n];
                Tensor lossSum = lossSum(model.forward(xr), Tensor.ofInts(yr, c * n)).div(n);
                Tensor g = Autograd.grad(lossSum, xr, GradOptions.defaults().createGraph().allowUnused())[0];
                if (!g.requiresGrad()) continue; // L is linear in x: this part of the Hessian is 0
                double[] e = new double[c * n * d];
                for (int jj = 0; jj < c; jj++) for (int i = 0; i < n; i++) e[(jj * n + i) * d + j0 + jj] = 1;
                Tensor dir = Tensor.of(e, shape).to(x.dtype());
                double[] rows = Autograd.grad(g.mul(dir).sum(), xr, GradOptions.defaults().allowUnused())[0].toDoubleArray();
                for (int jj = 0; jj < c; jj++)
                    for (int i = 0; i < n; i++) System.arraycopy(rows, (jj * n + i) * d, h, (i * d + j0 + jj) * d, d);
            }
        }
        return Tensor.of(h, n, d, d).to(x.dtype());
    }

    /** The loss summed over the samples (L times N). */
    private static Tensor lossSum(Tensor logits, Tensor y) {
        if (logits.size(1) == 1) {
            Tensor z = logits.reshape(logits.size(0));
            return F.bceWithLogits(z, y.to(z.dtype()), Loss.Reduction.SUM);
        }
        return F.crossEntropy(logits, y, 0.0, Loss.Reduction.SUM);
    }

    private static void putParamGrads(Map<String, Tensor> out, String prefix, Tensor scalar, List<String> names, Tensor[] ps) {
        if (ps.length == 0) return;
        Tensor[] g;
        if (scalar.requiresGrad()) {
            g = Autograd.grad(scalar, ps, GradOptions.defaults().retainGraph().allowUnused());
        } else {
            g = new Tensor[ps.length];
            for (int i = 0; i < ps.length; i++) g[i] = ps[i].detach().zerosLike();
        }
        for (int i = 0; i < ps.length; i++) out.put(prefix + names.get(i), (g[i] == null ? ps[i].detach().zerosLike() : g[i]).detach());
    }

    static int[] prepend(int[] shape, int first) {
        int[] r = new int[shape.length + 1];
        r[0] = first;
        System.arraycopy(shape, 0, r, 1, shape.length);
        return r;
    }
}
