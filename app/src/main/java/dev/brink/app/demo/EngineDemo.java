package dev.brink.app.demo;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.check.GradCheck;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Function;

/**
 * A tour of the engine in a few seconds on the CPU backend: train a small classifier, attack it with one
 * gradient-sign step, find the dominant curvature of its input loss with Hessian-vector products, compute an
 * input-gradient penalty by double backprop and per-class Jacobian rows, and verify it all with the
 * finite-difference checker. Every number is seeded.
 */
public final class EngineDemo {
    private EngineDemo() {}

    public static void run(PrintStream out) {
        Generator gen = new Generator(2026);
        int n = 256, d = 16, k = 3;
        // Three Gaussian classes in 16 dimensions.
        Tensor centers = Tensor.randn(gen, DType.FLOAT32, k, d).mul(0.4);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % k;
        Tensor y = Tensor.ofInts(labels, n);
        Tensor x = Tensor.randn(gen, DType.FLOAT32, n, d).add(centers.indexSelect(0, y));

        Tensor w1 = Tensor.randn(gen, DType.FLOAT32, d, 32).mul(0.25).detach().requiresGrad(true);
        Tensor w2 = Tensor.randn(gen, DType.FLOAT32, 32, k).mul(0.25).detach().requiresGrad(true);
        Function<Tensor, Tensor> model = in -> in.matmul(w1).tanh().matmul(w2);

        out.println("Brink engine demo (CPU backend, seed 2026)");
        out.println();
        out.println("1. Train a 16-32-3 tanh network by gradient descent on 256 points");
        for (int step = 0; step <= 200; step++) {
            Tensor loss = F.crossEntropy(model.apply(x), y);
            Tensor[] g = Autograd.grad(loss, w1, w2);
            try (GradMode.Scope s = GradMode.noGrad()) {
                w1.assign(w1.sub(g[0].mul(0.2)));
                w2.assign(w2.sub(g[1].mul(0.2)));
            }
            if (step % 50 == 0) out.printf(Locale.ROOT, "   step %3d  loss %.4f  accuracy %.3f%n", step, loss.item(), accuracy(model, x, y));
        }

        out.println();
        out.println("2. FGSM: one signed input-gradient step of size eps");
        for (double eps : new double[] {0.05, 0.1, 0.2}) {
            Tensor gx = Derivatives.grad(in -> F.crossEntropy(model.apply(in), y), x, false);
            Tensor adv = F.signStep(x, gx, eps); // x + eps * sign(gx), the engine's fused attack step
            out.printf(Locale.ROOT, "   eps %.2f  accuracy %.3f -> %.3f%n", eps, accuracy(model, x, y), accuracy(model, adv, y));
        }

        out.println();
        out.println("3. Curvature of the loss in input space: power iteration with Hessian-vector products");
        Tensor x0 = x.slice(0, 0, 8);
        Tensor y0 = y.slice(0, 0, 8);
        Function<Tensor, Tensor> inputLoss = in -> F.crossEntropy(model.apply(in), y0);
        Tensor v = Tensor.randn(gen, DType.FLOAT32, x0.shape());
        double lambda = 0;
        for (int it = 0; it < 20; it++) {
            v = v.div(v.square().sum().sqrt());
            Tensor hv = Derivatives.hvp(inputLoss, x0, v);
            lambda = hv.mul(v).sum().item();
            v = hv;
        }
        out.printf(Locale.ROOT, "   top eigenvalue of d2L/dx2 over a batch of 8: %.5f%n", lambda);

        out.println();
        out.println("4. Double backprop: input-gradient penalty ||dL/dx||^2 and its gradient w.r.t. the weights");
        Tensor xv = x0.detach().requiresGrad(true);
        Tensor loss = F.crossEntropy(model.apply(xv), y0);
        Tensor gx = Autograd.grad(loss, xv, GradOptions.defaults().createGraph())[0];
        Tensor penalty = gx.square().sum();
        Tensor[] gw = Autograd.grad(penalty, w1, w2);
        out.printf(Locale.ROOT, "   penalty %.6f, |dP/dW1| %.6f, |dP/dW2| %.6f%n", penalty.item(),
                gw[0].square().sum().sqrt().item(), gw[1].square().sum().sqrt().item());

        out.println();
        out.println("5. Per-class Jacobian rows dz_k/dx for the whole batch (one backward pass per class)");
        Tensor rows = Derivatives.jacobianRows(model, x0, false);
        Tensor norms = rows.square().sum(new int[] {2}, false).sqrt().mean(new int[] {1}, false);
        double[] nv = norms.toDoubleArray();
        for (int c = 0; c < k; c++) out.printf(Locale.ROOT, "   class %d: mean ||dz_%d/dx|| = %.4f%n", c, c, nv[c]);

        out.println();
        out.println("6. Finite-difference check in float64 of a conv / max-pool / cross-entropy net");
        Tensor img = Tensor.randn(gen, DType.FLOAT64, 2, 1, 6, 6).requiresGrad(true);
        Tensor kern = Tensor.randn(gen, DType.FLOAT64, 3, 1, 3, 3).requiresGrad(true);
        Tensor lbl = Tensor.ofInts(new int[] {0, 2}, 2);
        Function<Tensor[], Tensor> net = t -> F.crossEntropy(F.maxPool2d(F.conv2d(t[0], t[1], null, 1, 1).softplus(), 2, 2, 0)
                .mean(new int[] {2, 3}, false), lbl);
        out.println("   " + GradCheck.first("conv net", net, img, kern));
        out.println("   " + GradCheck.second("conv net", net, img, kern));
    }

    private static double accuracy(Function<Tensor, Tensor> model, Tensor x, Tensor y) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int[] pred = model.apply(x).argmax(1).toIntArray();
            int[] truth = y.toIntArray();
            int hit = 0;
            for (int i = 0; i < pred.length; i++) if (pred[i] == truth[i]) hit++;
            return (double) hit / pred.length;
        }
    }
}
