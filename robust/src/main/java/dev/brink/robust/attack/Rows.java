package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Tensor;

/**
 * Per-sample bookkeeping for batched attacks, on the batch's backend: selecting the rows still under attack
 * (so finished samples cost nothing), writing rows back into a full batch, and host masks as tensors.
 */
final class Rows {
    private Rows() {}

    static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }

    /** The positions j with {@code keep[j]}. */
    static int[] where(boolean[] keep) {
        int c = 0;
        for (boolean b : keep) if (b) c++;
        int[] out = new int[c];
        for (int j = 0, k = 0; j < keep.length; j++) if (keep[j]) out[k++] = j;
        return out;
    }

    /** {@code idx[local[j]]} for each j: indices of a subset of a subset. */
    static int[] compose(int[] idx, int[] local) {
        int[] out = new int[local.length];
        for (int j = 0; j < local.length; j++) out[j] = idx[local[j]];
        return out;
    }

    static boolean isAll(int[] idx, int n) {
        if (idx.length != n) return false;
        for (int i = 0; i < n; i++) if (idx[i] != i) return false;
        return true;
    }

    /** int32 index tensor on t's backend. */
    static Tensor index(Tensor like, int[] idx) {
        double[] d = new double[idx.length];
        for (int i = 0; i < idx.length; i++) d[i] = idx[i];
        return Tensor.fromHost(like.backend(), DType.INT32, d, idx.length);
    }

    /** Rows {@code idx} of t (t itself when idx is every row in order). */
    static Tensor select(Tensor t, int[] idx) {
        if (isAll(idx, t.size(0))) return t;
        return t.indexSelect(0, index(t, idx));
    }

    /** The sub-problem of rows {@code idx} (same model, threat and generator). */
    static Attack.Problem select(Attack.Problem p, int[] idx) {
        if (isAll(idx, p.x().size(0))) return p;
        return new Attack.Problem(p.model(), select(p.x(), idx), select(p.labels(), idx), select(p.classes(), idx), p.targeted(), p.threat(), p.gen());
    }

    /** A {@code [N, 1, ..., 1]} 0/1 mask in like's dtype from host booleans. */
    static Tensor mask(Tensor like, boolean[] m) {
        double[] d = new double[m.length];
        for (int i = 0; i < m.length; i++) d[i] = m[i] ? 1 : 0;
        return Projections.perSample(like.newTensor(d, m.length), like);
    }

    /** {@code full} with row {@code idx[j]} replaced by {@code rows[j]} wherever {@code which[j]} (all when null). */
    static Tensor put(Tensor full, int[] idx, Tensor rows, boolean[] which) {
        int n = full.size(0);
        boolean[] m = new boolean[n];
        boolean any = false;
        for (int j = 0; j < idx.length; j++) {
            if (which == null || which[j]) {
                m[idx[j]] = true;
                any = true;
            }
        }
        if (!any) return full;
        Tensor placed;
        if (isAll(idx, n)) {
            placed = rows;
        } else {
            int na = idx.length;
            Tensor flat = rows.reshape(na, -1);
            int d = flat.size(1);
            Tensor ix = index(rows, idx).reshape(na, 1).expand(na, d).contiguous();
            placed = F.scatterAdd(flat, 0, ix, new int[] {n, d}).reshape(full.shape());
        }
        return Tensor.where(mask(full, m), placed, full);
    }
}
