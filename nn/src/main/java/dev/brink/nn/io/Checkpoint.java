package dev.brink.nn.io;

import dev.brink.engine.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything needed to resume training exactly, stored as one safetensors file that is also a valid
 * {@link ModelFile}:
 * <ul>
 *   <li>tensors: the model state under its own names, and the optimizer state under
 *       {@code optimizer.<slot>.<param name>} (e.g. {@code optimizer.momentum.layers.0.weight});</li>
 *   <li>metadata: that of {@link ModelFile} ({@code brink.format}, {@code brink.spec}, {@code brink.model}, extra
 *       entries) plus {@code brink.epoch}, {@code brink.step}, {@code brink.rng.seed}, {@code brink.rng.counter}
 *       (decimal), {@code brink.optimizer} and {@code brink.schedule} (JSON strings).</li>
 * </ul>
 *
 * @param model         the model's parameters and buffers by name; unmodifiable
 * @param optimizer     the optimizer's state tensors by {@code <slot>.<param name>}, without the
 *                      {@code optimizer.} prefix (e.g. {@code momentum.layers.0.weight}); unmodifiable
 * @param info          the model's spec, name and extra metadata
 * @param epoch         number of completed epochs (&gt;= 0)
 * @param step          number of completed optimizer steps (&gt;= 0)
 * @param rngSeed       seed of the training random generator
 * @param rngCounter    position of the training random generator
 * @param optimizerJson the optimizer's hyper-parameters as JSON; opaque here
 * @param scheduleJson  the learning-rate schedule and its state as JSON; opaque here
 */
public record Checkpoint(Map<String, Tensor> model, Map<String, Tensor> optimizer, ModelInfo info, int epoch, long step,
                         long rngSeed, long rngCounter, String optimizerJson, String scheduleJson) {
    /** Metadata key of {@link #epoch()}. */
    public static final String EPOCH_KEY = "brink.epoch";
    /** Metadata key of {@link #step()}. */
    public static final String STEP_KEY = "brink.step";
    /** Metadata key of {@link #rngSeed()}. */
    public static final String RNG_SEED_KEY = "brink.rng.seed";
    /** Metadata key of {@link #rngCounter()}. */
    public static final String RNG_COUNTER_KEY = "brink.rng.counter";
    /** Metadata key of {@link #optimizerJson()}. */
    public static final String OPTIMIZER_KEY = "brink.optimizer";
    /** Metadata key of {@link #scheduleJson()}. */
    public static final String SCHEDULE_KEY = "brink.schedule";

    /**
     * @throws IllegalArgumentException for a model tensor named {@code optimizer.*}, or a negative epoch or step
     */
    public Checkpoint {
        ModelFile.checkModelNames(model);
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(optimizerJson, "optimizerJson");
        Objects.requireNonNull(scheduleJson, "scheduleJson");
        if (epoch < 0) throw new IllegalArgumentException("epoch " + epoch + " < 0");
        if (step < 0) throw new IllegalArgumentException("step " + step + " < 0");
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        optimizer = Collections.unmodifiableMap(new LinkedHashMap<>(optimizer));
    }

    /** Writes {@code checkpoint} to {@code file} atomically (the previous checkpoint survives a failed write). */
    public static void save(Path file, Checkpoint checkpoint) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(checkpoint.model());
        for (Map.Entry<String, Tensor> e : checkpoint.optimizer().entrySet())
            tensors.put(ModelFile.OPTIMIZER_PREFIX + e.getKey(), e.getValue());
        Map<String, String> metadata = new TreeMap<>(ModelFile.metadata(checkpoint.info()));
        metadata.put(EPOCH_KEY, Integer.toString(checkpoint.epoch()));
        metadata.put(STEP_KEY, Long.toString(checkpoint.step()));
        metadata.put(RNG_SEED_KEY, Long.toString(checkpoint.rngSeed()));
        metadata.put(RNG_COUNTER_KEY, Long.toString(checkpoint.rngCounter()));
        metadata.put(OPTIMIZER_KEY, checkpoint.optimizerJson());
        metadata.put(SCHEDULE_KEY, checkpoint.scheduleJson());
        SafeTensors.write(file, tensors, metadata);
    }

    /**
     * Reads a checkpoint written by {@link #save}.
     *
     * @throws ModelFileException if the file is not a valid Brink model file, or lacks a checkpoint entry (a
     *                            plain model file), or has a malformed number
     */
    public static Checkpoint load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> meta = contents.metadata();
        ModelInfo info = ModelFile.info(file, meta);
        Map<String, Tensor> model = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith(ModelFile.OPTIMIZER_PREFIX)) optimizer.put(name.substring(ModelFile.OPTIMIZER_PREFIX.length()), t);
            else model.put(name, t);
        });
        long epoch = number(file, meta, EPOCH_KEY);
        long step = number(file, meta, STEP_KEY);
        if (epoch < 0 || epoch > Integer.MAX_VALUE)
            throw new ModelFileException(file, "metadata \"" + EPOCH_KEY + "\" = " + epoch + " is not a valid epoch");
        if (step < 0)
            throw new ModelFileException(file, "metadata \"" + STEP_KEY + "\" = " + step + " is negative");
        return new Checkpoint(model, optimizer, info, (int) epoch, step, number(file, meta, RNG_SEED_KEY),
                number(file, meta, RNG_COUNTER_KEY), text(file, meta, OPTIMIZER_KEY), text(file, meta, SCHEDULE_KEY));
    }

    private static String text(Path file, Map<String, String> meta, String key) throws ModelFileException {
        String v = meta.get(key);
        if (v == null)
            throw new ModelFileException(file, "not a checkpoint: no \"" + key + "\" in the metadata"
                    + " (a model file? read it with ModelFile.load)");
        return v;
    }

    private static long number(Path file, Map<String, String> meta, String key) throws ModelFileException {
        String v = text(file, meta, key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ModelFileException(file, "metadata \"" + key + "\" = \"" + v + "\" is not a 64-bit integer", e);
        }
    }
}
