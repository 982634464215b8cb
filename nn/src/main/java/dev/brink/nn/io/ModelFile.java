package dev.brink.nn.io;

import dev.brink.engine.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A trained model on disk: one safetensors file (see {@link SafeTensors}) whose tensors are the model's parameters
 * and buffers under their names ({@code layers.0.weight}, {@code layers.1.running_mean}, ...) and whose
 * {@code __metadata__} holds
 * <ul>
 *   <li>{@code brink.format}: {@value #FORMAT_VERSION}, the version of this layout;</li>
 *   <li>{@code brink.spec}: the architecture as a JSON string ({@link ModelInfo#spec()});</li>
 *   <li>{@code brink.model}: the zoo model name, or {@code ""} ({@link ModelInfo#model()});</li>
 *   <li>any free-form entries of {@link ModelInfo#extra()} (by convention {@code brink.*}).</li>
 * </ul>
 * Being plain safetensors, the file opens in PyTorch ({@code safetensors.torch.load_file}) and any other reader.
 * A {@link Checkpoint} is a model file with more in it, so {@link #load} also accepts checkpoints (it skips the
 * {@code optimizer.*} tensors without reading them, and the checkpoint metadata).
 *
 * @param state the tensors by name (header order: ascending names); unmodifiable
 * @param info  the spec, model name and extra metadata
 */
public record ModelFile(Map<String, Tensor> state, ModelInfo info) {
    /** Metadata key of the format version. */
    public static final String FORMAT_KEY = "brink.format";
    /** Metadata key of the architecture JSON. */
    public static final String SPEC_KEY = "brink.spec";
    /** Metadata key of the zoo model name. */
    public static final String MODEL_KEY = "brink.model";
    /** The format version this class writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /** Tensor-name prefix reserved for a checkpoint's optimizer state. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";

    public ModelFile {
        Objects.requireNonNull(info, "info");
        state = Collections.unmodifiableMap(new LinkedHashMap<>(state));
    }

    /**
     * Writes {@code state} and {@code info} to {@code file} atomically (an existing file is replaced only once the
     * new one is complete on disk).
     *
     * @param state the model's parameters and buffers by name (float32, float64 or int32, any backend)
     * @throws IllegalArgumentException if a name starts with {@value #OPTIMIZER_PREFIX} (reserved for checkpoints)
     */
    public static void save(Path file, Map<String, Tensor> state, ModelInfo info) throws IOException {
        checkModelNames(state);
        SafeTensors.write(file, state, metadata(info));
    }

    /**
     * Reads a model file, or the model part of a checkpoint.
     *
     * @throws ModelFileException if the file is not valid safetensors, or lacks {@code brink.format} /
     *                            {@code brink.spec}, or has a format version other than {@value #FORMAT_VERSION}
     */
    public static ModelFile load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file, name -> !name.startsWith(OPTIMIZER_PREFIX));
        return new ModelFile(contents.tensors(), info(file, contents.metadata()));
    }

    /**
     * Reads a model file, or the model part of a checkpoint, that must hold exactly the tensors of {@code expected}
     * (names, shapes and dtypes, as {@link StateDicts#check} compares them). The check runs on the header alone, so
     * a file with a missing, unexpected or misshapen tensor is refused, every mismatch listed, before any tensor
     * data is read or allocated; {@code expected} may be stand-ins ({@link dev.brink.nn.spec.SpecPlan#standIns}).
     *
     * @throws StateDictMismatchException listing every mismatch, naming the file
     * @throws ModelFileException         for a file that is not a valid Brink model file
     */
    public static ModelFile load(Path file, Map<String, Tensor> expected) throws IOException {
        Objects.requireNonNull(expected, "expected");
        SafeTensors.Contents contents = SafeTensors.readSelected(file, header -> {
            info(file, header.metadata());
            StateDicts.check(file, expected, HeaderTensors.standIns(file, header, name -> !name.startsWith(OPTIMIZER_PREFIX)));
            return expected::containsKey;
        });
        return new ModelFile(contents.tensors(), info(file, contents.metadata()));
    }

    /** The info (spec, model name, extra metadata) of a model file or checkpoint, from its header alone. */
    public static ModelInfo readInfo(Path file) throws IOException {
        return info(file, SafeTensors.readHeader(file).metadata());
    }

    /**
     * Loads {@code file} into a model's tensors in place: checks its header against {@code target} with
     * {@link StateDicts#check} (every mismatch reported at once, naming the file, before any tensor is read), then
     * reads it and copies the values in with {@link StateDicts#copyInto}. Nothing is copied when the check fails.
     *
     * @param target the model's parameters and buffers by name
     * @return the file's info (spec, model name, extra metadata)
     */
    public static ModelInfo loadInto(Path file, Map<String, Tensor> target) throws IOException {
        ModelFile loaded = load(file, target);
        StateDicts.copyInto(target, loaded.state());
        return loaded.info();
    }

    // ------------------------------------------------------------------ shared with Checkpoint

    private static final Set<String> RESERVED = Set.of(FORMAT_KEY, SPEC_KEY, MODEL_KEY,
            Checkpoint.EPOCH_KEY, Checkpoint.STEP_KEY, Checkpoint.RNG_SEED_KEY, Checkpoint.RNG_COUNTER_KEY,
            Checkpoint.OPTIMIZER_KEY, Checkpoint.SCHEDULE_KEY);

    /**
     * True for the metadata keys this format and {@link Checkpoint} define ({@code brink.format}, {@code brink.spec},
     * {@code brink.model}, {@code brink.epoch}, ...): not allowed as {@link ModelInfo#extra()} keys.
     */
    public static boolean isReserved(String key) {
        return RESERVED.contains(key);
    }

    static void checkModelNames(Map<String, Tensor> state) {
        Objects.requireNonNull(state, "state");
        for (String name : state.keySet())
            if (name != null && name.startsWith(OPTIMIZER_PREFIX))
                throw new IllegalArgumentException("model tensor '" + name + "': names starting with \"" + OPTIMIZER_PREFIX
                        + "\" are reserved for optimizer state in checkpoints");
    }

    static Map<String, String> metadata(ModelInfo info) {
        Map<String, String> m = new TreeMap<>(info.extra());
        m.put(FORMAT_KEY, FORMAT_VERSION);
        m.put(SPEC_KEY, info.spec());
        m.put(MODEL_KEY, info.model());
        return m;
    }

    static ModelInfo info(Path file, Map<String, String> metadata) throws ModelFileException {
        String format = metadata.get(FORMAT_KEY);
        if (format == null)
            throw new ModelFileException(file, "not a Brink model file: no \"" + FORMAT_KEY + "\" in the metadata"
                    + " (a plain safetensors file can be read with SafeTensors.read)");
        if (!format.equals(FORMAT_VERSION))
            throw new ModelFileException(file, "unsupported " + FORMAT_KEY + " \"" + format + "\" (this version reads \""
                    + FORMAT_VERSION + "\")");
        String spec = metadata.get(SPEC_KEY);
        if (spec == null)
            throw new ModelFileException(file, "Brink model file without \"" + SPEC_KEY + "\" in the metadata");
        Map<String, String> extra = new TreeMap<>();
        metadata.forEach((k, v) -> {
            if (!isReserved(k)) extra.put(k, v);
        });
        return new ModelInfo(spec, metadata.getOrDefault(MODEL_KEY, ""), extra);
    }
}
