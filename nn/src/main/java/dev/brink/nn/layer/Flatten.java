package dev.brink.nn.layer;

import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/** {@code [N, ...] -> [N, product of the rest]}. */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(1);
    }
}
