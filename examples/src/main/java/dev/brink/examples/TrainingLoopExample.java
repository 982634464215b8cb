package dev.brink.examples;

import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.optim.Adam;

import java.util.Random;

/**
 * A tiny training loop: a 2-16-2 MLP (brink-nn layers, Adam) learns XOR on the plane, the class of a point
 * {@code (a, b)} in {@code [-1, 1]^2} being 1 when {@code a * b > 0}, which no linear model separates. Full-batch
 * training on 256 points for {@value #STEPS} steps, then accuracy on 256 fresh points.
 */
public final class TrainingLoopExample {
    /** Cross-entropy before and after training (nats, mean over the training set) and accuracies in [0, 1]. */
    public record Result(double initialLoss, double finalLoss, double trainAccuracy, double testAccuracy) {}

    /** Optimizer steps (full batch). */
    public static final int STEPS = 300;
    /** Test accuracy the example demands. */
    public static final double MIN_TEST_ACCURACY = 0.95;
    /** Final training loss the example demands (nats); it starts near ln 2 = 0.69. */
    public static final double MAX_FINAL_LOSS = 0.05;

    /**
     * Trains the model; throws {@link IllegalStateException} unless the final loss is below {@link #MAX_FINAL_LOSS}
     * and the test accuracy at least {@link #MIN_TEST_ACCURACY}.
     */
    public static Result run() {
        Random random = new Random(42);
        float[][] trainPoints = points(random, 256), testPoints = points(random, 256);
        Tensor x = Tensor.of(trainPoints);                       // [256, 2]
        Tensor y = Tensor.ofInts(labels(trainPoints), 256);      // [256], classes 0 and 1

        Generator init = new Generator(0);                       // seeds the weight initialization
        Sequential model = new Sequential(
                new Linear(2, 16, true, init), new Activation(Activation.Kind.TANH), new Linear(16, 2, true, init));
        Adam optimizer = new Adam(model.trainableParameters(), 0.05);

        double initialLoss = Double.NaN, finalLoss = Double.NaN;
        for (int step = 0; step < STEPS; step++) {
            try (TensorScope scope = TensorScope.open()) {       // the step's tensors are reused by the next step
                Tensor loss = F.crossEntropy(model.forward(x), y);   // logits [256, 2] -> mean loss, scalar
                optimizer.zeroGrad();
                loss.backward();                                     // fills each parameter's grad()
                optimizer.step();
                if (step == 0) initialLoss = loss.item();
                finalLoss = loss.item();                             // read before the scope closes
            }
        }

        Result r = new Result(initialLoss, finalLoss, accuracy(model, trainPoints), accuracy(model, testPoints));
        Checks.check(r.finalLoss() < MAX_FINAL_LOSS, "training loss " + r.finalLoss() + " (from " + r.initialLoss() + ")");
        Checks.check(r.testAccuracy() >= MIN_TEST_ACCURACY, "test accuracy " + r.testAccuracy());
        return r;
    }

    /** Fraction of {@code points} whose predicted class (argmax of the logits) is the true one. */
    static double accuracy(Sequential model, float[][] points) {
        int[] truth = labels(points);
        int[] predicted;
        try (GradMode.Scope noGrad = GradMode.noGrad()) {        // no graph recorded for evaluation
            predicted = model.forward(Tensor.of(points)).argmax(1).toIntArray();
        }
        int correct = 0;
        for (int i = 0; i < truth.length; i++) if (predicted[i] == truth[i]) correct++;
        return (double) correct / truth.length;
    }

    /** {@code n} points uniform in {@code [-1, 1]^2}, at least 0.1 away from the axes (a margin between classes). */
    static float[][] points(Random random, int n) {
        float[][] p = new float[n][];
        for (int i = 0; i < n; i++) {
            float a, b;
            do {
                a = 2 * random.nextFloat() - 1;
                b = 2 * random.nextFloat() - 1;
            } while (Math.abs(a) < 0.1f || Math.abs(b) < 0.1f);
            p[i] = new float[] {a, b};
        }
        return p;
    }

    /** XOR labels: 1 where both coordinates have the same sign. */
    static int[] labels(float[][] points) {
        int[] y = new int[points.length];
        for (int i = 0; i < y.length; i++) y[i] = points[i][0] * points[i][1] > 0 ? 1 : 0;
        return y;
    }

    /** Runs the example and prints its numbers. */
    public static void main(String[] args) {
        Result r = run();
        System.out.printf("loss %.4f -> %.4f after %d steps; accuracy %.3f (train), %.3f (test)%n",
                r.initialLoss(), r.finalLoss(), STEPS, r.trainAccuracy(), r.testAccuracy());
    }
}
