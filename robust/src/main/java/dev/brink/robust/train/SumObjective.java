package dev.brink.robust.train;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;

import java.util.List;

/**
 * Several objectives trained together ({@code brink train --objective A --objective B}): the loss is the sum of
 * their losses, the regularizer the sum of the regularizers they report (null where none reports one), and the
 * logits those of the first objective that reports logits (for the running training accuracy). The parts run in
 * the order given, on the same batch and context, so they draw from the run's random stream in that order.
 */
public final class SumObjective implements Objective {
    private final List<Objective> parts;

    /** @param parts at least one objective */
    public SumObjective(List<Objective> parts) {
        if (parts == null || parts.isEmpty()) throw new IllegalArgumentException("a sum of objectives needs at least one objective");
        this.parts = List.copyOf(parts);
    }

    /** The summed objectives, in order. */
    public List<Objective> parts() {
        return parts;
    }

    @Override
    public Outcome apply(Module model, Batch batch, TrainingContext context) {
        Tensor loss = null, logits = null, reg = null;
        for (Objective o : parts) {
            Outcome out = o.apply(model, batch, context);
            loss = loss == null ? out.loss() : loss.add(out.loss());
            if (logits == null) logits = out.logits();
            if (out.regularizer() != null) reg = reg == null ? out.regularizer() : reg.add(out.regularizer());
        }
        return new Outcome(loss, logits, reg);
    }
}
