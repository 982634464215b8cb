package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cosine annealing from {@code base} to {@code min} over {@code totalEpochs}:
 * {@code value(e) = min + (base - min) * (1 + cos(pi * e / totalEpochs)) / 2}, the closed form of PyTorch's
 * {@code CosineAnnealingLR} ({@code T_max = totalEpochs}, {@code eta_min = min}). It reaches {@code min} at
 * {@code e = totalEpochs}; like PyTorch's, beyond that it follows the cosine back up (period
 * {@code 2 * totalEpochs}) rather than staying at {@code min}. JSON:
 * {@code {"type":"cosine","base":..,"total_epochs":..,"min":..}}.
 *
 * @param base the value at epoch 0 (finite)
 * @param totalEpochs the half period ({@code >= 1})
 * @param min the value at {@code totalEpochs} (finite)
 */
public record Cosine(double base, int totalEpochs, double min) implements Schedule {
    /** Validates the arguments. */
    public Cosine {
        ScheduleJson.requireFinite("Cosine", "base", base);
        ScheduleJson.requirePositive("Cosine", "total_epochs", totalEpochs);
        ScheduleJson.requireFinite("Cosine", "min", min);
    }

    @Override
    public double value(int epoch) {
        ScheduleJson.checkEpoch(epoch);
        return min + (base - min) * (1 + Math.cos(Math.PI * epoch / totalEpochs)) / 2;
    }

    @Override
    public String toJson() {
        ObjectNode n = Json.object("cosine");
        n.put("base", base);
        n.put("total_epochs", totalEpochs);
        n.put("min", min);
        return Json.write(n);
    }
}
