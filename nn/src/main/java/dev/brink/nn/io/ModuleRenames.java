package dev.brink.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared by {@link ResNetNames} and {@link WideResNetNames}: walking a spec's top-level layers, collecting the
 * residual blocks a file names, and renaming tensors module by module ({@code layer1.0.conv1.weight}: the module
 * {@code layer1.0.conv1} is looked up, the leaf {@code weight} kept).
 */
final class ModuleRenames {
    private ModuleRenames() {}

    /** The spec's top-level layer types, in order. */
    static List<String> types(JsonNode layers) {
        List<String> t = new ArrayList<>();
        for (JsonNode l : layers) t.add(l.path("type").asText());
        return t;
    }

    /** Index of the first layer of {@code type} in [from, to), or -1. */
    static int first(List<String> types, String type, int from, int to) {
        for (int i = Math.max(0, from); i < Math.min(to, types.size()); i++) if (types.get(i).equals(type)) return i;
        return -1;
    }

    /** Index of the last layer of {@code type} in [from, to), or -1. */
    static int last(List<String> types, String type, int from, int to) {
        for (int i = Math.min(to, types.size()) - 1; i >= Math.max(0, from); i--) if (types.get(i).equals(type)) return i;
        return -1;
    }

    /** Indices of every layer of {@code type}. */
    static List<Integer> all(List<String> types, String type) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) if (types.get(i).equals(type)) r.add(i);
        return r;
    }

    /**
     * The blocks named in {@code names} by {@code block} (two numeric groups, e.g. {@code layer(\d+)\.(\d+)\.}),
     * sorted numerically: {@code {1, 0}, {1, 1}, {2, 0}, ...}.
     */
    static List<int[]> blocks(Iterable<String> names, Pattern block) {
        TreeSet<int[]> found = new TreeSet<>(Comparator.<int[]>comparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
        for (String k : names) {
            Matcher m = block.matcher(k);
            if (m.lookingAt()) found.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        }
        return new ArrayList<>(found);
    }

    /** Renames each tensor whose module (the name without its last component) is a key of {@code modules}. */
    static Map<String, Tensor> apply(Map<String, Tensor> s, Map<String, String> modules, List<String> notes) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int renamed = 0;
        List<String> left = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            String k = e.getKey();
            int dot = k.lastIndexOf('.');
            String to = dot > 0 ? modules.get(k.substring(0, dot)) : null;
            if (to != null) {
                k = to + k.substring(dot);
                renamed++;
            } else {
                left.add(k);
            }
            StateDictImport.put(out, k, e.getValue(), e.getKey());
        }
        notes.add("renamed " + renamed + " of " + s.size() + " tensors" + (left.isEmpty() ? "" : "; no counterpart in the spec for "
                + (left.size() > 6 ? left.subList(0, 6) + " and " + (left.size() - 6) + " more" : left)));
        return out;
    }
}
