package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;

/**
 * The subproblem at the core of Croce and Hein's fast adaptive boundary attack: the smallest step, in L-inf, L2 or
 * L1, from a point onto a hyperplane while staying in a box,
 * <pre>
 *   min ||delta||_p  subject to  w . (t + delta) = b,  lo &lt;= t + delta &lt;= hi,
 * </pre>
 * solved exactly and per row of a batch, with tensor ops only (no loop over samples).
 *
 * <p>With {@code c = w.t - b} the step must lower {@code sign(c) w . x} by {@code |c|}. Each coordinate i moves, if
 * at all, in the direction {@code -sign(c w_i)} that lowers it, and has the room {@code r_i} left to the box face on
 * that side. The optimal steps are:
 * <ul>
 *   <li>L-inf: {@code |delta_i| = min(lambda, r_i)} for the one lambda that lowers the product by |c|;</li>
 *   <li>L2: {@code |delta_i| = min(lambda |w_i|, r_i)} (the KKT conditions of the box-constrained projection);</li>
 *   <li>L1: the coordinates of largest {@code |w_i|} first, each to its face, the last one only as far as
 *       needed.</li>
 * </ul>
 * In L-inf and L2 the achieved decrease is piecewise linear and increasing in lambda, with breakpoints where
 * coordinates reach their faces ({@code r_i} and {@code r_i / |w_i|}): the breakpoints are sorted, the decrease is
 * evaluated at all of them with cumulative sums, the segment holding |c| is found by counting, and lambda solves
 * a linear equation on it. L1 sorts by {@code |w_i|} and counts the coordinates whose capacities (|w_i| r_i)
 * accumulate to less than |c|. Where the box cannot reach the hyperplane the result is the corner of the box that
 * gets closest to it (every coordinate at its face), as in Croce and Hein's reference.
 */
public final class HyperplaneProjection {
    private HyperplaneProjection() {}

    /**
     * The step {@code delta [N, D]} of least {@code norm} from each row of {@code t} onto its hyperplane
     * {@code w . x = b} inside the box {@code [lo, hi]} (the box corner nearest to the hyperplane where it is out
     * of reach).
     *
     * @param t points {@code [N, D]} inside the box
     * @param w hyperplane normals {@code [N, D]}, one per row (a zero row gives a zero step)
     * @param b offsets {@code [N]}
     * @param norm L-inf, L2 or L1
     */
    public static Tensor project(Tensor t, Tensor w, Tensor b, Norm norm, double lo, double hi) {
        if (t.dim() != 2 || !java.util.Arrays.equals(t.shape(), w.shape()) || b.dim() != 1 || b.size(0) != t.size(0))
            throw new IllegalArgumentException("hyperplane projection: expected t and w [N, D] and b [N], got " + Shape.str(t.shape()) + ", "
                    + Shape.str(w.shape()) + ", " + Shape.str(b.shape()));
        if (!(lo < hi)) throw new IllegalArgumentException("hyperplane projection: empty box [" + lo + ", " + hi + "]");
        try (GradMode.Scope s = GradMode.noGrad()) {
            int n = t.size(0);
            Tensor c = t.mul(w).sum(new int[] {1}, true).sub(b.reshape(n, 1));     // [N, 1]
            Tensor need = c.abs();
            Tensor v = w.mul(c.ge(0.0).mul(2.0).sub(1.0));                          // sign(c) w: lower v . x by |c|
            Tensor dir = v.sign().neg();                                            // the way each coordinate moves
            Tensor av = v.abs();
            Tensor room = v.gt(0.0).mul(t.sub(lo)).add(v.lt(0.0).mul(t.neg().add(hi))).maximum(0.0);
            Tensor corner = dir.mul(room);
            Tensor mag = switch (norm) {
                case LINF -> breakpoints(room, av, room, av, need, false);
                case L2 -> breakpoints(room, av, Tensor.where(av.gt(0.0), room.div(av.maximum(tiny(av))), room.zerosLike()), av.square(), need, true);
                case L1 -> greedy(room, av, need);
                case L0 -> throw new IllegalArgumentException("hyperplane projection: norm must be linf, l2 or l1, got l0");
            };
            Tensor feasible = room.mul(av).sum(new int[] {1}, true).gt(need);
            return Tensor.where(feasible, dir.mul(mag), corner);
        }
    }

    /**
     * L-inf and L2: the magnitudes {@code min(lambda * scale_i, r_i)} (scale 1 for L-inf, |w_i| for L2) for the
     * lambda whose decrease {@code sum_i |w_i| min(lambda scale_i, r_i)} equals {@code need}; {@code key} holds the
     * breakpoints (lambda at which each coordinate reaches its face) and {@code slope} the per-coordinate rate
     * {@code |w_i| scale_i} before it does.
     */
    private static Tensor breakpoints(Tensor room, Tensor av, Tensor key, Tensor slope, Tensor need, boolean l2) {
        int d = room.size(1);
        Tensor order = key.argsort(1, false);
        Tensor ks = key.gather(1, order), caps = room.mul(av).gather(1, order), slopes = slope.gather(1, order);
        Tensor saturated = caps.cumsum(1);                                         // decrease of the coordinates at their faces
        Tensor total = slope.sum(new int[] {1}, true);
        Tensor free = total.sub(slopes.cumsum(1));                                 // rate of the ones still moving
        Tensor atBreak = saturated.add(ks.mul(free));                              // decrease at each breakpoint
        // the segment: lambda lies between breakpoint m-1 and m, m = how many breakpoints fall short of need
        Tensor m = atBreak.lt(need).sum(new int[] {1}, true).minimum(d - 1.0).to(DType.INT32);
        Tensor sat0 = Tensor.concat(1, need.zerosLike(), saturated), free0 = Tensor.concat(1, total, free);
        Tensor lambda = need.sub(sat0.gather(1, m)).div(free0.gather(1, m).maximum(tiny(free0))).maximum(0.0);
        return (l2 ? lambda.mul(av) : lambda).minimum(room);
    }

    /** A positive floor for denominators that is not 0 in the tensor's dtype. */
    private static double tiny(Tensor like) {
        return like.dtype() == DType.FLOAT64 ? 1e-300 : 1e-30;
    }

    /** L1: the largest |w_i| first, each coordinate to its face until the rest of {@code need} fits in one. */
    private static Tensor greedy(Tensor room, Tensor av, Tensor need) {
        int n = room.size(0), d = room.size(1);
        Tensor order = av.argsort(1, true);
        Tensor avs = av.gather(1, order), rs = room.gather(1, order);
        Tensor filled = rs.mul(avs).cumsum(1);
        Tensor m = filled.lt(need).sum(new int[] {1}, true).minimum(d - 1.0);      // coordinates moved to their faces
        Tensor mi = m.to(DType.INT32);
        Tensor rest = need.sub(Tensor.concat(1, need.zerosLike(), filled).gather(1, mi)).maximum(0.0);
        Tensor last = rest.div(avs.gather(1, mi).maximum(tiny(avs)));
        double[] ix = new double[d];
        for (int i = 0; i < d; i++) ix[i] = i;
        Tensor pos = Tensor.fromHost(room.backend(), room.dtype(), ix, 1, d);
        Tensor sorted = pos.lt(m).mul(rs).add(pos.eq(m).mul(last.minimum(rs)));
        return F.scatterAdd(sorted, 1, order, new int[] {n, d});
    }
}
