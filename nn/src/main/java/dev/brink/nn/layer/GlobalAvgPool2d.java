package dev.brink.nn.layer;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.nn.Module;

/** Mean over H and W: {@code [N, C, H, W] -> [N, C]}. */
public final class GlobalAvgPool2d extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.globalAvgPool2d(x);
    }
}
