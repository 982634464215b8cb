package dev.brink.robust.attack;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.nn.layer.Activation;
import dev.brink.nn.layer.Flatten;
import dev.brink.nn.layer.Linear;
import dev.brink.nn.layer.Sequential;
import dev.brink.nn.optim.Adam;

import java.util.Map;

/**
 * A tiny MLP (144-32-10, ReLU) trained in the test on MNIST-like synthetic digits, the fixture of the attack-strength
 * tests: each class is a fixed random stroke pattern on a 12x12 black background (a quarter of the pixels at 0.35,
 * the rest at 0), a sample is its pattern plus Gaussian noise of standard deviation 0.25, clipped to [0, 1], so that,
 * as in MNIST, about 40% of the pixels sit on a face of the box (which is where DeepFool's handling of the box
 * matters). 300 Adam steps on batches of 64 (about a second); the test set is {@link #N} fresh samples, all
 * classified correctly; PGD-40 leaves about half of them at L-inf 0.1 or L2 0.7. Deterministic (seeded), built once
 * per JVM.
 */
final class SmallMlp {
    /** Test samples. */
    static final int N = 200;

    private static SmallMlp instance;

    final Classifier model;
    final Tensor x, y;

    private SmallMlp(Classifier model, Tensor x, Tensor y) {
        this.model = model;
        this.x = x;
        this.y = y;
    }

    static synchronized SmallMlp get() {
        if (instance == null) instance = train();
        return instance;
    }

    private static Tensor[] data(Tensor prototypes, int n, Generator g) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (int) (Generator.uniform(g.seed(), g.reserve(1)) * 10);
        Tensor labels = Tensor.ofInts(y, n);
        Tensor x = F.oneHot(labels, 10, DType.FLOAT32).matmul(prototypes).add(Tensor.randn(g, DType.FLOAT32, n, 144).mul(0.25)).clamp(0, 1);
        return new Tensor[] {x.reshape(n, 1, 12, 12), labels};
    }

    private static SmallMlp train() {
        Generator g = new Generator(31);
        Tensor prototypes = Tensor.rand(g, DType.FLOAT32, 10, 144).lt(0.25).mul(0.35);
        Sequential mlp = new Sequential(new Flatten(), new Linear(144, 32, true, g), new Activation(Activation.Kind.RELU), new Linear(32, 10, true, g));
        Map<String, Tensor> params = mlp.trainableParameters();
        Adam opt = new Adam(params, 3e-3);
        mlp.train();
        for (int step = 0; step < 300; step++) {
            Tensor[] b = data(prototypes, 64, g);
            try (GradMode.Scope s = GradMode.enableGrad()) {
                Tensor loss = F.crossEntropy(mlp.forward(b[0]), b[1]);
                opt.step(Autograd.grad(loss, params.values().toArray(new Tensor[0])));
            }
        }
        Tensor[] test = data(prototypes, N, g);
        return new SmallMlp(Classifier.of(mlp), test[0], test[1]);
    }

    /** Samples of x classified as their label. */
    int correct(Tensor adv) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            int[] p = model.logits(adv).argmax(1).toIntArray(), t = y.toIntArray();
            int c = 0;
            for (int i = 0; i < p.length; i++) if (p[i] == t[i]) c++;
            return c;
        }
    }
}
