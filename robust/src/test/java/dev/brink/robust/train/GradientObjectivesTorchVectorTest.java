package dev.brink.robust.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.vectors.TorchVectors;
import dev.brink.engine.vectors.TorchVectors.Ref;
import dev.brink.nn.data.Batch;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The regularizers against PyTorch on one fixed batch of the test kit's tiny net with the weights of
 * {@code test-vectors/objectives_gradient.json} (from {@code test-vectors/generate_objectives_gradient.py}), float64.
 */
class GradientObjectivesTorchVectorTest {
    static final double TOL = 1e-10;

    final JsonNode root = TorchVectors.read("objectives_gradient.json");
    final SpecModel model = loaded();
    final Batch batch = new Batch(Ref.parse(root.get("x")).tensor(), Ref.parse(root.get("y")).tensor(), new int[] {0, 1, 2, 3, 4, 5});

    SpecModel loaded() {
        SpecModel m = ObjectiveTestKit.tinyConvNet(1, DType.FLOAT64);
        List<String> names = new ArrayList<>(m.trainableParameters().keySet());
        String[] torch = {"conv.weight", "conv.bias", "fc.weight", "fc.bias"};
        assertEquals(torch.length, names.size(), names.toString());
        for (int i = 0; i < torch.length; i++) {
            Tensor t = Ref.parse(root.get("params").get(torch[i])).tensor();
            assertArrayEquals(m.trainableParameters().get(names.get(i)).shape(), t.shape(), names.get(i) + " vs " + torch[i]);
            m.setParameter(names.get(i), t.requiresGrad(true));
        }
        return m;
    }

    double loss(String spec) {
        return Objectives.parse(spec, ObjectiveSetup.NONE).apply(model, batch, ObjectiveTestKit.context(0)).loss().item();
    }

    static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void logitsAndCrossEntropy() {
        TorchVectors.assertClose("logits", Ref.parse(root.get("logits")), model.forward(batch.x()), TOL, TOL);
        close(root.get("ce").asDouble(), loss("cross-entropy"), "ce");
    }

    @Test
    void regularizedCrossEntropyAndItsWeightGradients() {
        JsonNode ref = root.get("ce_regularized");
        Objective objective = Objectives.parse(ref.get("spec").asText(), ObjectiveSetup.NONE);
        Tensor loss = objective.apply(model, batch, ObjectiveTestKit.context(0)).loss();
        close(ref.get("loss").asDouble(), loss.item(), ref.get("spec").asText());
        List<String> names = new ArrayList<>(model.trainableParameters().keySet());
        Tensor[] grads = Autograd.grad(loss, model.trainableParameters().values().toArray(new Tensor[0]));
        String[] torch = {"conv.weight", "conv.bias", "fc.weight", "fc.bias"};
        for (int i = 0; i < torch.length; i++)
            TorchVectors.assertClose("d loss / d " + names.get(i), Ref.parse(ref.get("grads").get(torch[i])), grads[i], TOL, TOL);
    }

    @Test
    void regularizers() {
        double ce = root.get("ce").asDouble();
        close(root.get("input_gradient").asDouble(), loss("input-gradient:ce=false"), "input-gradient");
        close(ce + 0.5 * root.get("input_gradient").asDouble(), loss("input-gradient:lambda=0.5"), "ce + input-gradient");
        for (String n : new String[] {"l1", "l2", "linf"})
            close(root.get("jacobian_reg").get(n).asDouble(), loss("jacobian-reg:ce=false,norm=" + n), "jacobian-reg " + n);
        close(root.get("emr_exact").asDouble(), loss("emr:ce=false,lambda=1"), "emr exact");
        close(ce + 0.1 * root.get("emr_exact").asDouble(), loss("emr"), "ce + 0.1 emr exact");
        root.get("emr_approx").fields().forEachRemaining(e ->
                close(e.getValue().asDouble(), loss("emr:ce=false,lambda=1,method=approx,t=" + e.getKey()), "emr approx t=" + e.getKey()));
    }

    @Test
    void effectiveMargins() {
        JsonNode m = root.get("effective_margins");
        double[] expected = new double[m.size()];
        for (int i = 0; i < expected.length; i++) expected[i] = m.get(i).asDouble();
        double[] actual = EffectiveMargins.of(model, batch.x(), batch.y());
        for (int i = 0; i < expected.length; i++) close(expected[i], actual[i], "margin " + i + " of " + Arrays.toString(actual));
    }
}
