package dev.brink.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch state dicts renamed onto spec models: prefixes, renames, batch-norm counters, nn.Sequential index shifts,
 * torchvision ResNet and RobustBench WideResNet names. Each foreign state dict is made in the test from the model's
 * own tensors under the foreign names (a table written out here, independently of the code under test), so a
 * correct import must give back every model tensor, the very same object, under its Brink name.
 */
class StateDictImportTest {
    private static final Path FILE = Path.of("runs", "torch.safetensors");

    /** conv-bn-relu, AdaptiveAvgPool2d(1) + Flatten in PyTorch (indices 3, 4) vs global_avgpool here (3), linear. */
    private static final String CNN = "{\"input\":[1,6,6],\"layers\":[{\"type\":\"conv2d\",\"out\":4,\"kernel\":3,\"padding\":1},"
            + "{\"type\":\"batchnorm2d\"},{\"type\":\"relu\"},{\"type\":\"global_avgpool\"},{\"type\":\"linear\",\"out\":3}]}";

    private record Model(JsonNode spec, Map<String, Tensor> state) {}

    private static Model spec(String json) {
        JsonNode spec = ModelSpec.parse(json);
        SpecModel m = ModelSpec.build(spec, new Generator(1));
        return new Model(spec, m.stateDict());
    }

    private static Model zoo(String name, Zoo.Options opt) {
        JsonNode spec = Zoo.spec(name, opt);
        return new Model(spec, ModelSpec.build(spec, new Generator(1)).stateDict());
    }

    /** The model's tensors under {@code rename(name)}, plus a PyTorch counter for every batch norm. */
    private static Map<String, Tensor> foreign(Model m, UnaryOperator<String> rename) {
        Map<String, Tensor> f = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.state().entrySet()) {
            String to = rename.apply(e.getKey());
            f.put(to, e.getValue());
            if (to.endsWith(".running_mean"))
                f.put(to.substring(0, to.length() - "running_mean".length()) + "num_batches_tracked", Tensor.zeros(DType.INT32));
        }
        return f;
    }

    private static StateDictImport.Result adapt(Model m, Map<String, Tensor> file, ImportOptions opt) throws StateDictMismatchException {
        return StateDictImport.adapt(FILE, m.spec(), m.state(), file, opt);
    }

    /** Every model tensor came back, the same object, under its own name. */
    private static void assertIdentity(Model m, StateDictImport.Result r) {
        assertEquals(m.state().keySet(), r.state().keySet());
        for (String k : m.state().keySet()) assertSame(m.state().get(k), r.state().get(k), k);
    }

    // ------------------------------------------------------------------ nn.Sequential, prefixes, renames

    /** PyTorch's index of a CNN layer: AdaptiveAvgPool2d(1) + Flatten take two places where global_avgpool takes one. */
    private static String torchCnn(String brink) {
        Matcher m = Pattern.compile("layers\\.(\\d+)\\.(.+)").matcher(brink);
        assertTrue(m.matches(), brink);
        int i = Integer.parseInt(m.group(1));
        return (i >= 4 ? i + 1 : i) + "." + m.group(2);
    }

    @Test
    void sequentialNamesWithTheAdaptiveAvgPoolFlattenShiftAndCountersImport() throws Exception {
        Model m = spec(CNN);
        Map<String, Tensor> file = foreign(m, StateDictImportTest::torchCnn);
        assertTrue(file.containsKey("5.weight") && file.containsKey("1.num_batches_tracked"), file.keySet().toString());
        StateDictImport.Result r = adapt(m, file, ImportOptions.AUTO);
        assertIdentity(m, r);
        assertEquals(NameScheme.SEQUENTIAL, r.scheme());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("5->4")), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("ignored 1 batch-norm counter")), r.notes().toString());
    }

    @Test
    void brinkNamesPassUnchangedAndCountersAreDropped() throws Exception {
        Model m = spec(CNN);
        StateDictImport.Result r = adapt(m, foreign(m, k -> k), ImportOptions.AUTO);
        assertIdentity(m, r);
        assertEquals(NameScheme.BRINK, r.scheme());
    }

    @Test
    void aCommonPrefixIsStrippedOrTheGivenOne() throws Exception {
        Model m = spec(CNN);
        assertIdentity(m, adapt(m, foreign(m, k -> "module." + torchCnn(k)), ImportOptions.AUTO));
        assertIdentity(m, adapt(m, foreign(m, k -> "model." + k), ImportOptions.AUTO));
        // a given prefix is stripped where present; here it is needed because two prefixes differ
        Map<String, Tensor> mixed = foreign(m, k -> (k.startsWith("layers.4") ? "" : "net.") + torchCnn(k));
        assertIdentity(m, adapt(m, mixed, new ImportOptions("net.", List.of(), NameScheme.AUTO)));
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> adapt(m, mixed, ImportOptions.AUTO));
        assertTrue(e.getMessage().contains("unexpected: net.0.weight [4, 1, 3, 3] float32"), e.getMessage());
    }

    @Test
    void renameRulesMapPrefixesFirstMatchWins() throws Exception {
        Model m = spec(CNN);
        // a model with a features / classifier split: features.0-3 and classifier.0 (the linear)
        Map<String, Tensor> file = foreign(m, k -> k.startsWith("layers.4.") ? k.replace("layers.4.", "classifier.0.") : k.replace("layers.", "features."));
        List<ImportOptions.Rename> rules = List.of(ImportOptions.Rename.parse("classifier.0.=layers.4."), ImportOptions.Rename.parse("features.=layers."));
        StateDictImport.Result r = adapt(m, file, new ImportOptions(null, rules, NameScheme.AUTO));
        assertIdentity(m, r);
        assertTrue(r.notes().contains("rename classifier.0.=layers.4.: renamed 2"), r.notes().toString());
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.Rename.parse("no-equals-sign"));
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.Rename.parse("=layers."));
    }

    @Test
    void renamesThatCollideAreRefused() {
        Model m = spec(CNN);
        Map<String, Tensor> file = foreign(m, k -> k);
        file.put("extra.0.weight", Tensor.zeros(4, 1, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> adapt(m, file, new ImportOptions(null, List.of(ImportOptions.Rename.parse("extra.=layers.")), NameScheme.AUTO)));
        assertTrue(e.getMessage().contains("'layers.0.weight'"), e.getMessage());
    }

    // ------------------------------------------------------------------ error messages

    @Test
    void mismatchesListMissingUnexpectedAndMisshapenTensorsAndTheRenamingSteps() {
        Model m = spec(CNN);
        Map<String, Tensor> file = foreign(m, StateDictImportTest::torchCnn);
        file.put("5.weight", Tensor.zeros(3, 5));       // misshapen
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> adapt(m, file, ImportOptions.AUTO));
        assertEquals(List.of("layers.4.weight: file has [3, 5], model expects [3, 4]"), e.problems());
        assertTrue(e.getMessage().startsWith(FILE + ": state dict does not match the model (1 problem):"), e.getMessage());
        assertTrue(e.getMessage().contains("names as read:\n  ignored 1 batch-norm counter"), e.getMessage());
        assertTrue(e.getMessage().contains("layer indices paired in order (file -> spec): 5->4"), e.getMessage());

        Map<String, Tensor> file2 = foreign(m, StateDictImportTest::torchCnn);
        file2.remove("1.running_var");
        file2.put("9.weight", Tensor.zeros(2, 2));
        StateDictMismatchException e2 = assertThrows(StateDictMismatchException.class, () -> adapt(m, file2, ImportOptions.AUTO));
        assertTrue(e2.problems().contains("missing: layers.1.running_var [4] float32"), e2.problems().toString());
        assertTrue(e2.problems().contains("unexpected: layers.9.weight [2, 2] float32"), e2.problems().toString());
        assertTrue(e2.getMessage().contains("cannot pair layers: the file has tensors for 4 layers [0, 1, 5, 9], the spec's model for 3 layers [0, 1, 4]"),
                e2.getMessage());
    }

    @Test
    void namesParseAndUnknownSchemesAreRefused() {
        assertEquals(NameScheme.TORCHVISION_RESNET, NameScheme.parse("torchvision-resnet"));
        assertEquals(NameScheme.ROBUSTBENCH_WRN, NameScheme.parse("RobustBench-WRN"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NameScheme.parse("timm"));
        assertTrue(e.getMessage().contains("'timm'") && e.getMessage().contains("torchvision-resnet"), e.getMessage());
    }

    // ------------------------------------------------------------------ torchvision ResNet

    /**
     * torchvision's name of a zoo resnet18 tensor. The zoo's layout: 0 conv, 1 bn, 2 relu, residual blocks at
     * 3, 5, ..., 17 (a relu after each), 19 global_avgpool, 20 linear; a block's body is conv, bn, relu, conv, bn
     * (0, 1, 3, 4), its shortcut conv, bn (0, 1).
     */
    private static String torchvision(String brink) {
        Matcher m = Pattern.compile("layers\\.(\\d+)\\.(?:(body|shortcut)\\.(\\d+)\\.)?(\\w+)").matcher(brink);
        assertTrue(m.matches(), brink);
        int i = Integer.parseInt(m.group(1));
        String leaf = m.group(4);
        if (i == 0) return "conv1." + leaf;
        if (i == 1) return "bn1." + leaf;
        if (i == 20) return "fc." + leaf;
        int block = (i - 3) / 2;
        String prefix = "layer" + (block / 2 + 1) + "." + (block % 2) + ".";
        int j = Integer.parseInt(m.group(3));
        if (m.group(2).equals("shortcut")) return prefix + "downsample." + j + "." + leaf;
        return prefix + Map.of(0, "conv1", 1, "bn1", 3, "conv2", 4, "bn2").get(j) + "." + leaf;
    }

    private static Model resnet() {
        return zoo("resnet18", Zoo.Options.DEFAULT.withWidth(0.125).withInput(3, 8, 8));
    }

    @Test
    void torchvisionResNetNamesMapOntoTheZoosResNet18() throws Exception {
        Model m = resnet();
        Map<String, Tensor> file = foreign(m, StateDictImportTest::torchvision);
        assertTrue(file.containsKey("layer2.0.downsample.0.weight") && file.containsKey("layer4.1.bn2.running_var")
                && file.containsKey("fc.bias") && file.containsKey("layer3.1.bn1.num_batches_tracked"), file.keySet().toString());
        StateDictImport.Result r = adapt(m, file, ImportOptions.AUTO);
        assertIdentity(m, r);
        assertEquals(NameScheme.TORCHVISION_RESNET, r.scheme());
        // DataParallel's module. prefix, and the scheme given explicitly
        assertIdentity(m, adapt(m, foreign(m, k -> "module." + torchvision(k)), new ImportOptions(null, List.of(), NameScheme.TORCHVISION_RESNET)));
        // the common CIFAR ResNet code's names: shortcut.J and linear
        assertIdentity(m, adapt(m, foreign(m, k -> torchvision(k).replace("downsample", "shortcut").replace("fc.", "linear.")), ImportOptions.AUTO));
    }

    @Test
    void torchvisionsImageNetStemIsRejectedSayingWhy() {
        Model m = resnet();
        Map<String, Tensor> file = foreign(m, StateDictImportTest::torchvision);
        file.put("conv1.weight", Tensor.zeros(8, 3, 7, 7));
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> adapt(m, file, ImportOptions.AUTO));
        assertEquals(List.of("layers.0.weight: file has [8, 3, 7, 7], model expects [8, 3, 3, 3]"), e.problems());
        assertTrue(e.getMessage().contains("ImageNet ResNet (7x7 stride-2 stem and a 3x3 max-pool)"), e.getMessage());
        assertTrue(e.getMessage().contains("CIFAR variant"), e.getMessage());
    }

    @Test
    void aResNetWithTooFewBlocksNamesBoth() {
        Model m = resnet();
        Map<String, Tensor> file = foreign(m, StateDictImportTest::torchvision);
        file.keySet().removeIf(k -> k.startsWith("layer4.1."));
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> adapt(m, file, ImportOptions.AUTO));
        assertTrue(e.problems().contains("missing: layers.17.body.0.weight [64, 64, 3, 3] float32"), e.problems().toString());
        assertTrue(e.getMessage().contains("the file has 7 residual blocks (layerS.B), the spec 8 residual layers"), e.getMessage());
    }

    // ------------------------------------------------------------------ RobustBench WideResNet

    /**
     * RobustBench's name of a zoo wrn-16-2 tensor (two blocks per group, the first of each changing width). The zoo's
     * layout: 0 conv; per group g (base 1 + 4g): base bn, base+1 relu, base+2 residual (body conv, bn, relu, conv;
     * shortcut conv), base+3 residual (body bn, relu, conv, bn, relu, conv); 13 bn, 14 relu, 15 pool, 16 linear.
     */
    private static String robustbench(String brink) {
        Matcher m = Pattern.compile("layers\\.(\\d+)\\.(?:(body|shortcut)\\.(\\d+)\\.)?(\\w+)").matcher(brink);
        assertTrue(m.matches(), brink);
        int i = Integer.parseInt(m.group(1));
        String leaf = m.group(4);
        if (i == 0) return "conv1." + leaf;
        if (i == 13) return "bn1." + leaf;
        if (i == 16) return "fc." + leaf;
        int g = (i - 1) / 4, at = (i - 1) % 4;
        String block = "block" + (g + 1) + ".layer.";
        if (at == 0) return block + "0.bn1." + leaf;
        int j = Integer.parseInt(m.group(3));
        if (at == 2) {
            if (m.group(2).equals("shortcut")) return block + "0.convShortcut." + leaf;
            return block + "0." + Map.of(0, "conv1", 1, "bn2", 3, "conv2").get(j) + "." + leaf;
        }
        return block + "1." + Map.of(0, "bn1", 2, "conv1", 3, "bn2", 5, "conv2").get(j) + "." + leaf;
    }

    @Test
    void robustBenchWideResNetNamesMapOntoTheZoosWrn() throws Exception {
        Model m = zoo("wrn-16-2", Zoo.Options.DEFAULT.withWidth(0.25).withInput(3, 8, 8));
        Map<String, Tensor> file = foreign(m, StateDictImportTest::robustbench);
        assertTrue(file.containsKey("block2.layer.0.convShortcut.weight") && file.containsKey("block3.layer.1.bn2.running_mean")
                && file.containsKey("bn1.weight") && file.containsKey("fc.weight"), file.keySet().toString());
        // TRADES-style checkpoints carry an unused sub_block1
        file.put("sub_block1.layer.0.conv1.weight", Tensor.zeros(8, 4, 3, 3));
        StateDictImport.Result r = adapt(m, file, ImportOptions.AUTO);
        assertIdentity(m, r);
        assertEquals(NameScheme.ROBUSTBENCH_WRN, r.scheme());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("ignored 1 tensors of sub_block1")), r.notes().toString());
        assertIdentity(m, adapt(m, foreign(m, k -> "module." + robustbench(k)), ImportOptions.AUTO));
    }

    @Test
    void aWideResNetOfTheWrongWidthListsMisshapenTensors() {
        Model m = zoo("wrn-16-2", Zoo.Options.DEFAULT.withWidth(0.25).withInput(3, 8, 8));
        Model wider = zoo("wrn-16-2", Zoo.Options.DEFAULT.withWidth(0.5).withInput(3, 8, 8));
        Map<String, Tensor> file = foreign(wider, StateDictImportTest::robustbench);
        StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> adapt(m, file, ImportOptions.AUTO));
        assertTrue(e.problems().contains("layers.0.weight: file has [8, 3, 3, 3], model expects [4, 3, 3, 3]"), e.problems().toString());
        assertTrue(e.problems().contains("layers.16.weight: file has [10, 64], model expects [10, 32]"), e.problems().toString());
        assertTrue(e.getMessage().contains("names read as robustbench-wrn"), e.getMessage());
    }
}
