package dev.brink.engine.ops;

import dev.brink.engine.Tensor;
import dev.brink.engine.check.GradCheck;
import dev.brink.engine.ops.GradCheckCases.Case;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Runs every case of {@link GradCheckCases#all()} through the first- and the second-order finite-difference check
 * (tests named like {@code conv2d[stride2_pad1] order 2}), and every forward case of the non-differentiable ops
 * against its hand-computed values. Run with {@code -Dbrink.gradcheck.report=true} to print each check's worst
 * error.
 */
class OpGradientCheckTest {
    /** One planned check: a case at an order (1 or 2). */
    record Check(Case c, int order) {
        String displayName() {
            return c.name() + " order " + order;
        }

        GradCheck.Report run() {
            Tensor[] inputs = c.inputs().get();
            return order == 1 ? GradCheck.first(c.name(), c.f(), c.options(), inputs)
                    : GradCheck.second(c.name(), c.f(), c.options(), inputs);
        }
    }

    private static final boolean REPORT = Boolean.getBoolean("brink.gradcheck.report");

    /** Every check this test runs: each case of the table at order 1 and at order 2 (read by {@link OpCoverageTest}). */
    static List<Check> plannedChecks() {
        List<Check> checks = new ArrayList<>();
        for (Case c : GradCheckCases.all()) {
            checks.add(new Check(c, 1));
            checks.add(new Check(c, 2));
        }
        return checks;
    }

    @TestFactory
    Stream<DynamicTest> gradientChecks() {
        return plannedChecks().stream().map(check -> DynamicTest.dynamicTest(check.displayName(), () -> {
            try {
                GradCheck.Report r = check.run();
                if (REPORT) System.out.println(r);
            } catch (AssertionError e) {
                throw e; // the checker's message names the case, the order, the input and the element
            } catch (RuntimeException e) {
                // surefire's console shows the factory method, not the dynamic test's name: put the name in the message
                throw new AssertionError(check.displayName() + ": " + e, e);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> forwardValues() {
        return GradCheckCases.forward().stream().map(c -> DynamicTest.dynamicTest(c.name() + " forward", () -> {
            Tensor y = c.actual().get();
            assertEquals(c.dtype(), y.dtype(), c.name() + ": dtype");
            assertArrayEquals(c.shape(), y.shape(), c.name() + ": shape");
            assertArrayEquals(c.expected(), y.toDoubleArray(), 0.0, c.name() + ": values");
            assertFalse(y.requiresGrad(), c.name() + ": a non-differentiable op's result must not require grad");
        }));
    }
}
