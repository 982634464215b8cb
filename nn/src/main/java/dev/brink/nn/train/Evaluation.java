package dev.brink.nn.train;

import dev.brink.engine.GradMode;
import dev.brink.engine.TensorScope;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.data.DataLoader;
import dev.brink.nn.data.Dataset;

import java.util.function.IntConsumer;

/** Clean accuracy of a model on a data set, in evaluation mode, without recording a graph. */
public final class Evaluation {
    private Evaluation() {}

    /** Fraction of correctly classified samples of {@code data}; {@code progress} receives samples done (may be null). */
    public static double accuracy(Module model, Dataset data, int batchSize, IntConsumer progress) {
        return accuracy(model, "the model", data, batchSize, progress);
    }

    /**
     * {@link #accuracy(Module, Dataset, int, IntConsumer)}, refusing NaN or infinite logits with a message naming the
     * model as {@code name} says (e.g. {@code "model runs/a.safetensors"}).
     *
     * @throws NonFiniteLogitsException when the model gives a non-finite logit
     */
    public static double accuracy(Module model, String name, Dataset data, int batchSize, IntConsumer progress) {
        boolean wasTraining = model.isTraining();
        model.eval();
        long correct = 0;
        int done = 0;
        try (GradMode.Scope s = GradMode.noGrad()) {
            DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(false).build();
            for (Batch b : loader.epoch(0)) {
                try (TensorScope batchScope = TensorScope.open()) {
                    dev.brink.engine.Tensor logits = model.forward(b.x());
                    NonFiniteLogitsException.check(logits, name, done, "samples of " + data.name());
                    correct += Objective.correct(logits, b.y());
                }
                done += b.size();
                if (progress != null) progress.accept(done);
            }
        } finally {
            if (wasTraining) model.train();
        }
        return data.size() == 0 ? Double.NaN : (double) correct / data.size();
    }
}
