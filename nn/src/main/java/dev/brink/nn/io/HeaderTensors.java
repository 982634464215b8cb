package dev.brink.nn.io;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.nn.spec.SpecPlan;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A safetensors header as stand-in tensors ({@link SpecPlan#standIn}: the shape and the dtype each tensor loads as,
 * one stored element each), so that {@link StateDicts#check} and {@link StateDictImport#adapt} judge a file by its
 * header alone, before any of its tensors is read.
 */
final class HeaderTensors {
    private HeaderTensors() {}

    /**
     * The stand-ins of the entries {@code include} accepts, in header order.
     *
     * @throws ModelFileException for an accepted entry of a dtype Brink cannot load
     */
    static Map<String, Tensor> standIns(Path file, SafeTensors.Header header, Predicate<String> include) throws ModelFileException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (SafeTensors.Entry e : header.entries()) {
            if (!include.test(e.name())) continue;
            DType d = e.loadsAs();
            if (d == null)
                throw new ModelFileException(file, "tensor '" + e.name() + "' has dtype " + e.dtype() + ", which Brink cannot load");
            out.put(e.name(), SpecPlan.standIn(d, e.shape()));
        }
        return out;
    }
}
