package dev.brink.nn.layer;

import dev.brink.engine.F;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.PoolGeometry;
import dev.brink.nn.Module;

/** Max or average pooling over NCHW windows. */
public final class Pool2d extends Module {
    /** Which reduction a window applies. */
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final PoolGeometry geometry;

    public Pool2d(Kind kind, PoolGeometry geometry) {
        this.kind = kind;
        this.geometry = geometry;
    }

    @Override
    public Tensor forward(Tensor x) {
        return kind == Kind.MAX ? F.maxPool2d(x, geometry) : F.avgPool2d(x, geometry);
    }

    /** Which reduction the windows apply. */
    public Kind kind() {
        return kind;
    }

    /** Kernel, stride, padding and dilation of the windows. */
    public PoolGeometry geometry() {
        return geometry;
    }

    @Override
    protected String summary() {
        return (kind == Kind.MAX ? "MaxPool2d" : "AvgPool2d") + "(kernel " + geometry.kernelH() + ", stride " + geometry.strideH()
                + ", padding " + geometry.padH() + ")";
    }
}
