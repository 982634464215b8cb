package dev.brink.nn.layer;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/**
 * Per-channel {@code (x - mean) / std} as the model's first layer, so that attacks work in pixel space [0, 1]
 * and data is never transformed outside the model. Mean and std are constants of the architecture (stored in the
 * spec, not in the weights).
 */
public final class Normalize extends Module {
    private final double[] mean;
    private final double[] std;

    public Normalize(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0)
            throw new IllegalArgumentException("normalize: mean and std must have the same positive length, got " + mean.length + " and " + std.length);
        for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("normalize: std values must be positive, got " + s);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        int c = mean.length;
        if (x.dim() < 2 || x.size(1) != c)
            throw new IllegalArgumentException("normalize: expected " + c + " channels in dimension 1, got " + Shape.str(x.shape()));
        int[] bshape = new int[x.dim()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = c;
        Tensor m = x.newTensor(mean, bshape);
        Tensor s = x.newTensor(std, bshape);
        return x.sub(m).div(s);
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }
}
