package dev.brink.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the recorded graph.
 *
 * <p>{@link #grad} returns gradients of outputs with respect to chosen inputs (leaves or intermediate tensors,
 * parameters or data alike) without touching {@link Tensor#grad()}; {@link Tensor#backward()} accumulates into
 * the leaves instead. Options are named in {@link GradOptions}: with {@link GradOptions#createGraph()} the
 * backward rules run with recording on, so the returned gradients are themselves differentiable (double backprop,
 * Hessian-vector products, gradient penalties). Without {@link GradOptions#retainGraph()} the traversed part of the
 * graph is freed afterwards; a second backward through it raises an exception naming the op.
 *
 * <p>The walker visits only nodes on a path to a requested input, in reverse topological order computed
 * iteratively (deep graphs do not overflow the stack), sums fan-out contributions, and reduces broadcast
 * gradients back to each input's shape in one place. In a pass that records no graph and frees it, the memory of
 * gradients and temporaries that nothing references any more is handed back to the backend as the walk goes
 * ({@link GradientRecycler}), to be reused by later allocations of the same size.
 */
public final class Autograd {
    private Autograd() {}

    // ------------------------------------------------------------------ recording (used by ops)

    /** True when an op applied now to these inputs must record a node. */
    public static boolean isRecording(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /** While a backward rule runs: which of its op's inputs the running pass needs a gradient for. */
    private static final ThreadLocal<boolean[]> WANTED = new ThreadLocal<>();

    /**
     * For backward rules: whether the running backward pass needs the gradient for input {@code index} of the op,
     * whose tensor is {@code input}. False when the input does not require grad, and also when no target of the
     * pass depends on it, e.g. the weight gradients of every layer while {@code grad(loss, x)} takes only the
     * input gradient (double backprop, Jacobian rows, attacks). Rules use it to skip work they would throw away.
     * Outside a backward rule it is {@code input.requiresGrad()}.
     */
    public static boolean needsGrad(Tensor input, int index) {
        return needsGrad(input.requiresGrad(), index);
    }

    /**
     * {@link #needsGrad(Tensor, int)} for a rule that keeps only whether input {@code index} required grad when the
     * op was recorded, not the input itself: a rule that captures a tensor keeps its memory alive until the graph is
     * freed, so an input the backward does not read should not be captured.
     */
    public static boolean needsGrad(boolean inputRequiresGrad, int index) {
        if (!inputRequiresGrad) return false;
        boolean[] wanted = WANTED.get();
        return wanted == null || index >= wanted.length || wanted[index];
    }

    /**
     * Records that {@code out} was computed from {@code inputs} by {@code op}, with the given backward rule, if
     * {@link #isRecording} holds; returns {@code out}. Inputs that do not require grad get no gradient (the
     * rule may return null for them, or a value that is ignored).
     */
    public static Tensor record(String op, Tensor out, Tensor[] inputs, BackwardRule rule) {
        if (Anomaly.isEnabled()) Anomaly.checkOutput(op, shapes(inputs), out);
        if (!isRecording(inputs)) return out;
        Node[] next = new Node[inputs.length];
        int[][] shapes = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            shapes[i] = t == null ? new int[0] : t.shape();
            next[i] = t != null && t.requiresGrad() ? t.gradNode() : null;
        }
        out.markRecorded(new Node(op, next, shapes, out.shape(), rule));
        return out;
    }

    private static String shapes(Tensor[] inputs) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : inputs) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(t == null ? "none" : Shape.str(t.shape()));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ public API

    /**
     * Gradient of a one-element {@code output} (a scalar loss) with respect to each of {@code inputs}, with the
     * {@linkplain GradOptions#defaults() default options}: the graph is freed and the gradients are constants.
     *
     * @param output a one-element tensor computed by recorded ops
     * @param inputs tensors to differentiate with respect to (each must {@linkplain Tensor#requiresGrad() require
     *     grad} and the output must depend on each)
     * @return one gradient per input, with the input's shape, dtype and backend
     */
    public static Tensor[] grad(Tensor output, Tensor... inputs) {
        return grad(new Tensor[] {output}, inputs, GradOptions.defaults());
    }

    /**
     * Gradient of {@code output} with respect to one input, with named options, e.g.
     * {@code grad(loss, x, GradOptions.defaults().createGraph())[0]} for a gradient that can be differentiated again.
     *
     * @return a one-element array: the gradient, with the input's shape, dtype and backend
     * @see #grad(Tensor[], Tensor[], GradOptions)
     */
    public static Tensor[] grad(Tensor output, Tensor input, GradOptions options) {
        return grad(new Tensor[] {output}, new Tensor[] {input}, options);
    }

    /**
     * Gradients of {@code output} with respect to each of {@code inputs}, with named options.
     *
     * @return one gradient per input, with the input's shape, dtype and backend
     * @see #grad(Tensor[], Tensor[], GradOptions)
     */
    public static Tensor[] grad(Tensor output, Tensor[] inputs, GradOptions options) {
        return grad(new Tensor[] {output}, inputs, options);
    }

    /**
     * Gradients of {@code sum_i <outputs[i], gradOutputs[i]>} with respect to each input, PyTorch's
     * {@code torch.autograd.grad}. Leaves' {@link Tensor#grad()} are not touched.
     *
     * @param outputs tensors produced by recorded ops
     * @param inputs tensors to differentiate with respect to (each must require grad)
     * @param options output gradients ({@link GradOptions#gradOutputs}: one per output, same shapes; without them
     *     every output must have one element and is seeded with 1), and whether to retain the graph, record the
     *     backward pass (differentiable results) and allow inputs the outputs do not depend on (zero gradients)
     * @return one gradient per input, with the input's shape, dtype and backend
     * @throws IllegalArgumentException when an input does not require grad, an output is not recorded, the output
     *     gradients do not match the outputs, or (without {@link GradOptions#allowUnused()}) an input is unused
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, GradOptions options) {
        Tensor[] gradOutputs = options.gradOutputsUnsafe();
        if (gradOutputs != null && gradOutputs.length != outputs.length)
            throw new IllegalArgumentException("grad: " + gradOutputs.length + " gradOutputs for " + outputs.length
                    + " outputs; pass one per output (null for ones)");
        boolean retainGraph = options.retainsGraph(), createGraph = options.createsGraph(), allowUnused = options.allowsUnused();
        Node[] targets = new Node[inputs.length];
        for (int j = 0; j < inputs.length; j++) {
            if (!inputs[j].requiresGrad())
                throw new IllegalArgumentException("grad: input " + j + " of shape " + Shape.str(inputs[j].shape())
                        + " does not require grad; call requiresGrad(true) on it before computing the outputs");
            targets[j] = inputs[j].gradNode();
        }
        IdentityHashMap<Node, Boolean> targetSet = new IdentityHashMap<>();
        for (Node n : targets) targetSet.put(n, Boolean.TRUE);
        Map<Node, Tensor> grads = run(outputs, gradOutputs, targetSet, retainGraph, createGraph);
        Tensor[] result = new Tensor[inputs.length];
        for (int j = 0; j < inputs.length; j++) {
            Tensor g = grads.get(targets[j]);
            if (g == null) {
                if (!allowUnused)
                    throw new IllegalArgumentException("grad: the outputs do not depend on input " + j + " of shape "
                            + Shape.str(inputs[j].shape()) + "; pass GradOptions.allowUnused() to get zeros");
                g = inputs[j].detach().zerosLike();
            }
            result[j] = g;
        }
        return result;
    }

    /**
     * Accumulates the gradient of {@code output} into {@link Tensor#grad()} of every leaf that requires grad
     * (PyTorch's {@code Tensor.backward}); {@link Tensor#backward()} is this with the default options.
     *
     * @param output a tensor computed by recorded ops
     * @param options at most one output gradient ({@link GradOptions#gradOutputs}, with {@code output}'s shape;
     *     none means 1 and needs a one-element output), whether to retain the graph, and whether to record the
     *     backward pass so that the accumulated gradients are differentiable; {@code allowUnused} is ignored
     */
    public static void backward(Tensor output, GradOptions options) {
        Tensor[] gradOutputs = options.gradOutputsUnsafe();
        if (gradOutputs != null && gradOutputs.length != 1)
            throw new IllegalArgumentException("backward: " + gradOutputs.length + " gradOutputs for one output");
        boolean createGraph = options.createsGraph();
        Map<Node, Tensor> grads = run(new Tensor[] {output}, gradOutputs, null, options.retainsGraph(), createGraph);
        for (Map.Entry<Node, Tensor> e : grads.entrySet()) {
            Tensor leaf = e.getKey().leaf;
            Tensor old = leaf.grad();
            Tensor g = e.getValue();
            if (!createGraph) g = g.detach();
            leaf.setGrad(old == null ? g : plus(old, g));
        }
    }

    // ------------------------------------------------------------------ the walker

    /** Runs backward from the outputs; returns the gradients reaching the targets (all leaves when null). */
    private static Map<Node, Tensor> run(Tensor[] outputs, Tensor[] gradOutputs, IdentityHashMap<Node, Boolean> targets,
                                         boolean retainGraph, boolean createGraph) {
        Node[] roots = new Node[outputs.length];
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            if (!out.requiresGrad())
                throw new IllegalArgumentException("grad: output " + i + " of shape " + Shape.str(out.shape())
                        + " does not require grad: nothing it was computed from requires grad, or it was computed under noGrad");
            roots[i] = out.gradNode();
            Tensor seed = gradOutputs == null ? null : gradOutputs[i];
            if (seed == null) {
                if (out.numel() != 1)
                    throw new IllegalArgumentException("grad: output " + i + " has shape " + Shape.str(out.shape())
                            + ", not one element; pass a gradOutput of that shape");
                seed = out.detach().onesLike();
            } else if (!Arrays.equals(seed.shape(), out.shape())) {
                throw new IllegalArgumentException("grad: gradOutput " + i + " has shape " + Shape.str(seed.shape())
                        + " but output " + i + " has shape " + Shape.str(out.shape()));
            }
            seeds[i] = seed;
        }

        List<Node> order = topologicalOrder(roots);
        IdentityHashMap<Node, Boolean> needed = new IdentityHashMap<>();
        for (Node n : order) { // children come before parents in this order
            boolean need = targets == null ? n.isLeaf() : targets.containsKey(n);
            for (Node c : n.next) if (c != null && needed.containsKey(c)) need = true;
            if (need) needed.put(n, Boolean.TRUE);
        }

        IdentityHashMap<Node, Tensor> grads = new IdentityHashMap<>();
        GradientSums sums = new GradientSums(!createGraph);
        for (int i = 0; i < roots.length; i++) {
            if (needed.containsKey(roots[i])) grads.merge(roots[i], seeds[i], sums::add);
        }

        IdentityHashMap<Node, Tensor> result = new IdentityHashMap<>();
        GradientRecycler recycler = GradientRecycler.start(createGraph, retainGraph);
        try (GradMode.Scope scope = createGraph ? GradMode.enableGrad() : GradMode.noGrad()) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Node n = order.get(k);
                if (!needed.containsKey(n)) continue;
                Tensor g = grads.remove(n);
                if (g == null) continue;
                sums.release(g);
                if (targets == null ? n.isLeaf() : targets.containsKey(n)) result.put(n, g);
                if (n.isLeaf()) continue;
                if (n.rule == null)
                    throw new IllegalStateException("backward through a freed graph at " + n.describe()
                            + ": an earlier backward pass freed it; pass GradOptions.retainGraph() to the first pass to differentiate twice");
                BackwardRule rule = n.rule;
                if (recycler != null) recycler.beginNode();
                boolean[] wanted = new boolean[n.next.length];
                for (int i = 0; i < wanted.length; i++) wanted[i] = n.next[i] != null && needed.containsKey(n.next[i]);
                boolean[] outer = WANTED.get();
                WANTED.set(wanted);
                Tensor[] gin;
                try {
                    gin = Anomaly.inBackwardOf(n.describe(), () -> rule.apply(g));
                } finally {
                    WANTED.set(outer);
                }
                for (int i = 0; i < n.next.length; i++) {
                    Node c = n.next[i];
                    if (c == null || gin[i] == null || !needed.containsKey(c)) continue;
                    Tensor gi = reduceTo(gin[i], n.inputShapes[i], n, i);
                    if (Anomaly.isEnabled()) Anomaly.requireFinite("backward of " + n.describe() + ", gradient for input " + i, gi);
                    Tensor prev = grads.get(c), merged = prev == null ? gi : sums.add(prev, gi);
                    grads.put(c, merged);
                    if (recycler != null && prev != null && merged != prev) recycler.replaced(prev);
                }
                if (recycler != null) recycler.endNode(g, rule, grads.values(), result.values());
            }
        } finally {
            if (recycler != null) recycler.close();
        }
        if (!retainGraph) {
            for (Node n : order) {
                if (needed.containsKey(n)) n.rule = null;
            }
        }
        return result;
    }

    private static Tensor plus(Tensor a, Tensor b) {
        return GradientSums.sum(a, b);
    }

    private static Tensor reduceTo(Tensor g, int[] shape, Node n, int input) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        if (!Shape.broadcastsTo(shape, gs))
            throw new IllegalStateException("internal: backward of " + n.describe() + " returned a gradient of shape "
                    + Shape.str(gs) + " for input " + input + " of shape " + Shape.str(shape));
        return g.sumToShape(shape);
    }

    /** Post-order DFS from the roots (iterative): every node appears after all nodes it points to. */
    private static List<Node> topologicalOrder(Node[] roots) {
        List<Node> order = new ArrayList<>();
        IdentityHashMap<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (Node r : roots) {
            if (r == null || visited.containsKey(r)) continue;
            visited.put(r, Boolean.TRUE);
            stack.push(new Object[] {r, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Node n = (Node) top[0];
                int i = (Integer) top[1];
                if (i < n.next.length) {
                    top[1] = i + 1;
                    Node c = n.next[i];
                    if (c != null && !visited.containsKey(c)) {
                        visited.put(c, Boolean.TRUE);
                        stack.push(new Object[] {c, 0});
                    }
                } else {
                    stack.pop();
                    order.add(n);
                }
            }
        }
        return order;
    }
}
