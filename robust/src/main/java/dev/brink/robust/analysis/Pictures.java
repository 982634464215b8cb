package dev.brink.robust.analysis;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.nn.data.Dataset;

import java.util.List;

/** Helpers shared by the picture analyses: the first samples of a data set, class names, tile shapes. */
final class Pictures {
    private Pictures() {}

    /** The first {@code n} samples (at most all of them) as {inputs, labels}. */
    static Tensor[] first(Dataset d, int n) {
        int m = Math.min(n, d.size());
        if (m < 1) throw new IllegalArgumentException("data set " + d.name() + " has no samples to analyse");
        return new Tensor[] {d.x(0, m), d.y(0, m)};
    }

    /** {C, H, W} of a data set's samples ({@code [D]} samples are shown as one row of D pixels unless square). */
    static int[] chw(int[] sampleShape) {
        if (sampleShape.length == 3) return sampleShape.clone();
        if (sampleShape.length == 2) return new int[] {1, sampleShape[0], sampleShape[1]};
        int d = 1;
        for (int s : sampleShape) d *= s;
        int side = (int) Math.round(Math.sqrt(d));
        return side * side == d ? new int[] {1, side, side} : new int[] {1, 1, d};
    }

    static String className(List<String> names, int k) {
        return names != null && k >= 0 && k < names.size() ? names.get(k) : Integer.toString(k);
    }

    static float[] floats(Tensor t) {
        return t.detach().to(DType.FLOAT32).toFloatArray();
    }

    /** Row {@code i} of a flattened {@code [N, D]} array. */
    static float[] row(float[] all, int i, int d) {
        float[] r = new float[d];
        System.arraycopy(all, i * d, r, 0, d);
        return r;
    }
}
