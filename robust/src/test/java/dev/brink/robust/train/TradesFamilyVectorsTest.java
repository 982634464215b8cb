package dev.brink.robust.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.GradOptions;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.Objective;
import dev.brink.robust.eval.AttackSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TRADES-family objectives against PyTorch on {@code test-vectors/objectives_trades.json} (written by
 * {@code test-vectors/generate_objectives_trades.py}): the loss and its weight gradient in float64, with the inner
 * maximization started at the file's fixed point so both sides run the same deterministic ascent.
 */
class TradesFamilyVectorsTest {
    private static final String[] NAMES = {"layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias"};

    static JsonNode root() throws IOException {
        Path file = null;
        for (Path q = Paths.get("").toAbsolutePath(); q != null && file == null; q = q.getParent()) {
            Path f = q.resolve("test-vectors").resolve("objectives_trades.json");
            if (Files.isRegularFile(f)) file = f;
        }
        if (file == null) throw new IllegalStateException("test-vectors/objectives_trades.json not found");
        return new ObjectMapper().readTree(file.toFile());
    }

    static Tensor tensor(JsonNode t) {
        int[] shape = new int[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asInt();
        double[] data = new double[t.get("data").size()];
        for (int i = 0; i < data.length; i++) data[i] = t.get("data").get(i).asDouble();
        return Tensor.of(data, shape);
    }

    static List<String> cases() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode c : root().get("cases")) names.add(c.get("name").asText());
        return names;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String name) throws IOException {
        JsonNode root = root();
        JsonNode c = null;
        for (JsonNode k : root.get("cases")) if (k.get("name").asText().equals(name)) c = k;
        SpecModel model = ObjectiveTestKit.tinyConvNet(1, DType.FLOAT64);
        Tensor[] params = new Tensor[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            params[i] = tensor(root.get("params").get(NAMES[i])).requiresGrad(true);
            model.setParameter(NAMES[i], params[i]);
        }
        Tensor x = tensor(root.get("x"));
        int[] y = new int[x.size(0)];
        for (int i = 0; i < y.length; i++) y[i] = root.get("y").get(i).asInt();
        Batch batch = new Batch(x, Tensor.ofInts(y, y.length), new int[y.length]);
        Tensor start = x.add(tensor(root.get("start_noise")));
        ObjectiveSetup setup = c.get("attack").isNull() ? ObjectiveSetup.NONE : new ObjectiveSetup(AttackSpec.parse(c.get("attack").asText()));
        Objective o = Objectives.parse(c.get("objective").asText(), setup);
        Objective.Outcome out;
        if (o instanceof TradesObjective t) out = t.loss(model, batch, start);
        else if (o instanceof MartObjective m) out = m.loss(model, batch, start);
        else if (o instanceof MailObjective m) out = m.loss(model, batch, start, true);
        else out = o.apply(model, batch, ObjectiveTestKit.context(0));

        double expected = c.get("loss").asDouble();
        assertEquals(expected, out.loss().item(), 1e-11 * Math.max(1, Math.abs(expected)), name + ": loss");
        Tensor[] grads = Autograd.grad(out.loss(), params, GradOptions.defaults().allowUnused());
        for (int i = 0; i < NAMES.length; i++) {
            double[] want = tensor(c.get("grads").get(NAMES[i])).toDoubleArray();
            double[] got = grads[i] == null ? new double[want.length] : grads[i].toDoubleArray();
            assertEquals(want.length, got.length);
            for (int j = 0; j < want.length; j++)
                assertTrue(Math.abs(want[j] - got[j]) <= 1e-9 * Math.max(1, Math.abs(want[j])),
                        name + ": d loss / d " + NAMES[i] + "[" + j + "]: PyTorch " + want[j] + ", Brink " + got[j]);
        }
    }
}
