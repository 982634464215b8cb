package dev.brink.cluster;

import java.io.Serializable;

/**
 * One evaluated sample under one attack at one epsilon: the per-sample row written as Parquet and merged into the
 * report.
 *
 * @param model        the model's name
 * @param attack       the attack spec text
 * @param norm         the norm eps is measured in
 * @param eps          the radius
 * @param index        the sample's index in the data set
 * @param label        its true class
 * @param cleanPrediction the model's class on the clean sample
 * @param prediction   the model's class on the adversarial sample (the clean prediction where it was not attacked)
 * @param attacked     whether it was attacked (correctly classified at eps &gt; 0)
 * @param success      whether the attack changed a correct prediction
 * @param linf         L-inf norm of the returned perturbation (NaN where not attacked), pixel units
 * @param l2           its L2 norm
 * @param l1           its L1 norm
 * @param l0           its L0 norm (changed values)
 * @param seconds      the shard's attack time divided by its points
 * @param shard        the shard number
 * @param shardCalls   model calls (forward passes on batches) of the whole shard
 * @param shardSeconds attack time of the whole shard, seconds
 */
public record SampleResult(String model, String attack, String norm, double eps, int index, int label, int cleanPrediction, int prediction,
                           boolean attacked, boolean success, double linf, double l2, double l1, double l0, double seconds, int shard,
                           long shardCalls, double shardSeconds) implements Serializable {

    /** Correct on the clean sample. */
    public boolean cleanCorrect() {
        return cleanPrediction == label;
    }

    /** Correct after the attack: clean-correct and the attack failed. */
    public boolean robust() {
        return cleanCorrect() && !success;
    }

    /** The fields that must agree between two runs with the same seeds (everything but the timings). */
    public String outcome() {
        return String.join(",", model, attack, norm, Double.toString(eps), Integer.toString(index), Integer.toString(label), Integer.toString(cleanPrediction),
                Integer.toString(prediction), Boolean.toString(attacked), Boolean.toString(success), Double.toString(linf), Double.toString(l2),
                Double.toString(l1), Double.toString(l0), Integer.toString(shard), Long.toString(shardCalls));
    }
}
