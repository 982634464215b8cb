package dev.brink.robust.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Batch;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.eval.AttackSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each adversarial objective's loss on a fixed float64 batch against PyTorch's, from
 * {@code test-vectors/objectives_adversarial.json} (written by {@code test-vectors/generate_objectives_adversarial.py};
 * deterministic inner attacks: FGSM, the L2 and L1 fast gradient steps, PGD without random start).
 */
class AdversarialObjectiveVectorTest {
    static final double TOL = 1e-10;

    @TempDir
    Path tmp;

    @Test
    void lossesMatchPyTorch() throws IOException {
        JsonNode root = new ObjectMapper().readTree(file().toFile());
        SpecModel staticModel = net(root.get("models").get("static"));
        Path staticFile = tmp.resolve("static.safetensors");
        ModelFile.save(staticFile, staticModel.stateDict(), new ModelInfo(staticModel.specJson(), "static"));
        int checked = 0;
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            boolean logreg = c.get("model").asText().equals("logreg");
            SpecModel model = logreg ? logreg(root.get("models").get("logreg")) : net(root.get("models").get("net"));
            Batch batch = batch(root.get("batches").get(c.get("model").asText()));
            String attack = c.get("train_attack").asText();
            ObjectiveSetup setup = attack.isEmpty() ? ObjectiveSetup.NONE : new ObjectiveSetup(AttackSpec.parse(attack));
            String spec = c.get("objective").asText().replace("{static}", staticFile.toString());
            TrainingContext ctx = new TrainingContext(0, 1, c.get("step").asLong(), 1, 1, new Generator(0));
            double got = Objectives.parse(spec, setup).apply(model, batch, ctx).loss().item();
            double want = c.get("loss").asDouble();
            assertEquals(want, got, TOL * Math.max(1, Math.abs(want)), name + " (" + spec + " with " + attack + ")");
            assertTrue(model.isTraining(), name + ": the model is back in training mode");
            checked++;
        }
        assertEquals(16, checked);
    }

    static Path file() {
        for (Path q = Paths.get("").toAbsolutePath(); q != null; q = q.getParent()) {
            Path f = q.resolve("test-vectors").resolve("objectives_adversarial.json");
            if (Files.isRegularFile(f)) return f;
        }
        throw new IllegalStateException("test-vectors/objectives_adversarial.json not found");
    }

    static Tensor tensor(JsonNode t) {
        int[] shape = new int[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.get("shape").get(i).asInt();
        double[] data = new double[t.get("data").size()];
        for (int i = 0; i < data.length; i++) data[i] = t.get("data").get(i).asDouble();
        return Tensor.of(data, shape);
    }

    static Batch batch(JsonNode b) {
        Tensor x = tensor(b.get("x"));
        int n = x.size(0);
        int[] y = new int[n], idx = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = b.get("y").get(i).asInt();
            idx[i] = i;
        }
        return new Batch(x, Tensor.ofInts(y, n), idx);
    }

    /** The tiny conv net of the test kit (float64, training mode) with the given weights, in parameter order. */
    static SpecModel net(JsonNode params) {
        return load(ObjectiveTestKit.tinyConvNet(1, DType.FLOAT64), params);
    }

    /** flatten - linear 36 -> 1 in float64. */
    static SpecModel logreg(JsonNode params) {
        SpecModel m = ModelSpec.build("""
                {"input":[1,6,6],"layers":[{"type":"flatten"},{"type":"linear","out":1}]}""", new Generator(1));
        m.to(DType.FLOAT64);
        return load(m, params);
    }

    static SpecModel load(SpecModel m, JsonNode params) {
        List<Tensor> ps = new ArrayList<>(m.trainableParameters().values());
        assertEquals(params.size(), ps.size());
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (int i = 0; i < ps.size(); i++) {
                Tensor v = tensor(params.get(i));
                assertArrayEquals(ps.get(i).shape(), v.shape(), "parameter " + i + ": " + Arrays.toString(v.shape()));
                ps.get(i).assign(v);
            }
        }
        m.train();
        return m;
    }
}
