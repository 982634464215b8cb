package dev.brink.nn.train;

import dev.brink.engine.Generator;

/**
 * Where a training step stands, for objectives whose loss depends on it: the epoch (0-based) of {@code epochs},
 * the optimizer step count before this step, the learning rate of this epoch and of the schedule's start (Liu and
 * Chan decay the EMR weight with the learning rate: {@code learningRate / initialLearningRate}), and the run's
 * random stream. Every random choice an objective makes (random starts of its inner attack, noise) must come from
 * {@code generator}: the trainer saves its position in each checkpoint, so {@code --resume} reproduces the run.
 */
public record TrainingContext(int epoch, int epochs, long step, double learningRate, double initialLearningRate, Generator generator) {
    public TrainingContext {
        if (epoch < 0 || epochs < 1) throw new IllegalArgumentException("epoch " + epoch + " of " + epochs + " is not a valid position");
        if (generator == null) throw new IllegalArgumentException("a training context needs the run's generator");
    }

    /** The learning rate relative to its initial value (1 at the start of a constant schedule). */
    public double learningRateRatio() {
        return initialLearningRate == 0 ? 1 : learningRate / initialLearningRate;
    }

    /** A context for using an objective outside a trainer (tests, benchmarks): epoch 0 of 1, rate 1. */
    public static TrainingContext standalone(Generator generator) {
        return new TrainingContext(0, 1, 0, 1, 1, generator);
    }
}
