package dev.brink.nn.io;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a model file says about its model, besides the tensors.
 *
 * @param spec  the architecture as a JSON string ({@code brink.spec}); opaque to the I/O layer, interpreted by the
 *              model builder
 * @param model the zoo model name ({@code brink.model}), or {@code ""} for a model built from a spec alone
 * @param extra further free-form string metadata, stored under its keys as given (by convention
 *              {@code brink.*}, e.g. {@code brink.dataset}, {@code brink.accuracy}); sorted by key and
 *              unmodifiable. Must not use the keys reserved by {@link ModelFile} and {@link Checkpoint}.
 */
public record ModelInfo(String spec, String model, Map<String, String> extra) {
    /**
     * @throws IllegalArgumentException if an extra key is reserved ({@code brink.format}, {@code brink.spec},
     *                                  {@code brink.model} or a checkpoint key such as {@code brink.epoch})
     */
    public ModelInfo {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(extra, "extra");
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException("extra metadata with a null key or value: " + e.getKey() + " = " + e.getValue());
            if (ModelFile.isReserved(e.getKey()))
                throw new IllegalArgumentException("extra metadata key \"" + e.getKey() + "\" is reserved for the file format");
            copy.put(e.getKey(), e.getValue());
        }
        extra = Collections.unmodifiableMap(copy);
    }

    /** Info without extra metadata. */
    public ModelInfo(String spec, String model) {
        this(spec, model, Map.of());
    }

    /** A copy with one more (or a replaced) extra entry. */
    public ModelInfo withExtra(String key, String value) {
        TreeMap<String, String> copy = new TreeMap<>(extra);
        copy.put(key, value);
        return new ModelInfo(spec, model, copy);
    }
}
