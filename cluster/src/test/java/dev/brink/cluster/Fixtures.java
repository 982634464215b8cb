package dev.brink.cluster;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.eval.RobustEvaluation;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Small models and points for the cluster tests: an MLP on 1x6x6 inputs with 3 classes, built from a seed. */
final class Fixtures {
    private Fixtures() {}

    static final String SPEC = """
            {"input":[1,6,6],"layers":[
              {"type":"flatten"},
              {"type":"linear","out":8},
              {"type":"tanh"},
              {"type":"linear","out":3}
            ]}""";

    /** A model file of the MLP with weights drawn from {@code seed}. */
    static Path model(Path dir, String name, long seed) throws Exception {
        SpecModel m = ModelSpec.build(SPEC, new Generator(seed));
        Path f = dir.resolve(name + ".safetensors");
        ModelFile.save(f, m.stateDict(), new ModelInfo(m.specJson(), name));
        return f;
    }

    /**
     * {@code n} random points in [0, 1]; labels are the first model's predictions, except every fifth point's,
     * which is wrong (so some points are misclassified and not attacked).
     */
    static Points points(Path model, int n, long seed) throws Exception {
        Tensor x = Tensor.rand(new Generator(seed), DType.FLOAT32, n, 1, 6, 6);
        SpecModel m = ModelBytes.read(model).load();
        int[] pred = RobustEvaluation.predict(Classifier.of(m), x);
        int[] labels = new int[n], idx = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 5 == 4 ? (pred[i] + 1) % 3 : pred[i];
            idx[i] = 100 + i;  // data-set indices other than positions
        }
        return new Points("random-6x6", x.toFloatArray(), new int[] {1, 6, 6}, labels, idx);
    }

    /** The rows keyed by (model, attack, eps, index). */
    static Map<String, SampleResult> byKey(List<SampleResult> rows) {
        Map<String, SampleResult> m = new HashMap<>();
        for (SampleResult r : rows) m.put(r.model() + "|" + r.attack() + "|" + r.eps() + "|" + r.index(), r);
        assertEquals(rows.size(), m.size(), "one row per (model, attack, eps, index)");
        return m;
    }

    /** Every row of {@code expected} has the same outcome (all but the timings) in {@code actual}. */
    static void assertSameOutcomes(List<SampleResult> expected, List<SampleResult> actual) {
        assertEquals(expected.size(), actual.size(), "row count");
        Map<String, SampleResult> a = byKey(actual);
        for (Map.Entry<String, SampleResult> e : byKey(expected).entrySet()) {
            SampleResult got = a.get(e.getKey());
            assertNotNull(got, "missing row " + e.getKey());
            assertEquals(e.getValue().outcome(), got.outcome(), "row " + e.getKey());
        }
    }
}
