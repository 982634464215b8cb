package dev.brink.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@link NameScheme#TORCHVISION_RESNET}: torchvision's ResNet names mapped onto a spec of the zoo's ResNet shape
 * (stem conv, batch norm, residual layers, global average pool, linear), found by walking the spec:
 * <pre>
 * conv1, bn1                       -> the first top-level conv2d and the batchnorm2d after it
 * layerS.B (in order S, B)         -> the residual layers, in order
 * layerS.B.convI / .bnI            -> the I-th conv2d / batchnorm2d of that residual's body
 * layerS.B.downsample.J            -> its shortcut.J  (also layerS.B.shortcut.J, as in the common CIFAR code)
 * fc (or linear)                   -> the last top-level linear
 * </pre>
 * torchvision's ImageNet ResNet has a 7x7 stride-2 stem and a max-pool; the zoo's {@code resnet18} is the CIFAR
 * variant (3x3 stem, no max-pool): such a file fails on {@code conv1.weight}'s shape with a note saying so, and
 * imports with a spec that has that stem.
 */
final class ResNetNames {
    private static final Pattern BLOCK = Pattern.compile("layer(\\d+)\\.(\\d+)\\.");

    private ResNetNames() {}

    static Map<String, Tensor> map(Map<String, Tensor> s, JsonNode spec, Map<String, Tensor> expected, List<String> notes) {
        JsonNode layers = spec.path("layers");
        List<String> types = ModuleRenames.types(layers);
        List<Integer> res = ModuleRenames.all(types, "residual");
        if (res.isEmpty()) {
            notes.add("the spec has no residual layers, so it cannot hold a ResNet");
            return s;
        }
        Map<String, String> modules = new LinkedHashMap<>();
        int stem = ModuleRenames.first(types, "conv2d", 0, res.get(0));
        int stemBn = ModuleRenames.first(types, "batchnorm2d", stem + 1, res.get(0));
        int head = ModuleRenames.last(types, "linear", res.get(res.size() - 1) + 1, types.size());
        if (stem >= 0) modules.put("conv1", "layers." + stem);
        if (stemBn >= 0) modules.put("bn1", "layers." + stemBn);
        if (head >= 0) {
            modules.put("fc", "layers." + head);
            modules.put("linear", "layers." + head);
        }
        List<int[]> blocks = ModuleRenames.blocks(s.keySet(), BLOCK);
        if (blocks.size() != res.size())
            notes.add("the file has " + blocks.size() + " residual blocks (layerS.B), the spec " + res.size() + " residual layers");
        for (int k = 0; k < Math.min(blocks.size(), res.size()); k++) {
            String from = "layer" + blocks.get(k)[0] + "." + blocks.get(k)[1];
            String to = "layers." + res.get(k);
            JsonNode body = layers.get(res.get(k)).path("body");
            int convs = 0, bns = 0;
            for (int j = 0; j < body.size(); j++) {
                String t = body.get(j).path("type").asText();
                if (t.equals("conv2d")) modules.put(from + ".conv" + (++convs), to + ".body." + j);
                else if (t.equals("batchnorm2d")) modules.put(from + ".bn" + (++bns), to + ".body." + j);
            }
            for (int j = 0; j < layers.get(res.get(k)).path("shortcut").size(); j++) {
                modules.put(from + ".downsample." + j, to + ".shortcut." + j);
                modules.put(from + ".shortcut." + j, to + ".shortcut." + j);
            }
        }
        stemNote(s, expected, stem, notes);
        return ModuleRenames.apply(s, modules, notes);
    }

    private static void stemNote(Map<String, Tensor> s, Map<String, Tensor> expected, int stem, List<String> notes) {
        Tensor file = s.get("conv1.weight"), model = stem >= 0 ? expected.get("layers." + stem + ".weight") : null;
        if (file == null || model == null || Arrays.equals(file.shape(), model.shape())) return;
        String msg = "the file's stem conv1.weight is " + Arrays.toString(file.shape()) + ", the spec's " + Arrays.toString(model.shape());
        if (file.shape().length == 4 && file.shape()[2] == 7)
            msg += ": this is torchvision's ImageNet ResNet (7x7 stride-2 stem and a 3x3 max-pool), while the zoo's resnet18 is the"
                    + " CIFAR variant (3x3 stem, no max-pool); import it with a spec whose stem is conv2d 7x7 stride 2 padding 3,"
                    + " batchnorm2d, relu, maxpool2d 3 stride 2 padding 1";
        notes.add(msg);
    }
}
