package dev.brink.engine.ops;

import dev.brink.engine.Autograd;
import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.check.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests the tester: {@link GradCheck} must reject deliberately wrong backward rules, at the order where they go
 * wrong, and accept correct ones. The faulty ops are exp (and mul) recorded with hand-written backward rules via
 * {@link Autograd#record}.
 */
class GradCheckSelfTest {
    /** A backward formula for exp from x, the recorded output y and the output gradient g. */
    @FunctionalInterface
    private interface ExpRule {
        Tensor grad(Tensor x, Tensor y, Tensor g);
    }

    /** exp(x) computed without a graph, then recorded as one op with the given backward rule. */
    private static Tensor exp(Tensor x, ExpRule rule) {
        Tensor y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            y = x.exp();
        }
        Tensor out = y.detach();
        return Autograd.record("test_exp", out, new Tensor[] {x}, g -> new Tensor[] {rule.grad(x, out, g)});
    }

    private static Function<Tensor[], Tensor> expWith(ExpRule rule) {
        return xs -> exp(xs[0], rule);
    }

    private static Tensor x() {
        return Tensor.randn(new Generator(5), DType.FLOAT64, 2, 3).requiresGrad(true);
    }

    @Test
    void correctRulesPassBothOrders() {
        // g * y differentiates through the recorded output itself, g * exp(x) through a fresh exp
        for (ExpRule rule : new ExpRule[] {(x, y, g) -> g.mul(y), (x, y, g) -> g.mul(x.exp())}) {
            GradCheck.Report r1 = GradCheck.first("exp", expWith(rule), x());
            GradCheck.Report r2 = GradCheck.second("exp", expWith(rule), x());
            assertEquals(6, r1.elementsChecked(), "first order checks every element of x");
            assertEquals(12, r2.elementsChecked(), "second order checks every element of x and of the cotangent r");
            assertTrue(r1.maxAbsError() < 1e-8 && r2.maxAbsError() < 1e-8, r1 + " / " + r2);
        }
    }

    @Test
    void wrongFirstDerivativeFailsFirstOrder() {
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.first("exp_bad", expWith((x, y, g) -> g.mul(x)), x()));
        assertTrue(e.getMessage().contains("exp_bad") && e.getMessage().contains("order 1") && e.getMessage().contains("input 0"), e.getMessage());
    }

    @Test
    void slightlyWrongFirstDerivativeFailsFirstOrder() {
        // 0.1% off: the tolerance (atol 1e-6 + rtol 1e-5) is tight enough to see it
        assertThrows(AssertionError.class, () -> GradCheck.first("exp_off", expWith((x, y, g) -> g.mul(y).mul(1.001)), x()));
    }

    @Test
    void claimedZeroGradientFails() {
        // Also shows the checker does not evaluate f+ and f- at the same point: the numeric derivative must be
        // nonzero here (with f+ == f- it would be 0 and this zero gradient would pass).
        assertThrows(AssertionError.class, () -> GradCheck.first("exp_zero", expWith((x, y, g) -> g.mul(0.0)), x()));
    }

    @Test
    void backwardIgnoringTheOutputGradientFails() {
        // returns exp(x) instead of g * exp(x): right only for g = 1, and the checker's cotangent is random
        assertThrows(AssertionError.class, () -> GradCheck.first("exp_no_g", expWith((x, y, g) -> x.exp()), x()));
    }

    @Test
    void backwardOnDetachedValuesPassesFirstOrderButFailsSecond() {
        ExpRule detached = (x, y, g) -> g.mul(x.detach().exp()); // right values, but not differentiable w.r.t. x
        // passing first order also shows that the numeric derivatives are real (nonzero, and equal to g * exp(x))
        assertDoesNotThrow(() -> GradCheck.first("exp_detached", expWith(detached), x()));
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.second("exp_detached", expWith(detached), x()));
        assertTrue(e.getMessage().contains("order 2") && e.getMessage().contains("input 0"), e.getMessage());
    }

    @Test
    void backwardOnDetachedOutputPassesFirstOrderButFailsSecond() {
        // tanh' = 1 - y^2 with y detached: the usual way of breaking double backward in a hand-written rule
        Function<Tensor[], Tensor> f = xs -> {
            Tensor y;
            try (GradMode.Scope s = GradMode.noGrad()) {
                y = xs[0].tanh();
            }
            Tensor out = y.detach();
            Tensor saved = y.detach();
            return Autograd.record("test_tanh", out, new Tensor[] {xs[0]}, g -> new Tensor[] {g.mul(saved.square().neg().add(1.0))});
        };
        assertDoesNotThrow(() -> GradCheck.first("tanh_detached", f, x()));
        assertThrows(AssertionError.class, () -> GradCheck.second("tanh_detached", f, x()));
    }

    @Test
    void backwardDetachingTheOutputGradientFailsSecondOrder() {
        // dL/dx is right but no longer depends on g: the second-order check differentiates with respect to the
        // cotangent r too, and must notice (the failing input is r, the extra last input, index 1 here)
        ExpRule gDetached = (x, y, g) -> g.detach().mul(y);
        assertDoesNotThrow(() -> GradCheck.first("exp_g_detached", expWith(gDetached), x()));
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.second("exp_g_detached", expWith(gDetached), x()));
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
    }

    /** a * b recorded with hand-written partials; db is off by 1%. */
    private static Tensor mulWrongDb(Tensor a, Tensor b) {
        Tensor y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            y = a.mul(b);
        }
        Tensor out = y.detach();
        return Autograd.record("test_mul", out, new Tensor[] {a, b}, g -> new Tensor[] {g.mul(b), g.mul(a).mul(1.01)});
    }

    @Test
    void wrongPartialOfTheSecondInputFails() {
        Generator gen = new Generator(9);
        Tensor a = Tensor.randn(gen, DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor b = Tensor.randn(gen, DType.FLOAT64, 2, 3).requiresGrad(true);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.first("mul_bad_db", xs -> mulWrongDb(xs[0], xs[1]), a, b));
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
    }

    @Test
    void constantInputsAreNotChecked() {
        // the same faulty op passes when b is a constant: only inputs that require grad are checked
        Generator gen = new Generator(9);
        Tensor a = Tensor.randn(gen, DType.FLOAT64, 2, 3).requiresGrad(true);
        Tensor b = Tensor.randn(gen, DType.FLOAT64, 2, 3);
        GradCheck.Report r = GradCheck.first("mul_bad_db", xs -> mulWrongDb(xs[0], xs[1]), a, b);
        assertEquals(6, r.elementsChecked());
    }

    @Test
    void refusesWhenNothingIsChecked() {
        Tensor c = Tensor.randn(new Generator(1), DType.FLOAT64, 3);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.first("none", xs -> xs[0].exp(), c));
    }
}
