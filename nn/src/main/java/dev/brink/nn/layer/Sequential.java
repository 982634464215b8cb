package dev.brink.nn.layer;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * Children applied in order; they are named {@code 0, 1, ...} like PyTorch's ModuleList/Sequential. A {@link Conv2d}
 * or a {@link BatchNorm} followed by a relu {@link Activation} runs as one op ({@link Conv2d#forwardRelu},
 * {@link BatchNorm#forwardRelu}): the same values and gradients, with the relu applied in the pass that writes the
 * layer's output instead of in a pass and a tensor of its own.
 */
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
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            boolean reluNext = i + 1 < layers.size() && layers.get(i + 1) instanceof Activation a && a.kind() == Activation.Kind.RELU;
            if (reluNext && m instanceof Conv2d conv) {
                x = conv.forwardRelu(x); // one op and one output tensor for the pair, the same values and gradients
                i++;
            } else if (reluNext && m instanceof BatchNorm bn) {
                x = bn.forwardRelu(x);
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }
}
