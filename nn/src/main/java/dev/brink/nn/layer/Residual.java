package dev.brink.nn.layer;

import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/** {@code body(x) + shortcut(x)}; an empty shortcut is the identity. Children are named {@code body} and {@code shortcut}. */
public final class Residual extends Module {
    private final Sequential body;
    private final Sequential shortcut;

    public Residual(Sequential body, Sequential shortcut) {
        this.body = child("body", body);
        this.shortcut = child("shortcut", shortcut);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor a = body.forward(x);
        Tensor b = shortcut.size() == 0 ? x : shortcut.forward(x);
        if (!java.util.Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("residual: body output " + Shape.str(a.shape()) + " and shortcut output " + Shape.str(b.shape()) + " differ");
        return a.add(b);
    }
}
