package dev.brink.engine;

/**
 * Named options of {@link Autograd#grad(Tensor[], Tensor[], GradOptions)} and
 * {@link Autograd#backward(Tensor, GradOptions)}, the counterparts of PyTorch's {@code torch.autograd.grad} keyword
 * arguments {@code grad_outputs}, {@code retain_graph}, {@code create_graph} and {@code allow_unused}.
 *
 * <p>Immutable: start from {@link #defaults()} and chain what you need; each method returns a new instance.
 * <pre>{@code
 * // double backprop: the gradient stays differentiable
 * Tensor gx = Autograd.grad(loss, x, GradOptions.defaults().createGraph())[0];
 * // a vector-Jacobian product of a non-scalar output, keeping the graph for a second pass
 * Tensor vjp = Autograd.grad(logits, x, GradOptions.defaults().gradOutputs(v).retainGraph())[0];
 * }</pre>
 *
 * <p>The defaults are those of PyTorch: no output gradients (allowed only for one-element outputs, which are seeded
 * with 1), the traversed graph is freed, the backward pass is not recorded, and an input the outputs do not depend
 * on is an error.
 */
public final class GradOptions {
    private static final GradOptions DEFAULTS = new GradOptions(null, false, false, false);

    private final Tensor[] gradOutputs;
    private final boolean retainGraph;
    private final boolean createGraph;
    private final boolean allowUnused;

    private GradOptions(Tensor[] gradOutputs, boolean retainGraph, boolean createGraph, boolean allowUnused) {
        this.gradOutputs = gradOutputs;
        this.retainGraph = retainGraph;
        this.createGraph = createGraph;
        this.allowUnused = allowUnused;
    }

    /**
     * No output gradients, free the graph, do not record the backward pass, fail on unused inputs: what
     * {@link Autograd#grad(Tensor, Tensor...)} uses.
     */
    public static GradOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Seeds the backward pass with these output gradients ({@code grad_outputs}): one per output, each with its
     * output's shape, dtype and backend; a null entry means ones and is allowed only for a one-element output.
     * The gradients computed are then those of {@code sum_i <outputs[i], gradOutputs[i]>}, i.e. a vector-Jacobian
     * product. Passing nothing (or null) clears them.
     */
    public GradOptions gradOutputs(Tensor... gradOutputs) {
        Tensor[] g = gradOutputs == null || gradOutputs.length == 0 ? null : gradOutputs.clone();
        return new GradOptions(g, retainGraph, createGraph, allowUnused);
    }

    /**
     * Keeps the traversed graph ({@code retain_graph=True}) so that it can be differentiated again, e.g. once per
     * class over one recorded forward pass. Without it the graph is freed and a second pass through it fails with
     * an error naming the op.
     */
    public GradOptions retainGraph() {
        return retainGraph(true);
    }

    /** {@link #retainGraph()} when {@code retain} is true; the default (free the graph) when false. */
    public GradOptions retainGraph(boolean retain) {
        return new GradOptions(gradOutputs, retain, createGraph, allowUnused);
    }

    /**
     * Records the backward pass ({@code create_graph=True}), so the returned gradients are themselves
     * differentiable: double backprop, Hessian-vector products, gradient penalties. The graph is then always
     * retained, whatever {@link #retainGraph(boolean)} says, since the results refer back to it.
     */
    public GradOptions createGraph() {
        return createGraph(true);
    }

    /** {@link #createGraph()} when {@code create} is true; the default (gradients are constants) when false. */
    public GradOptions createGraph(boolean create) {
        return new GradOptions(gradOutputs, retainGraph, create, allowUnused);
    }

    /**
     * Returns zeros (of the input's shape, dtype and backend) for an input that the outputs do not depend on,
     * instead of failing ({@code allow_unused=True}; PyTorch returns None there). Ignored by
     * {@link Autograd#backward(Tensor, GradOptions)}, which only fills the leaves it reaches.
     */
    public GradOptions allowUnused() {
        return allowUnused(true);
    }

    /** {@link #allowUnused()} when {@code allow} is true; the default (unused inputs are an error) when false. */
    public GradOptions allowUnused(boolean allow) {
        return new GradOptions(gradOutputs, retainGraph, createGraph, allow);
    }

    /** The output gradients, or null when none were given (ones for one-element outputs). */
    public Tensor[] gradOutputs() {
        return gradOutputs == null ? null : gradOutputs.clone();
    }

    /** Whether the graph is kept after the pass: {@link #retainGraph()} or {@link #createGraph()} was asked for. */
    public boolean retainsGraph() {
        return retainGraph || createGraph;
    }

    /** Whether the backward pass is recorded, making the gradients differentiable. */
    public boolean createsGraph() {
        return createGraph;
    }

    /** Whether inputs the outputs do not depend on get zero gradients instead of an error. */
    public boolean allowsUnused() {
        return allowUnused;
    }

    Tensor[] gradOutputsUnsafe() {
        return gradOutputs;
    }

    @Override
    public String toString() {
        return "GradOptions[gradOutputs=" + (gradOutputs == null ? "none" : String.valueOf(gradOutputs.length))
                + ", retainGraph=" + retainGraph + ", createGraph=" + createGraph + ", allowUnused=" + allowUnused + "]";
    }
}
