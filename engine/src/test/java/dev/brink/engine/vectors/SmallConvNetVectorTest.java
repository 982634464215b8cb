package dev.brink.engine.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import dev.brink.engine.check.GradCheck;
import dev.brink.engine.op.Loss;
import dev.brink.engine.vectors.TorchVectors.Ref;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.brink.engine.vectors.TorchVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small eval-mode conv net of {@code test-vectors/small_convnet.json} (conv2d, batch norm with running
 * statistics, relu, max pool, flatten, linear), built from engine ops with the parameters under their PyTorch
 * names, against PyTorch's logits, loss, input gradient, Hessian-vector product, parameter gradients, input
 * Jacobian rows and a double-backprop penalty and its parameter gradient; the second-order results are also
 * checked against finite differences.
 */
class SmallConvNetVectorTest {
    static final double TOL = 1e-9;
    static final List<String> TRAINABLE = List.of("layers.0.weight", "layers.0.bias", "layers.1.weight",
            "layers.1.bias", "layers.5.weight", "layers.5.bias");

    final JsonNode root = TorchVectors.convnet();
    final JsonNode layers = root.get("spec").get("layers");

    Ref ref(String key) {
        return Ref.parse(root.get(key));
    }

    /** Fresh parameter tensors by PyTorch name; the trainable ones require grad when asked. */
    Map<String, Tensor> params(boolean trainable) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        root.get("params").fields().forEachRemaining(e -> {
            Tensor t = Ref.parse(e.getValue()).tensor();
            if (trainable && TRAINABLE.contains(e.getKey())) t.requiresGrad(true);
            p.put(e.getKey(), t);
        });
        return p;
    }

    Tensor[] trainable(Map<String, Tensor> p) {
        return TRAINABLE.stream().map(p::get).toArray(Tensor[]::new);
    }

    Tensor x() {
        return ref("x").tensor();
    }

    Tensor labels() {
        return ref("labels").tensor();
    }

    /** The net's forward pass: logits {@code [N, 3]}. */
    Tensor forward(Map<String, Tensor> p, Tensor x) {
        String[] types = new String[layers.size()];
        for (int i = 0; i < types.length; i++) types[i] = layers.get(i).get("type").asText();
        assertEquals(List.of("conv2d", "batchnorm2d", "relu", "maxpool2d", "flatten", "linear"), List.of(types), "spec layers");
        JsonNode conv = layers.get(0), bn = layers.get(1), pool = layers.get(3);
        Tensor h = F.conv2d(x, p.get("layers.0.weight"), p.get("layers.0.bias"), ConvGeometry.of(1, conv.get("padding").asInt()));
        h = F.batchNorm(h, p.get("layers.1.weight"), p.get("layers.1.bias"), p.get("layers.1.running_mean"),
                p.get("layers.1.running_var"), false, bn.get("momentum").asDouble(), bn.get("eps").asDouble());
        h = h.relu();
        h = F.maxPool2d(h, pool.get("kernel").asInt(), pool.get("stride").asInt(), 0);
        h = h.flatten(1);
        return h.matmul(p.get("layers.5.weight").transpose(0, 1)).add(p.get("layers.5.bias"));
    }

    Tensor loss(Map<String, Tensor> p, Tensor x) {
        return F.crossEntropy(forward(p, x), labels());
    }

    /** P = sum_n ||d L_sum / d x_n||^2 with the sum-reduction cross-entropy, differentiable (double backprop). */
    Tensor penalty(Map<String, Tensor> p, Tensor xData) {
        try (GradMode.Scope s = GradMode.enableGrad()) {
            Tensor x = xData.detach().requiresGrad(true);
            Tensor lsum = F.crossEntropy(forward(p, x), labels(), 0.0, Loss.Reduction.SUM);
            Tensor gx = Autograd.grad(lsum, x, GradOptions.defaults().createGraph())[0];
            return gx.square().sum();
        }
    }

    Tensor gradX(Map<String, Tensor> p, Tensor xData) {
        Tensor x = xData.detach().requiresGrad(true);
        return Autograd.grad(loss(p, x), x)[0];
    }

    @Test
    void logitsAndLoss() {
        Map<String, Tensor> p = params(false);
        Tensor logits = forward(p, x());
        assertClose("logits", ref("logits"), logits, TOL, TOL);
        assertClose("loss", ref("loss"), F.crossEntropy(logits, labels()), TOL, TOL);
    }

    @Test
    void gradX() {
        assertClose("grad_x", ref("grad_x"), gradX(params(false), x()), TOL, TOL);
    }

    @Test
    void hvpX() {
        Map<String, Tensor> p = params(false);
        Tensor v = ref("v").tensor();
        Ref expected = ref("hvp_x");
        assertClose("hvp_x (Derivatives.hvp)", expected, Derivatives.hvp(xx -> loss(p, xx), x(), v), TOL, TOL);
        // central differences of the gradient along v
        double h = 1e-5;
        Tensor gp = gradX(p, x().add(v.mul(h)));
        Tensor gm = gradX(p, x().sub(v.mul(h)));
        assertClose("hvp_x (finite differences of grad_x)", expected, gp.sub(gm).div(2 * h), 1e-6, 1e-6);
    }

    @Test
    void gradParams() {
        Map<String, Tensor> p = params(true);
        Tensor[] w = trainable(p);
        Tensor[] g = Autograd.grad(loss(p, x()), w);
        JsonNode exp = root.get("grad_params");
        assertEquals(TRAINABLE.size(), exp.size());
        for (int i = 0; i < w.length; i++)
            assertClose("grad_params[" + TRAINABLE.get(i) + "]", Ref.parse(exp.get(TRAINABLE.get(i))), g[i], TOL, TOL);
    }

    @Test
    void jacobianRows() {
        Map<String, Tensor> p = params(false);
        Ref expected = ref("jacobian_rows");
        Function<Tensor, Tensor> net = xx -> forward(p, xx);
        assertClose("jacobian_rows (Derivatives.jacobianRows)", expected, Derivatives.jacobianRows(net, x(), false), TOL, TOL);
        // one backward pass per class, seeding the logits gradient with the one-hot column k
        int k = expected.shape()[0];
        int n = expected.shape()[1];
        int per = expected.data().length / k;
        for (int c = 0; c < k; c++) {
            Tensor x = x().requiresGrad(true);
            Tensor logits = net.apply(x);
            assertEquals(k, logits.size(1));
            double[] seed = new double[n * k];
            for (int i = 0; i < n; i++) seed[i * k + c] = 1;
            Tensor row = Autograd.grad(logits, x, GradOptions.defaults().gradOutputs(logits.newTensor(seed, n, k)))[0];
            double[] e = java.util.Arrays.copyOfRange(expected.data(), c * per, (c + 1) * per);
            assertClose("jacobian_rows[" + c + "] (separate backward pass)", x.shape(), e, row, TOL, TOL);
        }
    }

    @Test
    void igrPenaltyAndItsParameterGradient() {
        Map<String, Tensor> p = params(true);
        Tensor[] w = trainable(p);
        Tensor pen = penalty(p, x());
        assertClose("igr_penalty", ref("igr_penalty"), pen, TOL, TOL);
        Tensor[] g = Autograd.grad(pen, w);
        JsonNode exp = root.get("grad_igr_penalty_params");
        assertEquals(TRAINABLE.size(), exp.size());
        for (int i = 0; i < w.length; i++)
            assertClose("grad_igr_penalty_params[" + TRAINABLE.get(i) + "]", Ref.parse(exp.get(TRAINABLE.get(i))), g[i], TOL, TOL);
    }

    @Test
    void igrPenaltyGradientMatchesFiniteDifferences() {
        Map<String, Tensor> base = params(false);
        Tensor xData = x();
        Tensor[] w = new Tensor[TRAINABLE.size()];
        for (int i = 0; i < w.length; i++) w[i] = base.get(TRAINABLE.get(i)).detach().requiresGrad(true);
        Function<Tensor[], Tensor> pOfParams = ws -> {
            Map<String, Tensor> p = new LinkedHashMap<>(base);
            for (int i = 0; i < ws.length; i++) p.put(TRAINABLE.get(i), ws[i]);
            return penalty(p, xData);
        };
        GradCheck.Report r = GradCheck.first("small convnet: d(igr penalty)/d(params)", pOfParams, w);
        int count = 0;
        for (Tensor t : w) count += t.numel();
        assertEquals(count, r.elementsChecked());
        assertTrue(r.maxAbsError() < 1e-5, r.toString());
        assertEquals(DType.FLOAT64, w[0].dtype());
    }
}
