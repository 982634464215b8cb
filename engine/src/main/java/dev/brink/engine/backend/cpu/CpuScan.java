package dev.brink.engine.backend.cpu;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.Comparator;

/** Kernels that work on whole lines along one axis: prefix sums and stable argsort. */
final class CpuScan {
    private CpuScan() {}

    /** Calls {@code body} with each line of x along {@code axis} loaded into a buffer, and out's line offset and step. */
    private static void lines(Tensor x, int axis, Tensor out, LineBody body) {
        int[] xShape = x.shape();
        int len = xShape[axis];
        int xStep = x.strides()[axis], oStep = out.strides()[axis];
        CpuStorage xs = CpuStorage.of(x), os = CpuStorage.of(out);
        StridedIndexer it = new StridedIndexer(Shape.with(xShape, axis, 1), new int[] {x.offset(), out.offset()}, x.strides(), out.strides());
        double[] buf = new double[Math.max(len, 1)];
        double[] res = new double[Math.max(len, 1)];
        for (long r = it.rows(); r > 0; r--, it.next()) {
            for (int j = 0; j < it.inner; j++) {
                xs.load(it.pos[0] + j * it.innerStride[0], xStep, buf, 0, len);
                body.apply(buf, res, len);
                os.store(res, 0, it.pos[1] + j * it.innerStride[1], oStep, len);
            }
        }
    }

    private interface LineBody {
        void apply(double[] in, double[] out, int len);
    }

    static void cumsum(Tensor x, int axis, boolean reverse, Tensor out) {
        lines(x, axis, out, (in, res, len) -> {
            double acc = 0;
            if (reverse) {
                for (int i = len - 1; i >= 0; i--) res[i] = acc += in[i];
            } else {
                for (int i = 0; i < len; i++) res[i] = acc += in[i];
            }
        });
    }

    static void argsort(Tensor x, int axis, boolean descending, Tensor out) {
        lines(x, axis, out, (in, res, len) -> {
            Integer[] idx = new Integer[len];
            for (int i = 0; i < len; i++) idx[i] = i;
            // NaN sorts last in both directions; equal values keep their order (stable sort).
            Comparator<Integer> cmp = (a, b) -> {
                double va = in[a], vb = in[b];
                boolean na = va != va, nb = vb != vb;
                if (na || nb) return Boolean.compare(na, nb);
                // -0.0 and 0.0 are equal here (Double.compare would order them), so stability decides.
                int c = va < vb ? -1 : (va > vb ? 1 : 0);
                return descending ? -c : c;
            };
            Arrays.sort(idx, cmp);
            for (int i = 0; i < len; i++) res[i] = idx[i];
        });
    }
}
