package dev.brink.cluster;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One unit of work: a model, an attack at one epsilon, and one shard of the points (positions {@code [from, to)} of
 * the evaluated points). Its per-sample result depends on this record alone, never on which machine runs it or on
 * what runs beside it: the shard's random streams are seeded with {@link #seed()}, a function of the run's seed and
 * the shard number ({@link EvalPlan#shardSeed}).
 *
 * @param model      the model's name (its file name), as the results name it
 * @param modelSha   SHA-256 of the model file, so results of another model under the same name are never reused
 * @param attack     the attack spec text ({@code pgd:steps=10}, {@code autoattack:version=standard}), as the results name it
 * @param norm       the norm eps is measured in ({@link dev.brink.robust.attack.Norm#label()})
 * @param eps        the radius, pixel units on the [0, 1] box
 * @param shard      shard number (0, 1, ...)
 * @param from       first position of the shard in the evaluated points (inclusive)
 * @param to         end of the shard (exclusive)
 * @param seed       the shard's seed
 * @param batchSize  samples per attack call
 * @param dataKey    a fingerprint of the evaluated points (data set, split, selection)
 */
public record EvalTask(String model, String modelSha, String attack, String norm, double eps, int shard, int from, int to, long seed,
                       int batchSize, String dataKey) implements Serializable {

    /** Points in the shard. */
    public int size() {
        return to - from;
    }

    /**
     * The task's directory name under {@code parts/}: readable names plus a hash of every field, so a rerun with
     * any other setting (seed, shard size, batch size, data, model bytes) never takes this task's results for its own.
     */
    public String directoryName() {
        return String.format(Locale.ROOT, "%s__%s__%s-%s__shard%05d__%s", stem(model), stem(attack), norm, stem(Double.toString(eps)), shard, hash());
    }

    /** The first 16 hex digits of the SHA-256 of all fields. */
    public String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] d = md.digest(toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A short description for progress lines. */
    public String describe() {
        return String.format(Locale.ROOT, "%s / %s / %s %s / shard %d [%d, %d)", model, attack, norm, dev.brink.robust.eval.EpsRange.format(eps), shard, from, to);
    }

    private static String stem(String s) {
        String t = s.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^_+|_+$", "");
        return t.length() > 40 ? t.substring(0, 40) : t;
    }
}
