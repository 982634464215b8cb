package dev.brink.robust.analysis;

import dev.brink.engine.Derivatives;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.BatchNorm;
import dev.brink.nn.layer.Conv2d;
import dev.brink.nn.layer.Dropout;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.GlobalAvgPool2d;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Normalize;
import dev.brink.nn.layer.Pool2d;
import dev.brink.nn.layer.Residual;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.spec.SpecModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An upper bound on the L2 Lipschitz constant of a network's logit map, as the product over its layers of each
 * layer's bound: the spectral norm (largest singular value) of each affine layer's linear operator (Linear, Conv2d
 * with its padding and stride, average pooling, Normalize, eval-mode BatchNorm, Flatten) by power iteration on
 * {@code J^T J} (J v as {@code f(v) - f(0)}, {@code J^T u} by a vector-Jacobian product), the activations' Lipschitz
 * constants (1 for relu, leaky_relu with slope &lt;= 1, tanh and softplus; 1/4 for sigmoid), and for max pooling
 * {@code sqrt} of the number of windows that share an input (1 without overlap). A residual block is bounded by
 * its body's bound plus its shortcut's (1 for the identity). Consecutive affine layers of a Sequential (a
 * convolution and its batch norm) are bounded together as one operator, which is much tighter than their product. Power iteration approaches the spectral norm from
 * below; each estimate is multiplied by {@code 1 + slack} and iterated until its relative change is under
 * {@code 1e-10} (or the cap is reached), which makes the bound a safe one in practice but not a proof: a certificate from it is as sound
 * as the power iteration's convergence.
 */
public final class LipschitzBound {
    /** One layer's bound: its path in the model, its kind and its Lipschitz constant. */
    public record Layer(String path, String kind, double lipschitz) {}

    /** The per-layer bounds in order and their product (the network's bound). */
    public record Result(List<Layer> layers, double bound) {}

    private final int iterations;
    private final double slack;
    private final long seed;
    private final List<Layer> layers = new ArrayList<>();

    private LipschitzBound(int iterations, double slack, long seed) {
        this.iterations = iterations;
        this.slack = slack;
        this.seed = seed;
    }

    /**
     * The bound of {@code model} for inputs shaped like {@code sample [1, ...]} (the shape fixes the convolutions'
     * operators); {@code iterations} caps each power iteration.
     */
    public static Result of(Module model, Tensor sample, int iterations, double slack, long seed) {
        LipschitzBound b = new LipschitzBound(iterations, slack, seed);
        double l;
        try (GradMode.Scope s = GradMode.noGrad()) {
            l = b.bound(model, "model", sample.detach());
        }
        return new Result(List.copyOf(b.layers), l);
    }

    private double bound(Module m, String path, Tensor x) {
        if (m instanceof SpecModel s) return bound(s.layers(), path, x);
        if (m instanceof Sequential s) {
            // consecutive affine layers (Conv2d then BatchNorm, Linear then BatchNorm, ...) are bounded as one
            // operator: the norm of a product is often far below the product of the norms
            double l = 1;
            List<Module> run = new ArrayList<>();
            Tensor runInput = x;
            int i = 0, start = 0;
            for (Module c : s.layers()) {
                if (affine(c)) {
                    if (run.isEmpty()) { runInput = x; start = i; }
                    run.add(c);
                } else {
                    l *= flush(run, path, start, runInput);
                    l *= bound(c, path + "." + i, x);
                }
                x = c.forward(x);
                i++;
            }
            return l * flush(run, path, start, runInput);
        }
        if (m instanceof Residual r) {
            double body = bound(r.children().get("body"), path + ".body", x);
            Module sc = r.children().get("shortcut");
            double shortcut = sc instanceof Sequential q && q.size() == 0 ? 1 : bound(sc, path + ".shortcut", x);
            layers.add(new Layer(path, "residual (body + shortcut)", body + shortcut));
            return body + shortcut;
        }
        double l;
        String kind;
        if (affine(m)) {
            l = spectralNorm(m::forward, x) * (1 + slack);
            kind = m.getClass().getSimpleName() + " (spectral norm)";
        } else if (m instanceof Activation a) {
            l = switch (a.kind()) {
                case RELU, TANH, SOFTPLUS -> 1;
                case SIGMOID -> 0.25;
                case LEAKY_RELU -> Math.max(1, Math.abs(a.slope()));
            };
            kind = a.kind().name().toLowerCase();
        } else if (m instanceof Pool2d p) {
            var g = p.geometry();
            int h = g.dilationH() == 1 ? (g.kernelH() + g.strideH() - 1) / g.strideH() : g.kernelH();
            int w = g.dilationW() == 1 ? (g.kernelW() + g.strideW() - 1) / g.strideW() : g.kernelW();
            l = Math.sqrt((double) h * w);
            kind = "max pool (sqrt of windows per input)";
        } else if (m instanceof Dropout) {
            l = 1;
            kind = "dropout (identity in eval mode)";
        } else {
            throw new IllegalArgumentException("Lipschitz bound: no bound for layer " + path + " (" + m.getClass().getSimpleName()
                    + "); supported: Linear, Conv2d, pooling, Normalize, BatchNorm, Flatten, activations, Dropout, Sequential, Residual");
        }
        layers.add(new Layer(path, kind, l));
        return l;
    }

    private static boolean affine(Module m) {
        return m instanceof Linear || m instanceof Conv2d || m instanceof Normalize || m instanceof BatchNorm || m instanceof GlobalAvgPool2d
                || m instanceof Flatten || m instanceof Pool2d p && p.kind() == Pool2d.Kind.AVG;
    }

    /** The bound of a run of consecutive affine layers (1 for none), recorded as one entry; empties the run. */
    private double flush(List<Module> run, String path, int start, Tensor x) {
        if (run.isEmpty()) return 1;
        List<Module> ops = List.copyOf(run);
        run.clear();
        double l = spectralNorm(t -> {
            for (Module o : ops) t = o.forward(t);
            return t;
        }, x) * (1 + slack);
        StringBuilder kind = new StringBuilder();
        for (Module o : ops) kind.append(kind.length() == 0 ? "" : " + ").append(o.getClass().getSimpleName());
        String p = ops.size() == 1 ? path + "." + start : path + "." + start + "-" + (start + ops.size() - 1);
        layers.add(new Layer(p, kind + " (spectral norm)", l));
        return l;
    }

    /** The largest singular value of the linear part of an affine map at inputs shaped like {@code x}. */
    private double spectralNorm(java.util.function.Function<Tensor, Tensor> m, Tensor x) {
        Tensor zero = x.zerosLike();
        Tensor f0 = m.apply(zero);
        Random r = new Random(seed + layers.size());
        double[] v = new double[x.numel()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        double sigma = 0;
        for (int it = 0; it < iterations; it++) {
            double n = Lanczos.norm(v);
            if (n == 0) return 0;
            for (int i = 0; i < v.length; i++) v[i] /= n;
            Tensor jv = m.apply(zero.newTensor(v, x.shape())).sub(f0);
            double s = Math.sqrt(Lanczos.dot(jv.toDoubleArray(), jv.toDoubleArray()));
            v = Derivatives.vjp(m, zero, jv, false).toDoubleArray(); // J^T J v
            boolean converged = it > 2 && Math.abs(s - sigma) <= 1e-10 * s;
            sigma = s;
            if (converged) break;
        }
        return sigma;
    }
}
