package dev.brink.engine.ops;

import dev.brink.engine.op.OpDef;
import dev.brink.engine.op.OpRegistry;
import dev.brink.engine.ops.GradCheckCases.Case;
import dev.brink.engine.ops.GradCheckCases.ForwardCase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the gradient-check table and {@link OpRegistry} in step: every differentiable op is checked at first and
 * second order, every non-differentiable op has a forward-value case, and the tables name no unknown op.
 */
class OpCoverageTest {
    private static Set<String> names(boolean differentiable) {
        Set<String> s = new TreeSet<>();
        for (OpDef d : OpRegistry.all()) if (d.differentiable() == differentiable) s.add(d.name());
        return s;
    }

    /** Orders at which each op is checked by {@link OpGradientCheckTest}. */
    private static Map<String, Set<Integer>> ordersByOp() {
        Map<String, Set<Integer>> m = new TreeMap<>();
        for (OpGradientCheckTest.Check c : OpGradientCheckTest.plannedChecks()) m.computeIfAbsent(c.c().op(), k -> new TreeSet<>()).add(c.order());
        return m;
    }

    @Test
    void everyDifferentiableOpIsCheckedAtFirstAndSecondOrder() {
        Map<String, Set<Integer>> orders = ordersByOp();
        List<String> missing = new ArrayList<>();
        for (String op : names(true)) {
            Set<Integer> o = orders.getOrDefault(op, Set.of());
            if (!o.containsAll(Set.of(1, 2))) missing.add(op + (o.isEmpty() ? " (no case)" : " (orders " + o + " only)"));
        }
        assertTrue(missing.isEmpty(), missing.size() + " differentiable registered op(s) lack a first- and second-order gradient check "
                + "in GradCheckCases.all(): " + missing);
    }

    @Test
    void everyNonDifferentiableOpHasAForwardCase() {
        Set<String> covered = new HashSet<>();
        for (ForwardCase c : GradCheckCases.forward()) covered.add(c.op());
        List<String> missing = new ArrayList<>(names(false));
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), missing.size() + " non-differentiable registered op(s) lack a forward-value case in GradCheckCases.forward(): " + missing);
    }

    @Test
    void tablesNameOnlyRegisteredOpsOfTheRightKind() {
        Set<String> differentiable = names(true), nonDifferentiable = names(false);
        Set<String> bad = new TreeSet<>();
        for (Case c : GradCheckCases.all()) {
            if (nonDifferentiable.contains(c.op())) bad.add(c.op() + " (non-differentiable, belongs in forward())");
            else if (!differentiable.contains(c.op())) bad.add(c.op() + " (unknown op, in all())");
        }
        for (ForwardCase c : GradCheckCases.forward()) {
            if (differentiable.contains(c.op())) bad.add(c.op() + " (differentiable, belongs in all())");
            else if (!nonDifferentiable.contains(c.op())) bad.add(c.op() + " (unknown op, in forward())");
        }
        assertTrue(bad.isEmpty(), "the gradient-check tables name ops that OpRegistry does not list as such: " + bad);
    }

    @Test
    void caseNamesAreUnique() {
        Set<String> seen = new HashSet<>();
        Set<String> dup = new TreeSet<>();
        for (Case c : GradCheckCases.all()) if (!seen.add(c.name())) dup.add(c.name());
        for (ForwardCase c : GradCheckCases.forward()) if (!seen.add(c.name() + " forward")) dup.add(c.name());
        assertTrue(dup.isEmpty(), "duplicate case names (op[variant]): " + dup);
    }

    @Test
    void printCoverageSummary() {
        Map<String, Set<Integer>> orders = ordersByOp();
        Set<String> differentiable = names(true);
        long checked = differentiable.stream().filter(op -> orders.getOrDefault(op, Set.of()).containsAll(Set.of(1, 2))).count();
        Set<String> forwardOps = new HashSet<>();
        for (ForwardCase c : GradCheckCases.forward()) forwardOps.add(c.op());
        Set<String> nonDifferentiable = names(false);
        long forward = nonDifferentiable.stream().filter(forwardOps::contains).count();
        System.out.printf("Gradient-check coverage: %d of %d registered differentiable ops have first- and second-order checks "
                        + "(%d cases, %d checks); %d of %d non-differentiable ops have forward-value checks (%d cases); "
                        + "%d of %d registered ops covered.%n",
                checked, differentiable.size(), GradCheckCases.all().size(), OpGradientCheckTest.plannedChecks().size(),
                forward, nonDifferentiable.size(), GradCheckCases.forward().size(), checked + forward, OpRegistry.all().size());
    }
}
