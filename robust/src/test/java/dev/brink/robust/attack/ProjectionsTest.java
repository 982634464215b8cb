package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ProjectionsTest {
    private final Generator gen = new Generator(11);

    @Test
    void l1ProjectionLandsOnTheBallAndIsTheClosestPoint() {
        Tensor d = Tensor.randn(gen, DType.FLOAT64, 4, 3, 5);
        double eps = 2.0;
        Tensor p = Projections.projectL1(d, eps);
        double[] n = F.l1Norm(p).toDoubleArray();
        for (double v : n) assertEquals(eps, v, 1e-9);
        // KKT: the projection soft-thresholds at one theta per sample: p = sign(d) * max(|d| - theta, 0)
        double[] dv = d.reshape(4, 15).toDoubleArray(), pv = p.reshape(4, 15).toDoubleArray();
        for (int s = 0; s < 4; s++) {
            double theta = Double.NaN;
            for (int j = 0; j < 15; j++) {
                int i = s * 15 + j;
                if (pv[i] != 0) {
                    double t = Math.abs(dv[i]) - Math.abs(pv[i]);
                    if (Double.isNaN(theta)) theta = t;
                    assertEquals(theta, t, 1e-9);
                    assertEquals(Math.signum(dv[i]), Math.signum(pv[i]));
                }
            }
            for (int j = 0; j < 15; j++) if (pv[s * 15 + j] == 0) assertTrue(Math.abs(dv[s * 15 + j]) <= theta + 1e-9);
        }
        Tensor small = d.mul(0.01);
        assertArrayEquals(small.toDoubleArray(), Projections.projectL1(small, eps).toDoubleArray(), 0, "inside the ball: unchanged");
    }

    @Test
    void projectionsRespectEveryBallAndTheBox() {
        Tensor x0 = Tensor.rand(gen, DType.FLOAT64, 3, 2, 4, 4);
        Tensor x = x0.add(Tensor.randn(gen, DType.FLOAT64, 3, 2, 4, 4));
        for (Norm n : Norm.values()) {
            double eps = n == Norm.L0 ? 5 : 0.5;
            Tensor p = Projections.project(x, x0, ThreatModel.of(n, eps));
            assertTrue(p.amin().item() >= 0 && p.amax().item() <= 1, n + " stays in the box");
            for (double v : Projections.norm(p.sub(x0), n).toDoubleArray()) assertTrue(v <= eps + 1e-9, n + " norm " + v);
        }
    }

    @Test
    void l0KeepsExactlyKEntriesEvenWithTies() {
        Tensor d = Tensor.of(new double[] {1, 1, 1, 1, 0.5, 2}, 1, 6);
        Tensor k = Projections.keepLargest(d, 3);
        assertArrayEquals(new double[] {1, 1, 0, 0, 0, 2}, k.toDoubleArray());
    }

    @Test
    void steepestDirections() {
        Tensor g = Tensor.of(new double[] {3, -4, 0, 0}, 1, 4);
        assertArrayEquals(new double[] {1, -1, 0, 0}, Projections.steepestDirection(g, Norm.LINF).toDoubleArray());
        assertArrayEquals(new double[] {0.6, -0.8, 0, 0}, Projections.steepestDirection(g, Norm.L2).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, -1, 0, 0}, Projections.steepestDirection(g, Norm.L1).toDoubleArray());
    }
}
