package dev.brink.cluster;

import dev.brink.nn.spec.SpecModel;
import dev.brink.robust.attack.Classifier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The single-machine run of an {@link EvalPlan}: every task in order, in this JVM, through the same
 * {@link ShardEvaluator} the Spark executors call. Its rows are what a cluster run must reproduce sample by sample.
 */
public final class LocalEvaluation {
    private LocalEvaluation() {}

    /** Runs every task of the plan; {@code models} holds each model of the plan by name. */
    public static List<SampleResult> run(EvalPlan plan, List<ModelBytes> models, Points points) throws IOException {
        Map<String, SpecModel> loaded = new HashMap<>();
        for (ModelBytes m : models) loaded.put(m.name(), m.load());
        List<SampleResult> out = new ArrayList<>();
        for (EvalTask t : plan.tasks()) {
            SpecModel m = loaded.get(t.model());
            if (m == null) throw new IllegalArgumentException("no model " + t.model() + " among " + loaded.keySet());
            out.addAll(ShardEvaluator.evaluate(Classifier.of(m, "model " + t.model()), points, t));
        }
        return out;
    }
}
