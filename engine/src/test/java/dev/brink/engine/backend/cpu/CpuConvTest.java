package dev.brink.engine.backend.cpu;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import dev.brink.engine.backend.ConvGeometry;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.brink.engine.backend.cpu.CpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CpuConvTest {

    /** A random convolution problem. */
    record Problem(int n, int c, int h, int w, int o, int kh, int kw, ConvGeometry g, int ho, int wo) {}

    static Problem randomProblem(SplittableRandom rng) {
        while (true) {
            int groups = 1 + rng.nextInt(3);
            int cg = 1 + rng.nextInt(3), og = 1 + rng.nextInt(3);
            int h = 1 + rng.nextInt(9), w = 1 + rng.nextInt(9);
            int kh = 1 + rng.nextInt(3), kw = 1 + rng.nextInt(3);
            ConvGeometry g = new ConvGeometry(1 + rng.nextInt(3), 1 + rng.nextInt(3), rng.nextInt(3), rng.nextInt(3),
                    1 + rng.nextInt(2), 1 + rng.nextInt(2), groups);
            int ho = g.outH(h, kh), wo = g.outW(w, kw);
            if (ho < 1 || wo < 1) continue;
            return new Problem(1 + rng.nextInt(3), cg * groups, h, w, og * groups, kh, kw, g, ho, wo);
        }
    }

    /** Direct 7-loop cross-correlation on row-major arrays. */
    static double[] convRef(Problem p, double[] x, double[] w) {
        ConvGeometry g = p.g();
        int cg = p.c() / g.groups(), og = p.o() / g.groups();
        double[] y = new double[p.n() * p.o() * p.ho() * p.wo()];
        for (int n = 0; n < p.n(); n++)
            for (int o = 0; o < p.o(); o++)
                for (int oy = 0; oy < p.ho(); oy++)
                    for (int ox = 0; ox < p.wo(); ox++) {
                        double s = 0;
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < p.kh(); i++)
                                for (int j = 0; j < p.kw(); j++) {
                                    int iy = oy * g.strideH() - g.padH() + i * g.dilationH();
                                    int ix = ox * g.strideW() - g.padW() + j * g.dilationW();
                                    if (iy < 0 || iy >= p.h() || ix < 0 || ix >= p.w()) continue;
                                    int ci = (o / og) * cg + c;
                                    s += x[((n * p.c() + ci) * p.h() + iy) * p.w() + ix] * w[((o * cg + c) * p.kh() + i) * p.kw() + j];
                                }
                        y[((n * p.o() + o) * p.ho() + oy) * p.wo() + ox] = s;
                    }
        return y;
    }

    @Test
    void conv2dMatchesDirectLoopsOnRandomGeometries() {
        SplittableRandom rng = new SplittableRandom(31);
        for (int trial = 0; trial < 60; trial++) {
            Problem p = randomProblem(rng);
            DType dt = trial % 3 == 2 ? DType.FLOAT32 : DType.FLOAT64;
            View x = view(rng, dt, Layout.values()[trial % 3], p.n(), p.c(), p.h(), p.w());
            View w = view(rng, dt, Layout.values()[(trial / 3) % 3], p.o(), p.c() / p.g().groups(), p.kh(), p.kw());
            Tensor out = Tensor.empty(B, dt, p.n(), p.o(), p.ho(), p.wo());
            B.conv2d(x.t(), w.t(), p.g(), out);
            double[] exp = convRef(p, x.values(), w.values());
            if (dt == DType.FLOAT32) exp = toFloat(exp);
            assertClose(exp, raw(out.storage()), dt == DType.FLOAT32 ? 1e-6 : 1e-12, "conv2d " + p);
        }
    }

    @Test
    void gradientsAreAdjointsOfConv2d() {
        SplittableRandom rng = new SplittableRandom(32);
        for (int trial = 0; trial < 60; trial++) {
            Problem p = randomProblem(rng);
            int cg = p.c() / p.g().groups();
            double[] x = uniforms(rng, p.n() * p.c() * p.h() * p.w());
            double[] w = uniforms(rng, p.o() * cg * p.kh() * p.kw());
            double[] gy = uniforms(rng, p.n() * p.o() * p.ho() * p.wo());
            Tensor xt = tensor(x, p.n(), p.c(), p.h(), p.w());
            Tensor wt = tensor(w, p.o(), cg, p.kh(), p.kw());
            Tensor gyt = tensor(gy, p.n(), p.o(), p.ho(), p.wo());
            Tensor y = Tensor.empty(B, DType.FLOAT64, p.n(), p.o(), p.ho(), p.wo());
            B.conv2d(xt, wt, p.g(), y);
            double lhs = dot(B.readDoubles(y), gy);

            Tensor gx = Tensor.empty(B, DType.FLOAT64, p.n(), p.c(), p.h(), p.w());
            B.fill(gx, 5); // stale contents must be overwritten
            B.conv2dInputGrad(gyt, wt, p.g(), gx);
            double rhsX = dot(x, B.readDoubles(gx));

            Tensor gw = Tensor.empty(B, DType.FLOAT64, p.o(), cg, p.kh(), p.kw());
            B.fill(gw, 5);
            B.conv2dWeightGrad(xt, gyt, p.g(), gw);
            double rhsW = dot(w, B.readDoubles(gw));

            double scale = Math.max(1, Math.abs(lhs));
            assertEquals(lhs, rhsX, 1e-10 * scale, "input grad adjoint " + p);
            assertEquals(lhs, rhsW, 1e-10 * scale, "weight grad adjoint " + p);
        }
    }

    @Test
    void inputGradZeroWhereNoWindowReaches() {
        // H = 8, kernel 1, stride 3: only rows/cols 0, 3, 6 receive gradient.
        ConvGeometry g = ConvGeometry.of(3, 0);
        Tensor gy = tensor(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = tensor(new double[]{2}, 1, 1, 1, 1);
        Tensor gx = Tensor.empty(B, DType.FLOAT64, 1, 1, 8, 8);
        B.fill(gx, -1);
        B.conv2dInputGrad(gy, w, g, gx);
        double[] r = B.readDoubles(gx);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++) {
                double e = i % 3 == 0 && j % 3 == 0 ? 2 * (1 + (i / 3) * 3 + j / 3) : 0;
                assertEquals(e, r[i * 8 + j], "at " + i + "," + j);
            }
    }

    @Test
    void largeConvolutionOnTheParallelPath() {
        SplittableRandom rng = new SplittableRandom(33);
        ConvGeometry g = new ConvGeometry(1, 1, 1, 1, 1, 1, 2);
        Problem p = new Problem(4, 8, 16, 16, 16, 3, 3, g, 16, 16);
        View x = view(rng, DType.FLOAT32, Layout.CONTIGUOUS, 4, 8, 16, 16);
        View w = view(rng, DType.FLOAT32, Layout.CONTIGUOUS, 16, 4, 3, 3);
        Tensor out = Tensor.empty(B, DType.FLOAT32, 4, 16, 16, 16);
        B.conv2d(x.t(), w.t(), g, out);
        assertClose(toFloat(convRef(p, x.values(), w.values())), raw(out.storage()), 1e-6, "large conv2d");
        // weight gradient with gy = 1 equals the sum of the input windows; compare with the adjoint identity
        double[] gyv = uniforms(rng, 4 * 16 * 16 * 16);
        Tensor gy = tensor(gyv, 4, 16, 16, 16);
        Tensor x64 = tensor(x.values(), 4, 8, 16, 16), w64 = tensor(w.values(), 16, 4, 3, 3);
        Tensor gw = Tensor.empty(B, DType.FLOAT64, 16, 4, 3, 3);
        B.conv2dWeightGrad(x64, gy, g, gw);
        Tensor gx = Tensor.empty(B, DType.FLOAT64, 4, 8, 16, 16);
        B.conv2dInputGrad(gy, w64, g, gx);
        double lhs = dot(convRef(p, x.values(), w.values()), gyv);
        assertEquals(lhs, dot(w.values(), B.readDoubles(gw)), 1e-10 * Math.abs(lhs));
        assertEquals(lhs, dot(x.values(), B.readDoubles(gx)), 1e-10 * Math.abs(lhs));
    }
}
