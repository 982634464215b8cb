package dev.brink.nn.layer;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

import java.util.ArrayList;
import java.util.List;

/** Children applied in order; they are named {@code 0, 1, ...} like PyTorch's ModuleList/Sequential. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(List<? extends Module> modules) {
        for (Module m : modules) add(m);
    }

    public Sequential(Module... modules) {
        this(List.of(modules));
    }

    /** Appends a module (named by its position). */
    public Sequential add(Module m) {
        child(String.valueOf(layers.size()), m);
        layers.add(m);
        return this;
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.forward(x);
        return x;
    }
}
