package dev.brink.robust.attack;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The steepest-ascent step in an L1 ball (Shaham et al. Sec. 4: "changing the pixel corresponding to the
 * entry of largest magnitude in the gradient"): all of the L1 budget eps goes to the feature of largest
 * |gradient|, in the gradient's sign. With {@code box-fill} (default) it is the exact maximizer of the linearized
 * loss over the L1 ball intersected with the box: when the top feature reaches the box face before eps is spent,
 * the rest goes to the next features by |gradient| (a fractional knapsack); while eps fits in the top feature's room
 * it is Shaham et al.'s one-pixel step. On a linear model it moves a margin by {@code eps * ||w||_inf} when the box
 * allows. Threat model: L1. Inputs {@code [N, ...]}; labels int32 {@code [N]}.
 * Options: {@code box-fill} true, {@code loss} ce.
 */
public final class FgmL1 extends Attack {
    static final List<Attacks.Option> OPTIONS = List.of(
            new Attacks.Option("box-fill", "true", "spend budget blocked by the box on the next-largest gradient features"),
            new Attacks.Option("loss", "ce", "ce (cross-entropy) or cw (C&W margin)"));

    private final boolean boxFill;
    private final AttackLoss loss;

    public FgmL1(boolean boxFill, AttackLoss loss) {
        this.boxFill = boxFill;
        this.loss = loss;
    }

    static FgmL1 fromOptions(Attacks.Options o) {
        return new FgmL1(o.bool("box-fill"), o.loss("loss"));
    }

    @Override
    public String name() {
        return "fgm-l1";
    }

    @Override
    public Set<Norm> supportedNorms() {
        return Set.of(Norm.L1);
    }

    @Override
    protected Outcome perturb(Problem p) {
        double eps = p.threat().eps();
        int[] it = new int[p.x().size(0)];
        Arrays.fill(it, 1);
        Tensor g = inputGradient(p, loss, p.x());
        if (!boxFill) return new Outcome(p.x().add(Projections.steepestDirection(g, Norm.L1).mul(eps)), it);
        return new Outcome(p.x().add(fill(g, p.x(), eps, p.threat())), it);
    }

    /** The L1-budget eps spread over features by decreasing |g|, each up to its room in the box, in g's sign. */
    static Tensor fill(Tensor g, Tensor x, double eps, ThreatModel t) {
        int n = g.size(0);
        Tensor gf = g.reshape(n, -1), xf = x.reshape(n, -1);
        Tensor room = Tensor.where(gf.gt(0.0), xf.neg().add(t.upper()), xf.sub(t.lower())).mul(gf.ne(0.0)).maximum(0.0);
        Tensor order = gf.abs().argsort(1, true);
        Tensor sortedRoom = room.gather(1, order);
        Tensor before = sortedRoom.cumsum(1).sub(sortedRoom);
        Tensor amount = before.neg().add(eps).maximum(0.0).minimum(sortedRoom);
        Tensor placed = F.scatterAdd(amount, 1, order, gf.shape());
        return placed.mul(gf.sign()).reshape(g.shape());
    }
}
