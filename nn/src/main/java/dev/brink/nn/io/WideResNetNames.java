package dev.brink.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@link NameScheme#ROBUSTBENCH_WRN}: the names of the WideResNet in RobustBench's model zoo and the TRADES code
 * mapped onto a spec of the zoo's {@code wrn-D-W} shape, found by walking the spec:
 * <pre>
 * conv1                          -> the first top-level conv2d
 * blockG.layer.J (in order G, J) -> the residual layers, in order
 *   where the block changes width (pre-activation before the split, a 1x1 shortcut):
 *     bn1 -> the top-level batchnorm2d two layers before the residual (batchnorm2d, relu, residual)
 *     conv1, conv2 / bn2 -> the body's conv2d layers / its batchnorm2d;  convShortcut -> shortcut.0
 *   elsewhere (identity shortcut): bn1, bn2 / conv1, conv2 -> the body's batchnorm2d / conv2d layers
 * bn1, fc                        -> the top-level batchnorm2d after the last residual, the last linear
 * </pre>
 * The {@code sub_block1} that some of these checkpoints carry (built but never called in {@code forward}) is
 * ignored.
 */
final class WideResNetNames {
    private static final Pattern BLOCK = Pattern.compile("block(\\d+)\\.layer\\.(\\d+)\\.");
    private static final String UNUSED = "sub_block1.";

    private WideResNetNames() {}

    static Map<String, Tensor> map(Map<String, Tensor> s, JsonNode spec, Map<String, Tensor> expected, List<String> notes) {
        Map<String, Tensor> used = new LinkedHashMap<>();
        s.forEach((k, v) -> {
            if (!k.startsWith(UNUSED)) used.put(k, v);
        });
        if (used.size() < s.size()) notes.add("ignored " + (s.size() - used.size()) + " tensors of sub_block1 (unused in the WideResNet's forward)");
        JsonNode layers = spec.path("layers");
        List<String> types = ModuleRenames.types(layers);
        List<Integer> res = ModuleRenames.all(types, "residual");
        if (res.isEmpty()) {
            notes.add("the spec has no residual layers, so it cannot hold a WideResNet");
            return used;
        }
        Map<String, String> modules = new LinkedHashMap<>();
        int stem = ModuleRenames.first(types, "conv2d", 0, res.get(0));
        int lastRes = res.get(res.size() - 1);
        int finalBn = ModuleRenames.first(types, "batchnorm2d", lastRes + 1, types.size());
        int head = ModuleRenames.last(types, "linear", lastRes + 1, types.size());
        if (stem >= 0) modules.put("conv1", "layers." + stem);
        if (finalBn >= 0) modules.put("bn1", "layers." + finalBn);
        if (head >= 0) modules.put("fc", "layers." + head);
        List<int[]> blocks = ModuleRenames.blocks(used.keySet(), BLOCK);
        if (blocks.size() != res.size())
            notes.add("the file has " + blocks.size() + " residual blocks (blockG.layer.J), the spec " + res.size() + " residual layers");
        for (int k = 0; k < Math.min(blocks.size(), res.size()); k++) {
            String from = "block" + blocks.get(k)[0] + ".layer." + blocks.get(k)[1];
            int r = res.get(k);
            String to = "layers." + r;
            JsonNode body = layers.get(r).path("body");
            boolean preActivated = r >= 2 && types.get(r - 2).equals("batchnorm2d") && types.get(r - 1).equals("relu")
                    && body.size() > 0 && body.get(0).path("type").asText().equals("conv2d");
            int convs = 0, bns = 0;
            if (preActivated) modules.put(from + ".bn" + (++bns), "layers." + (r - 2));
            for (int j = 0; j < body.size(); j++) {
                String t = body.get(j).path("type").asText();
                if (t.equals("conv2d")) modules.put(from + ".conv" + (++convs), to + ".body." + j);
                else if (t.equals("batchnorm2d")) modules.put(from + ".bn" + (++bns), to + ".body." + j);
            }
            JsonNode sc = layers.get(r).path("shortcut");
            for (int j = 0; j < sc.size(); j++)
                if (sc.get(j).path("type").asText().equals("conv2d")) modules.put(from + ".convShortcut", to + ".shortcut." + j);
        }
        return ModuleRenames.apply(used, modules, notes);
    }
}
