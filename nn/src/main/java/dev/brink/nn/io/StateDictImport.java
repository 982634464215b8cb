package dev.brink.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renames a state dict written by another framework (PyTorch's {@code state_dict()}, saved as safetensors) to the
 * names of a Brink model built from a spec, in this order:
 * <ol>
 *   <li>PyTorch's batch-norm counters ({@code *.num_batches_tracked}) are dropped: Brink does not keep them.</li>
 *   <li>The prefix of {@link ImportOptions#prefix} is stripped; without one, a first name component shared by every
 *       tensor ({@code module.} of {@code DataParallel}, {@code model.}, ...) is stripped when no model name starts
 *       with it.</li>
 *   <li>The {@link ImportOptions#renames} are applied.</li>
 *   <li>The names are translated by the {@link NameScheme} ({@link SequentialNames}, {@link ResNetNames},
 *       {@link WideResNetNames}).</li>
 * </ol>
 * The result is then checked against the model: any missing, unexpected or misshapen tensor fails the import with a
 * {@link StateDictMismatchException} listing each one, followed by what the import did to the names.
 */
public final class StateDictImport {
    private static final String BN_COUNTER = "num_batches_tracked";
    private static final Pattern SEQUENTIAL = Pattern.compile("(layers\\.)?\\d+\\..*");
    private static final Pattern RESNET = Pattern.compile("layer\\d+\\.\\d+\\..*");
    private static final Pattern WRN = Pattern.compile("block\\d+\\.layer\\.\\d+\\..*");

    private StateDictImport() {}

    /**
     * The renamed state dict and what was done to the names.
     *
     * @param state  the tensors under the model's names, exactly the model's names, shapes and dtypes
     * @param scheme the scheme that was applied (never {@link NameScheme#AUTO})
     * @param notes  one line per step that changed names, e.g. {@code stripped the prefix "module."}
     */
    public record Result(Map<String, Tensor> state, NameScheme scheme, List<String> notes) {
        public Result {
            state = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(state));
            notes = List.copyOf(notes);
        }
    }

    /**
     * Renames {@code loaded} (read from {@code file}) to fit {@code expected}, the state dict of the model built from
     * {@code spec}.
     *
     * @throws StateDictMismatchException if the renamed tensors do not match the model's names and shapes exactly;
     *                                    the message lists every problem and then the renaming steps taken
     */
    public static Result adapt(Path file, JsonNode spec, Map<String, Tensor> expected, Map<String, Tensor> loaded, ImportOptions opt)
            throws StateDictMismatchException {
        List<String> notes = new ArrayList<>();
        Map<String, Tensor> s = dropCounters(loaded, expected, notes);
        s = stripPrefix(s, expected, opt.prefix(), notes);
        s = rename(s, opt.renames(), notes);
        NameScheme scheme = opt.scheme() == NameScheme.AUTO ? detect(s, expected) : opt.scheme();
        if (scheme != NameScheme.BRINK) notes.add("names read as " + scheme.label());
        s = switch (scheme) {
            case BRINK, AUTO -> s;
            case SEQUENTIAL -> SequentialNames.map(s, expected, notes);
            case TORCHVISION_RESNET -> ResNetNames.map(s, spec, expected, notes);
            case ROBUSTBENCH_WRN -> WideResNetNames.map(s, spec, expected, notes);
        };
        List<String> problems = StateDicts.problems(expected, s);
        if (!problems.isEmpty()) throw new StateDictMismatchException(file, problems, notes);
        return new Result(s, scheme, notes);
    }

    /** The scheme whose names {@code names} has: Brink's when they already fit, else by telltale names. */
    static NameScheme detect(Map<String, Tensor> names, Map<String, Tensor> expected) {
        if (names.keySet().equals(expected.keySet())) return NameScheme.BRINK;
        if (!names.isEmpty() && names.keySet().stream().allMatch(k -> SEQUENTIAL.matcher(k).matches())) return NameScheme.SEQUENTIAL;
        if (names.keySet().stream().anyMatch(k -> RESNET.matcher(k).matches())) return NameScheme.TORCHVISION_RESNET;
        if (names.keySet().stream().anyMatch(k -> WRN.matcher(k).matches())) return NameScheme.ROBUSTBENCH_WRN;
        return NameScheme.BRINK;
    }

    private static Map<String, Tensor> dropCounters(Map<String, Tensor> loaded, Map<String, Tensor> expected, List<String> notes) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int dropped = 0;
        for (Map.Entry<String, Tensor> e : loaded.entrySet()) {
            String k = e.getKey();
            if ((k.equals(BN_COUNTER) || k.endsWith("." + BN_COUNTER)) && !expected.containsKey(k)) dropped++;
            else out.put(k, e.getValue());
        }
        if (dropped > 0) notes.add("ignored " + dropped + " batch-norm counter" + (dropped == 1 ? "" : "s") + " (*." + BN_COUNTER + ")");
        return out;
    }

    private static Map<String, Tensor> stripPrefix(Map<String, Tensor> s, Map<String, Tensor> expected, String prefix, List<String> notes)
            throws StateDictMismatchException {
        if (prefix == null) {
            String common = commonFirstComponent(s);
            if (common == null || common.matches("\\d+") || expected.keySet().stream().anyMatch(k -> k.startsWith(common + ".")))
                return s;
            prefix = common + ".";
            notes.add("stripped the prefix \"" + prefix + "\" shared by every tensor");
        } else {
            if (prefix.isEmpty()) return s;
            String p = prefix;
            long n = s.keySet().stream().filter(k -> k.startsWith(p)).count();
            if (n == 0) notes.add("no tensor name starts with the prefix \"" + prefix + "\"");
            else notes.add("stripped the prefix \"" + prefix + "\" from " + n + " of " + s.size() + " tensors");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            String k = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey();
            put(out, k, e.getValue(), e.getKey());
        }
        return out;
    }

    private static String commonFirstComponent(Map<String, Tensor> s) {
        String common = null;
        for (String k : s.keySet()) {
            int dot = k.indexOf('.');
            if (dot <= 0) return null;
            String first = k.substring(0, dot);
            if (common == null) common = first;
            else if (!common.equals(first)) return null;
        }
        return common;
    }

    private static Map<String, Tensor> rename(Map<String, Tensor> s, List<ImportOptions.Rename> rules, List<String> notes) {
        if (rules.isEmpty()) return s;
        Map<String, Tensor> out = new LinkedHashMap<>();
        int[] used = new int[rules.size()];
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            String k = e.getKey();
            for (int i = 0; i < rules.size(); i++) {
                String r = rules.get(i).apply(k);
                if (r != null) {
                    k = r;
                    used[i]++;
                    break;
                }
            }
            put(out, k, e.getValue(), e.getKey());
        }
        for (int i = 0; i < rules.size(); i++)
            notes.add("rename " + rules.get(i).from() + "=" + rules.get(i).to() + ": " + (used[i] == 0 ? "matched no tensor" : "renamed " + used[i]));
        return out;
    }

    /** Adds {@code name}, refusing a second tensor under the same name (two originals renamed alike). */
    static void put(Map<String, Tensor> out, String name, Tensor t, String original) {
        if (out.putIfAbsent(name, t) != null)
            throw new IllegalArgumentException("renaming gives two tensors the name '" + name + "' (the second from '" + original + "')");
    }
}
