package dev.brink.engine.vectors;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.op.OpDef;
import dev.brink.engine.op.OpRegistry;
import dev.brink.engine.vectors.TorchVectors.Case;
import dev.brink.engine.vectors.TorchVectors.Ref;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.brink.engine.vectors.TorchVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks every op against PyTorch's reference values in {@code test-vectors/ops.json}: in float64 the output,
 * the running statistics of batch norm, the VJP of the case's cotangent c ({@code grads = dL/dx_i} for
 * {@code L = sum(out * c)}) and the reverse-over-reverse product ({@code grad_grads = dS/dx_j} for
 * {@code S = sum_i <grads_i, u_i>}); and the forward once more in float32.
 */
class TorchOpVectorTest {
    /** float64: PyTorch and the engine may round differently, nothing more. */
    static final double ATOL64 = 1e-10, RTOL64 = 1e-10;
    /** float32 forward against the float64 reference: relative, with an absolute floor scaled by the output's size. */
    static final double RTOL32 = 1e-4, ATOL32 = 1e-5;

    private static final String ATTACK_STEP = "a fused attack step with no single PyTorch op; checked against a float64 "
            + "reference and the tensor-op composition in AttackStepKernelsTest and by hand-computed values in GradCheckCases.forward()";

    private static final String JACOBIAN_ROWS = "an EMR reduction with no single PyTorch op; checked against PyTorch through the "
            + "emr objective and effective margins (test-vectors/objectives_gradient.json, GradientObjectivesTorchVectorTest) and by "
            + "gradient checks and hand-computed values in GradCheckCases";

    private static final String BATCH_NORM_STEP = "one of batch_norm's per-channel steps with no single PyTorch op; checked "
            + "against PyTorch through batch_norm's cases here, by gradient checks in GradCheckCases and against the tensor-op "
            + "composition in CpuChannelOpsTest";

    /**
     * Registered ops without a PyTorch case, each with the reason. Everything else in {@link OpRegistry#all()}
     * must have at least one case in ops.json.
     */
    static final Map<String, String> EXEMPT = Map.ofEntries(
            Map.entry("dropout", "PyTorch's Philox/MT RNG stream differs from Brink's counter-based generator: the masks cannot "
                    + "match; dropout is covered by gradient checks and its own tests"),
            Map.entry("sign_step", ATTACK_STEP), Map.entry("l2_step", ATTACK_STEP), Map.entry("project_linf", ATTACK_STEP),
            Map.entry("project_l2", ATTACK_STEP), Map.entry("project_l1", ATTACK_STEP),
            Map.entry("row_squared_norms", JACOBIAN_ROWS), Map.entry("emr_pair_squared_norms", JACOBIAN_ROWS),
            Map.entry("channel_normalize", BATCH_NORM_STEP), Map.entry("channel_normalize_relu", "batch norm and relu in one op, "
                    + "no single PyTorch op; checked against PyTorch through the WideResNet fixture of PyTorchZooImportTest (app), whose "
                    + "batch-norm/relu pairs run as this op, by gradient checks in GradCheckCases and bit for bit against "
                    + "channel_normalize followed by relu in CpuChannelOpsTest"),
            Map.entry("channel_variance", BATCH_NORM_STEP),
            Map.entry("channel_centered_dot", "the scale gradient of channel_normalize, " + BATCH_NORM_STEP),
            Map.entry("channel_combine", "batch norm's input gradient, " + BATCH_NORM_STEP));

    /**
     * Differentiable registered ops whose cases are output-only (no grads in ops.json), each with the reason.
     */
    static final Map<String, String> OUTPUT_ONLY = Map.of(
            "cast", "the reference is a float32 value; a float32 finite-difference check in the generator would be meaningless");

    @TestFactory
    Stream<DynamicTest> opCases() {
        return TorchVectors.ops().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    @Test
    void everyRegisteredOpHasATorchCase() {
        Set<String> inFile = TorchVectors.ops().stream().map(Case::op).collect(Collectors.toCollection(TreeSet::new));
        Set<String> registered = OpRegistry.all().stream().map(OpDef::name).collect(Collectors.toCollection(TreeSet::new));
        List<String> missing = new ArrayList<>();
        for (String op : registered) if (!inFile.contains(op) && !EXEMPT.containsKey(op)) missing.add(op);
        assertTrue(missing.isEmpty(), "registered ops without a case in test-vectors/ops.json (add one to generate.py or exempt it): " + missing);
        for (String op : EXEMPT.keySet()) {
            assertTrue(registered.contains(op), "exempt op '" + op + "' is not registered (stale exemption)");
            assertFalse(inFile.contains(op), "exempt op '" + op + "' has cases now; remove the exemption");
        }
        Set<String> unknown = new TreeSet<>(inFile);
        unknown.removeAll(registered);
        assertTrue(unknown.isEmpty(), "ops in ops.json that OpRegistry does not know: " + unknown);
        Set<String> unmapped = new TreeSet<>(inFile);
        unmapped.removeAll(TorchOps.BY_NAME.keySet());
        assertTrue(unmapped.isEmpty(), "ops in ops.json without an engine mapping in TorchOps: " + unmapped);
    }

    @Test
    void differentiabilityAgreesWithRegistry() {
        for (OpDef d : OpRegistry.all()) {
            List<Case> cases = TorchVectors.ops().stream().filter(c -> c.op().equals(d.name())).toList();
            if (cases.isEmpty()) continue;
            if (!d.differentiable()) {
                for (Case c : cases) assertFalse(c.differentiable(), c.name() + ": op is registered non-differentiable but the case has grads");
            } else if (!OUTPUT_ONLY.containsKey(d.name())) {
                assertTrue(cases.stream().anyMatch(Case::differentiable), d.name() + ": differentiable op with output-only cases only");
            }
        }
    }

    // ------------------------------------------------------------------ one case

    static void check(Case c) {
        TorchOps.OpFn fn = TorchOps.get(c.op());

        // float64: output, extra outputs, grads, grad_grads
        Map<String, Tensor> in = inputs(c, DType.FLOAT64, true);
        Tensor out = fn.apply(in, c.attrs(), DType.FLOAT64);
        checkOutput(c, "output", out, c.output(), ATOL64, RTOL64);
        for (Map.Entry<String, Ref> e : c.extraOutputs().entrySet())
            assertClose(e.getKey(), e.getValue(), in.get(e.getKey()), ATOL64, RTOL64);

        if (c.differentiable()) {
            List<Ref> diff = c.diffInputs();
            Tensor[] xs = new Tensor[diff.size()];
            for (int i = 0; i < xs.length; i++) xs[i] = in.get(diff.get(i).name());
            assertEquals(diff.size(), c.grads().size(), "grads per diff input");
            Tensor l = out.mul(c.cotangent().tensor()).sum();
            Tensor[] g = Autograd.grad(l, xs, GradOptions.defaults().createGraph().allowUnused());
            Tensor s = null;
            for (int i = 0; i < xs.length; i++) {
                Ref gr = c.grads().get(i);
                assertEquals(diff.get(i).name(), gr.name());
                assertClose("grads[" + gr.name() + "]", gr, g[i], ATOL64, RTOL64);
                Tensor term = g[i].mul(c.tangents().get(i).tensor()).sum();
                s = s == null ? term : s.add(term);
            }
            Tensor[] gg;
            if (s.requiresGrad()) {
                gg = Autograd.grad(s, xs, GradOptions.defaults().allowUnused());
            } else { // no grad depends on any input: the Hessian term is zero
                gg = new Tensor[xs.length];
                for (int i = 0; i < xs.length; i++) gg[i] = xs[i].detach().zerosLike();
            }
            for (int i = 0; i < xs.length; i++) {
                Ref ref = c.gradGrads().get(i);
                assertClose("grad_grads[" + ref.name() + "]", ref, gg[i], ATOL64, RTOL64);
            }
        }

        // float32: the forward (and batch norm's running statistics) once more
        Map<String, Tensor> in32 = inputs(c, DType.FLOAT32, false);
        Tensor out32;
        try (GradMode.Scope scope = GradMode.noGrad()) {
            out32 = fn.apply(in32, c.attrs(), DType.FLOAT32);
        }
        if (!c.output().isInteger() && !c.op().equals("cast"))
            assertEquals(DType.FLOAT32, out32.dtype(), "float32 output dtype");
        checkOutput(c, "float32 output", out32, c.output(), ATOL32 * TorchVectors.maxAbs(c.output().data(), 1), RTOL32);
        for (Map.Entry<String, Ref> e : c.extraOutputs().entrySet())
            assertClose("float32 " + e.getKey(), e.getValue(), in32.get(e.getKey()), ATOL32 * TorchVectors.maxAbs(e.getValue().data(), 1), RTOL32);
    }

    /** Fresh input tensors (so in-place running-stat updates never leak between evaluations). */
    static Map<String, Tensor> inputs(Case c, DType floatType, boolean markDiff) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Ref r : c.inputs()) {
            Tensor t = r.dtype().equals("float32") ? r.tensor() : r.tensor(floatType);
            if (markDiff && r.diff()) t.requiresGrad(true);
            m.put(r.name(), t);
        }
        return m;
    }

    static void checkOutput(Case c, String what, Tensor out, Ref expected, double atol, double rtol) {
        if (expected.isInteger()) {
            assertEquals(DType.INT32, out.dtype(), what + " dtype");
            assertClose(what, expected, out, 0, 0);
        } else {
            if (c.output().dtype().equals("float32"))
                assertEquals(DType.FLOAT32, out.dtype(), what + " dtype");
            else if (what.equals("output"))
                assertEquals(DType.FLOAT64, out.dtype(), what + " dtype");
            assertClose(what, expected, out, atol, rtol);
        }
    }
}
