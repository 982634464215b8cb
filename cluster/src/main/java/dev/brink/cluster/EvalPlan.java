package dev.brink.cluster;

import dev.brink.engine.Generator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The tasks of a cluster evaluation: every model x attack x epsilon x shard, the points cut into fixed shards of
 * {@code shardSize} in order. Shard boundaries and seeds depend only on the number of points, the shard size and the
 * seed, never on the number of executors or Spark's partitioning, so a run on one machine and a run on a cluster
 * attack every sample with the same random numbers.
 *
 * @param models    the models, by name, with their files' SHA-256
 * @param attacks   the attacks, each with its norm
 * @param eps       the radii (pixel units), in order
 * @param points    how many points are evaluated
 * @param shardSize points per shard
 * @param seed      the run's seed
 * @param batchSize samples per attack call within a shard
 * @param dataKey   a fingerprint of the points ({@link Points#key()})
 */
public record EvalPlan(List<Model> models, List<AttackChoice> attacks, double[] eps, int points, int shardSize, long seed, int batchSize,
                       String dataKey) implements Serializable {

    /** A model of the run: its name in results and its file's SHA-256. */
    public record Model(String name, String sha256) implements Serializable {}

    public EvalPlan {
        if (models.isEmpty()) throw new IllegalArgumentException("no models");
        if (attacks.isEmpty()) throw new IllegalArgumentException("no attacks");
        if (eps.length == 0) throw new IllegalArgumentException("no epsilons");
        for (double e : eps) if (!(e >= 0) || Double.isInfinite(e)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + e);
        if (points < 1) throw new IllegalArgumentException("no points to evaluate");
        if (shardSize < 1) throw new IllegalArgumentException("shard size must be >= 1, got " + shardSize);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Model m : models) if (!names.add(m.name())) throw new IllegalArgumentException("two models are called " + m.name() + ": rename one file");
        models = List.copyOf(models);
        attacks = List.copyOf(attacks);
        eps = eps.clone();
    }

    /** Number of shards. */
    public int shards() {
        return (points + shardSize - 1) / shardSize;
    }

    /**
     * The seed of shard {@code shard}: the run's seed for shard 0 (so a single shard holding every point is exactly
     * {@code brink sweep} or {@code brink autoattack} with that seed), a SplitMix64 mix of seed and shard otherwise.
     */
    public static long shardSeed(long seed, int shard) {
        return shard == 0 ? seed : Generator.bits(seed, shard);
    }

    /** Every task, model by model, attack by attack, epsilon by epsilon, shard by shard. */
    public List<EvalTask> tasks() {
        List<EvalTask> out = new ArrayList<>();
        for (Model m : models)
            for (AttackChoice a : attacks)
                for (double e : eps)
                    for (int s = 0; s < shards(); s++) {
                        int from = s * shardSize, to = Math.min(points, from + shardSize);
                        out.add(new EvalTask(m.name(), m.sha256(), a.spec(), a.norm().label(), e, s, from, to, shardSeed(seed, s), batchSize, dataKey));
                    }
        return out;
    }

    /** The attack of a task. */
    public AttackChoice attack(EvalTask t) {
        for (AttackChoice a : attacks) if (a.spec().equals(t.attack())) return a;
        throw new IllegalArgumentException("no attack " + t.attack() + " in the plan");
    }
}
