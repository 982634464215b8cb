package dev.brink.engine.backend.cpu;

import dev.brink.engine.backend.ConvGeometry;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The default rule's choices for the zoo's layers (the numbers behind them are in ConvPath and docs/performance.md). */
class ConvPathTest {
    private static ImplicitConv.Dims dims(int n, int c, int hw, int o, int k, int stride, int pad) {
        ConvGeometry g = ConvGeometry.of(stride, pad);
        int ho = g.outH(hw, k);
        return new ImplicitConv.Dims(n, c, hw, hw, o, k, k, ho, ho, g);
    }

    @Test
    void stridedForwardPassesAreLoweredFromManyOutputChannels() {
        ConvPath.Mode old = ConvPath.use(ConvPath.Mode.AUTO);
        try {
            // ResNet-18's downsampling layers, 3x3 and 1x1 at stride 2: lowered
            assertFalse(ConvPath.implicitForward(dims(32, 64, 32, 128, 3, 2, 1)));
            assertFalse(ConvPath.implicitForward(dims(32, 256, 8, 512, 3, 2, 1)));
            assertFalse(ConvPath.implicitForward(dims(32, 128, 16, 256, 1, 2, 0)));
            // Galloway et al.'s strided layers (32 and 64 output channels): implicit
            assertTrue(ConvPath.implicitForward(dims(128, 3, 32, 32, 8, 2, 3)));
            assertTrue(ConvPath.implicitForward(dims(128, 32, 16, 64, 6, 2, 0)));
            // stride 1: small maps implicit whatever the channels, larger maps not
            assertTrue(ConvPath.implicitForward(dims(32, 512, 2, 512, 3, 1, 1)));
            assertFalse(ConvPath.implicitForward(dims(128, 32, 14, 64, 5, 1, 2)));
        } finally {
            ConvPath.use(old);
        }
    }
}
