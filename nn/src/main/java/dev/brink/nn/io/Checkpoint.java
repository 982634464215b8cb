package dev.brink.nn.io;

import dev.brink.engine.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
        return of(file, SafeTensors.readSelected(file, header -> {
            summary(file, header);
            return name -> true;
        }));
    }

    /**
     * Reads a checkpoint whose model must hold exactly the tensors of {@code expectedModel} (names, shapes, dtypes;
     * stand-ins will do, see {@link dev.brink.nn.spec.SpecPlan#standIns}) and whose optimizer state must belong to
     * them: each {@code optimizer.<slot>.<name>} names a tensor of the model and has its shape, or is a 0-d counter.
     * Everything is checked on the header, before any tensor is read or allocated.
     *
     * @throws StateDictMismatchException listing every mismatch of the model or the optimizer state
     * @throws ModelFileException         as {@link #load(Path)}
     */
    public static Checkpoint load(Path file, Map<String, Tensor> expectedModel) throws IOException {
        Objects.requireNonNull(expectedModel, "expectedModel");
        return of(file, SafeTensors.readSelected(file, header -> {
            check(file, header, expectedModel);
            return name -> true;
        }));
    }

    /**
     * The checks of {@link #load(Path, Map)}, on the header alone, reading no tensor: for a caller that has more to
     * check (the heap's room for the model, say) before the tensors are read.
     */
    public static void checkHeader(Path file, Map<String, Tensor> expectedModel) throws IOException {
        check(file, SafeTensors.readHeader(file), expectedModel);
    }

    private static void check(Path file, SafeTensors.Header header, Map<String, Tensor> expectedModel) throws IOException {
        summary(file, header);
        StateDicts.check(file, expectedModel, HeaderTensors.standIns(file, header, name -> !name.startsWith(ModelFile.OPTIMIZER_PREFIX)));
        List<String> problems = new ArrayList<>();
        for (SafeTensors.Entry e : header.entries()) {
            if (!e.name().startsWith(ModelFile.OPTIMIZER_PREFIX)) continue;
            String key = e.name().substring(ModelFile.OPTIMIZER_PREFIX.length());
            int dot = key.indexOf('.');
            Tensor param = dot <= 0 ? null : expectedModel.get(key.substring(dot + 1));
            if (param == null)
                problems.add("unexpected: " + e.name() + " " + Arrays.toString(e.shape()) + " (optimizer state of no model tensor)");
            else if (e.shape().length != 0 && !Arrays.equals(e.shape(), param.shape()))
                problems.add(e.name() + ": file has " + Arrays.toString(e.shape()) + ", parameter " + key.substring(dot + 1) + " has "
                        + Arrays.toString(param.shape()));
        }
        if (!problems.isEmpty()) throw new StateDictMismatchException(file, problems);
    }

    /**
     * What a checkpoint holds besides its tensors, read from its header alone.
     *
     * @param info             the model's spec, name and extra metadata
     * @param epoch            the last completed epoch, as saved
     * @param step             completed optimizer steps
     * @param rngSeed          the run's seed
     * @param optimizerJson    the optimizer's configuration
     * @param scheduleJson     the schedule and its state
     * @param optimizerTensors the number of optimizer state tensors ({@code optimizer.*}); 0 for an optimizer that
     *                         keeps none (plain SGD) or a checkpoint stripped of its optimizer state
     */
    public record Summary(ModelInfo info, int epoch, long step, long rngSeed, String optimizerJson, String scheduleJson, int optimizerTensors) {}

    /** The {@link Summary} of a checkpoint, from its header alone. */
    public static Summary summary(Path file) throws IOException {
        return summary(file, SafeTensors.readHeader(file));
    }

    private static Summary summary(Path file, SafeTensors.Header header) throws ModelFileException {
        Map<String, String> meta = header.metadata();
        ModelInfo info = ModelFile.info(file, meta);
        long epoch = number(file, meta, EPOCH_KEY);
        long step = number(file, meta, STEP_KEY);
        if (epoch < 0 || epoch > Integer.MAX_VALUE)
            throw new ModelFileException(file, "metadata \"" + EPOCH_KEY + "\" = " + epoch + " is not a valid epoch");
        if (step < 0)
            throw new ModelFileException(file, "metadata \"" + STEP_KEY + "\" = " + step + " is negative");
        number(file, meta, RNG_COUNTER_KEY);
        int optimizerTensors = 0;
        for (SafeTensors.Entry e : header.entries()) if (e.name().startsWith(ModelFile.OPTIMIZER_PREFIX)) optimizerTensors++;
        return new Summary(info, (int) epoch, step, number(file, meta, RNG_SEED_KEY), text(file, meta, OPTIMIZER_KEY), text(file, meta, SCHEDULE_KEY),
                optimizerTensors);
    }

    private static Checkpoint of(Path file, SafeTensors.Contents contents) throws ModelFileException {
        Map<String, String> meta = contents.metadata();
        ModelInfo info = ModelFile.info(file, meta);
        Map<String, Tensor> model = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith(ModelFile.OPTIMIZER_PREFIX)) optimizer.put(name.substring(ModelFile.OPTIMIZER_PREFIX.length()), t);
            else model.put(name, t);
        });
        return new Checkpoint(model, optimizer, info, (int) number(file, meta, EPOCH_KEY), number(file, meta, STEP_KEY), number(file, meta, RNG_SEED_KEY),
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
