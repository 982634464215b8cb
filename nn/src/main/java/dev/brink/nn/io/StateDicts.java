package dev.brink.nn.io;

import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.Backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Matching a state dict read from a file against the tensors of a model (parameters and buffers by name, e.g.
 * {@code layers.0.weight}, {@code layers.1.running_mean}), and copying it in.
 */
public final class StateDicts {
    private StateDicts() {}

    /**
     * Every difference between what the model expects and what was loaded, one line each: first missing names,
     * then unexpected names, then shape mismatches, then dtype mismatches, each group sorted by name. Empty when
     * the two agree in names, shapes and dtypes.
     */
    public static List<String> problems(Map<String, Tensor> expected, Map<String, Tensor> loaded) {
        return diff(expected, loaded).all();
    }

    private record Diff(List<String> missing, List<String> unexpected, List<String> shapes, List<String> dtypes) {
        List<String> all() {
            List<String> all = new ArrayList<>(missing);
            all.addAll(unexpected);
            all.addAll(shapes);
            all.addAll(dtypes);
            return all;
        }
    }

    private static Diff diff(Map<String, Tensor> expected, Map<String, Tensor> loaded) {
        Diff d = new Diff(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (String name : expected.keySet().stream().sorted().toList()) {
            Tensor want = expected.get(name), got = loaded.get(name);
            if (got == null) {
                d.missing().add("missing: " + name + " " + Arrays.toString(want.shape()) + " " + want.dtype().label());
                continue;
            }
            if (!Arrays.equals(want.shape(), got.shape()))
                d.shapes().add(name + ": file has " + Arrays.toString(got.shape()) + ", model expects " + Arrays.toString(want.shape()));
            if (want.dtype() != got.dtype())
                d.dtypes().add(name + ": file has dtype " + got.dtype().label() + ", model expects " + want.dtype().label());
        }
        for (String name : loaded.keySet().stream().sorted().toList())
            if (!expected.containsKey(name)) {
                Tensor got = loaded.get(name);
                d.unexpected().add("unexpected: " + name + " " + Arrays.toString(got.shape()) + " " + got.dtype().label());
            }
        return d;
    }

    /**
     * Checks that {@code loaded} (read from {@code file}) has exactly the names, shapes and dtypes of
     * {@code expected}.
     *
     * @throws StateDictMismatchException listing every problem at once (see {@link #problems}), e.g.
     *                                    {@code layers.0.weight: file has [32, 1, 5, 5], model expects [32, 3, 5, 5]}
     */
    public static void check(Path file, Map<String, Tensor> expected, Map<String, Tensor> loaded) throws StateDictMismatchException {
        List<String> problems = problems(expected, loaded);
        if (!problems.isEmpty()) throw new StateDictMismatchException(file, problems);
    }

    /**
     * Overwrites every tensor of {@code expected} in place with the loaded tensor of the same name, outside the
     * autodiff graph (parameters keep their identity and their {@code requiresGrad} flag). Values are converted to
     * the target's dtype, and moved to the target's backend when they live elsewhere. Call {@link #check} first
     * for a message naming the file; this method only refuses what it cannot do.
     *
     * @throws IllegalArgumentException if the names differ or a shape differs (nothing is copied then)
     */
    public static void copyInto(Map<String, Tensor> expected, Map<String, Tensor> loaded) {
        Diff d = diff(expected, loaded);
        List<String> blocking = new ArrayList<>(d.missing());
        blocking.addAll(d.unexpected());
        blocking.addAll(d.shapes());
        if (!blocking.isEmpty())
            throw new IllegalArgumentException("state dict does not match the model:\n  " + String.join("\n  ", blocking));
        try (var scope = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Tensor target = e.getValue(), source = loaded.get(e.getKey());
                Backend backend = target.backend();
                if (source.backend() != backend)
                    source = Tensor.fromHost(backend, target.dtype(), source.toDoubleArray(), source.shape());
                target.assign(source);
            }
        }
    }
}
