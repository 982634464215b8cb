package dev.brink.examples;

import dev.brink.engine.Autograd;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.function.Function;

/** Tensors from Java arrays, a gradient, a Hessian-vector product, Jacobian rows and double backprop. */
public final class QuickStart {
    public static void main(String[] args) {
        // Data: 2 samples with 3 features (float32 [2, 3]) and their class labels (int32 [2]).
        Tensor x = Tensor.of(new float[][] {{0.5f, -1.0f, 2.0f}, {1.5f, 0.0f, -0.5f}});
        Tensor labels = Tensor.ofInts(new int[] {0, 1}, 2);

        // A linear classifier with 2 classes: weights [3, 2], marked as something to differentiate.
        Tensor w = Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.0f, -0.1f, 0.2f}, 3, 2).requiresGrad(true);
        Function<Tensor, Tensor> loss = in -> F.crossEntropy(in.matmul(w), labels); // mean over the batch, scalar

        // Gradient of the loss with respect to the weights: [3, 2].
        Tensor gw = Autograd.grad(loss.apply(x), w)[0];

        // Hessian-vector product (d2L/dx2) v with respect to the input, reverse-over-reverse: [2, 3].
        Tensor v = Tensor.ones(2, 3);
        Tensor hv = Derivatives.hvp(loss, x, v);

        // Per-class Jacobian rows of the logits: rows[k][n] = d logits[n, k] / d x[n], shape [2 classes, 2, 3].
        Tensor rows = Derivatives.jacobianRows(in -> in.matmul(w), x, false);

        // Double backprop: keep the input gradient differentiable, penalize its norm, differentiate w.r.t. w.
        Tensor xv = x.detach().requiresGrad(true);
        Tensor gx = Autograd.grad(loss.apply(xv), xv, GradOptions.defaults().createGraph())[0];
        Tensor penalty = gx.square().sum();          // ||dL/dx||^2, a scalar
        Tensor dPdW = Autograd.grad(penalty, w)[0];  // [3, 2]

        System.out.println("dL/dW   " + Arrays.toString(gw.toFloatArray()));
        System.out.println("H v     " + Arrays.toString(hv.toFloatArray()));
        System.out.println("rows    " + Arrays.toString(rows.shape()));
        System.out.println("dP/dW   " + Arrays.toString(dPdW.toFloatArray()));
    }
}
