package dev.brink.nn.io;

import dev.brink.engine.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link NameScheme#SEQUENTIAL}: a PyTorch {@code nn.Sequential}'s names ({@code 0.weight}, {@code 1.running_mean})
 * become Brink's ({@code layers.0.weight}, ...). Where the file's layer indices still differ from the model's, the
 * layers that hold tensors are paired in order, provided both sides have as many such layers and each pair holds the
 * same tensor names: {@code AdaptiveAvgPool2d(1)} + {@code Flatten} (two PyTorch modules) against one
 * {@code global_avgpool}, or a PyTorch {@code Flatten} the spec does without, shift every later index by one.
 */
final class SequentialNames {
    private static final Pattern LAYER = Pattern.compile("layers\\.(\\d+)\\.(.+)");
    private static final Pattern BARE = Pattern.compile("\\d+\\..+");

    private SequentialNames() {}

    static Map<String, Tensor> map(Map<String, Tensor> s, Map<String, Tensor> expected, List<String> notes) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        int prefixed = 0;
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            String k = e.getKey();
            if (BARE.matcher(k).matches()) {
                k = "layers." + k;
                prefixed++;
            }
            StateDictImport.put(named, k, e.getValue(), e.getKey());
        }
        if (prefixed > 0) notes.add("prefixed " + prefixed + " nn.Sequential names with \"layers.\" (0.weight -> layers.0.weight)");

        TreeMap<Integer, Map<String, Tensor>> file = groups(named), model = groups(expected);
        if (file.keySet().equals(model.keySet())) return named;
        List<Integer> fi = new ArrayList<>(file.keySet()), mi = new ArrayList<>(model.keySet());
        if (fi.size() != mi.size()) {
            notes.add("cannot pair layers: the file has tensors for " + fi.size() + " layers " + fi + ", the spec's model for "
                    + mi.size() + " layers " + mi);
            return named;
        }
        Map<Integer, Integer> pairs = new TreeMap<>();
        for (int i = 0; i < fi.size(); i++) {
            Set<String> a = new TreeSet<>(file.get(fi.get(i)).keySet()), b = new TreeSet<>(model.get(mi.get(i)).keySet());
            if (!a.equals(b)) {
                notes.add("cannot pair layers: the file's layer " + fi.get(i) + " holds " + a + ", the spec's layer " + mi.get(i) + " holds " + b);
                return named;
            }
            if (!fi.get(i).equals(mi.get(i))) pairs.put(fi.get(i), mi.get(i));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : named.entrySet()) {
            Matcher m = LAYER.matcher(e.getKey());
            String k = e.getKey();
            if (m.matches() && pairs.containsKey(Integer.parseInt(m.group(1))))
                k = "layers." + pairs.get(Integer.parseInt(m.group(1))) + "." + m.group(2);
            StateDictImport.put(out, k, e.getValue(), e.getKey());
        }
        StringBuilder sb = new StringBuilder("layer indices paired in order (file -> spec):");
        pairs.forEach((a, b) -> sb.append(' ').append(a).append("->").append(b));
        notes.add(sb + " (e.g. AdaptiveAvgPool2d(1) + Flatten in PyTorch against one global_avgpool)");
        return out;
    }

    /** Tensors of {@code layers.<i>.*} grouped by i, each group by the rest of the name. */
    private static TreeMap<Integer, Map<String, Tensor>> groups(Map<String, Tensor> s) {
        TreeMap<Integer, Map<String, Tensor>> g = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : s.entrySet()) {
            Matcher m = LAYER.matcher(e.getKey());
            if (m.matches()) g.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new TreeMap<>()).put(m.group(2), e.getValue());
        }
        return g;
    }
}
