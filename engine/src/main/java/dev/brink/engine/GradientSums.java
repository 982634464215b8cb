package dev.brink.engine;

import dev.brink.engine.backend.BinaryKernel;

import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * Sums the gradient contributions that reach one node of a backward pass (fan-out in the forward graph), for
 * {@link Autograd}'s walker.
 *
 * <p>Two things keep these sums cheap when a weight collects many contributions (the exact EMR step: a layer's
 * weight gets one from the forward pass and one from each of the K first-order backward passes):
 * <ul>
 *   <li>Layout: contributions that share a dense but permuted layout (a transposed weight gradient) are added in
 *       that layout (permuted to row-major, added, permuted back), so the addition reads and writes memory in
 *       order instead of walking a transposed operand element by element.</li>
 *   <li>In place: when the pass records no graph, the first sum allocates a buffer that only this object holds;
 *       later contributions are added into it instead of allocating (and zero-filling) a new tensor per term.
 *       The buffer is released (no longer written) as soon as the walker takes the node's gradient out of its
 *       map, since from then on backward rules may keep or pass it on.</li>
 * </ul>
 * With a recorded graph ({@code createGraph}) every sum is an ordinary recorded {@code add} (with recorded
 * permutes), so the sums stay differentiable.
 */
final class GradientSums {
    private final boolean inPlace;
    private final IdentityHashMap<Tensor, Boolean> owned = new IdentityHashMap<>();

    /** @param inPlace whether sums may be accumulated in place (only when the pass records no graph) */
    GradientSums(boolean inPlace) {
        this.inPlace = inPlace;
    }

    /** {@code acc + g}: in place into {@code acc} when this object allocated it, else a new (owned) tensor. */
    Tensor add(Tensor acc, Tensor g) {
        if (inPlace && owned.containsKey(acc) && !acc.requiresGrad() && !g.requiresGrad()
                && Arrays.equals(acc.shape(), g.shape()) && acc.dtype() == g.dtype() && acc.backend() == g.backend()) {
            int[] perm = denseOrder(acc);
            if (perm == null) {
                acc.backend().binary(BinaryKernel.ADD, acc, g, acc);
            } else {
                Tensor a = acc.permute(perm);
                acc.backend().binary(BinaryKernel.ADD, a, g.permute(perm), a);
            }
            return acc;
        }
        Tensor s = sum(acc, g);
        if (inPlace) owned.put(s, Boolean.TRUE);
        return s;
    }

    /** The walker took {@code g} out of its map: it may now be shared, so it is never written again. */
    void release(Tensor g) {
        owned.remove(g);
    }

    /**
     * {@code a + b} as a recorded op, in the layout of whichever operand has a dense permuted (for example
     * transposed) layout, so that same-layout operands are added in memory order.
     */
    static Tensor sum(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) return a.add(b);
        int[] perm = denseOrder(a);
        if (perm == null) perm = denseOrder(b);
        if (perm == null) return a.add(b);
        return a.permute(perm).add(b.permute(perm)).permute(inverse(perm));
    }

    /**
     * The order of t's dimensions from the largest stride to the smallest when t is a dense (gap-free) but not
     * row-major view of its storage; null when t is row-major, has fewer than 2 dimensions, or is not dense
     * (broadcast, sliced).
     */
    static int[] denseOrder(Tensor t) {
        int rank = t.dim();
        if (rank < 2 || t.isContiguous()) return null;
        int[] shape = t.shape(), strides = t.strides();
        Integer[] order = new Integer[rank];
        for (int i = 0; i < rank; i++) order[i] = i;
        // stable: among equal strides (size-1 dims) keep the original order
        Arrays.sort(order, (x, y) -> Integer.compare(strides[y], strides[x]));
        int expected = 1;
        for (int i = rank - 1; i >= 0; i--) {
            int d = order[i];
            if (shape[d] != 1 && strides[d] != expected) return null;
            expected *= shape[d];
        }
        int[] perm = new int[rank];
        boolean identity = true;
        for (int i = 0; i < rank; i++) {
            perm[i] = order[i];
            identity &= perm[i] == i;
        }
        return identity ? null : perm;
    }

    private static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }
}
