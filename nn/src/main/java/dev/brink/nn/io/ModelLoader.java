package dev.brink.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecException;
import dev.brink.nn.spec.SpecModel;
import dev.brink.nn.spec.SpecPlan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds models from files, in an order that no file can turn into an allocation it does not justify: the header is
 * read and validated, the spec is {@linkplain ModelSpec#plan planned} (its tensors listed by name and shape, nothing
 * allocated), the header's tensors are checked against that plan (every missing, unexpected or misshapen tensor
 * reported at once, naming the file), and only then is the model built and are the file's tensors read, those the
 * model needs and no others (the model takes the floating dtype of the file's tensors: float64 weights give a float64
 * model). A spec declaring a 784 x 1,000,000 layer in a file that does not hold that layer's
 * weights fails on the missing tensors without allocating them.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * A model and what its file said about it.
     *
     * @param model     the model, its weights those of the file
     * @param info      the spec, model name and extra metadata ({@code ""} model name for plain weights)
     * @param nonFinite the NaN and infinite values among the weights, or null when every weight is finite; a caller
     *                  that measures the model refuses it or says so ({@link NonFinite#describe})
     */
    public record Loaded(SpecModel model, ModelInfo info, NonFinite nonFinite) {}

    /**
     * Loads a Brink model file, or the model of a checkpoint (its optimizer state is not read).
     *
     * @throws ModelFileException         for a file that is not a valid Brink model file, or whose stored architecture
     *                                    cannot be built
     * @throws StateDictMismatchException when its tensors do not fit its architecture, listing each mismatch
     */
    public static Loaded load(Path file) throws IOException {
        SpecPlan[] plan = new SpecPlan[1];
        DType[] dtype = {DType.FLOAT32};
        SafeTensors.Contents contents = SafeTensors.readSelected(file, header -> {
            ModelInfo info = ModelFile.info(file, header.metadata());
            plan[0] = plan(file, info.spec());
            dtype[0] = floatType(header);
            Map<String, Tensor> expected = plan[0].standIns(dtype[0]);
            StateDicts.check(file, expected, HeaderTensors.standIns(file, header, name -> !name.startsWith(ModelFile.OPTIMIZER_PREFIX)));
            fitsHeap(file, plan[0]);  // the file does hold the weights: can the heap?
            return expected::containsKey;
        });
        ModelInfo info = ModelFile.info(file, contents.metadata());
        SpecModel model = build(file, ModelSpec.parse(info.spec()));
        if (dtype[0] != DType.FLOAT32) model.to(dtype[0]);
        StateDicts.copyInto(model.stateDict(), contents.tensors());
        return new Loaded(model, info, NonFinite.find(model.stateDict()));
    }

    /** The floating dtype of the model a file holds: that of its first floating tensor (float32 for none). */
    private static DType floatType(SafeTensors.Header header) {
        for (SafeTensors.Entry e : header.entries()) {
            DType d = e.loadsAs();
            if (!e.name().startsWith(ModelFile.OPTIMIZER_PREFIX) && d != null && d.isFloating()) return d;
        }
        return DType.FLOAT32;
    }

    /**
     * Plain weights and what the import did to their names.
     *
     * @param loaded   the model built from the spec with the file's weights (its info: the spec, no model name)
     * @param renaming the scheme applied and the notes; its state is the model's tensors under the model's names
     * @param metadata the file's {@code __metadata__}
     */
    public record Imported(Loaded loaded, StateDictImport.Result renaming, Map<String, String> metadata) {}

    /**
     * Loads plain weights (a PyTorch {@code state_dict} saved as safetensors, say) into the model of {@code spec},
     * renaming them as {@link StateDictImport#adapt} does. The renaming and the check run on the header's names and
     * shapes; only the tensors the model takes are read.
     *
     * @param zooName the zoo model's name for the info, or {@code ""}
     * @throws SpecException              for a spec that cannot be built (the caller names the spec's source)
     * @throws StateDictMismatchException when the renamed tensors do not fit the model, listing each mismatch and the
     *                                    renaming steps
     */
    public static Imported importWeights(Path file, JsonNode spec, ImportOptions names, String zooName) throws IOException {
        Objects.requireNonNull(names, "names");
        SpecPlan plan = ModelSpec.plan(spec);
        Map<String, Tensor> expected = plan.standIns();
        StateDictImport.Result[] renamed = new StateDictImport.Result[1];
        Map<String, String> source = new LinkedHashMap<>();  // model name -> the file's name
        SafeTensors.Contents contents = SafeTensors.readSelected(file, header -> {
            Map<String, Tensor> found = HeaderTensors.standIns(file, header, name -> true);
            IdentityHashMap<Tensor, String> original = new IdentityHashMap<>();
            found.forEach((name, t) -> original.put(t, name));
            renamed[0] = StateDictImport.adapt(file, spec, expected, found, names);
            renamed[0].state().forEach((name, t) -> source.put(name, original.get(t)));
            fitsHeap(file, plan);
            Set<String> wanted = Set.copyOf(source.values());
            return wanted::contains;
        });
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : expected.keySet()) state.put(name, contents.tensors().get(source.get(name)));
        SpecModel model = ModelSpec.build(spec, new Generator(0));
        StateDicts.copyInto(model.stateDict(), state);
        StateDictImport.Result r = new StateDictImport.Result(state, renamed[0].scheme(), renamed[0].notes());
        Loaded loaded = new Loaded(model, new ModelInfo(model.specJson(), zooName), NonFinite.find(model.stateDict()));
        return new Imported(loaded, r, contents.metadata());
    }

    private static SpecPlan plan(Path file, String spec) throws ModelFileException {
        try {
            return ModelSpec.plan(spec);
        } catch (SpecException e) {
            throw new ModelFileException(file, "the architecture stored in the file cannot be built: " + e.getMessage(), e);
        }
    }

    private static void fitsHeap(Path file, SpecPlan plan) throws ModelFileException {
        try {
            plan.checkFitsHeap();
        } catch (SpecException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
    }

    private static SpecModel build(Path file, JsonNode spec) throws ModelFileException {
        try {
            return ModelSpec.build(spec, new Generator(0));
        } catch (SpecException e) {
            throw new ModelFileException(file, "the architecture stored in the file cannot be built: " + e.getMessage(), e);
        }
    }
}
