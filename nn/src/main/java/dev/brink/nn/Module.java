package dev.brink.nn;

import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node of a model: its own parameters (trainable leaf tensors), buffers (state saved with the model but not
 * trained, such as batch-norm running statistics) and named children. Names follow PyTorch's
 * {@code state_dict}: a child's entries are prefixed with its name and a dot ({@code layers.0.weight}).
 *
 * <p>{@link #train()} and {@link #eval()} switch the mode of the whole tree (dropout and batch norm behave
 * differently); {@link #freeze()} stops a subtree's parameters from requiring gradients.
 *
 * <h2>Thread safety</h2>
 * Inference on one model from many threads is safe once the model is in eval mode: {@link #forward} in eval mode
 * only reads parameters and buffers (batch norm uses its running statistics, dropout is the identity), each thread
 * records its own graph ({@code GradMode} is per thread, so is the CPU backend's scratch memory), and input
 * gradients through {@code Autograd.grad(output, input)} (what the attacks compute) touch no shared state. On the
 * CPU backend results equal a sequential run's, bit for bit (tested by {@code ConcurrentInferenceTest}); the CUDA
 * backend is not tested for concurrent callers. Everything that changes the
 * model needs exclusive access, and so does a thread running concurrently with it: {@link #train()}/{@link #eval()},
 * a training-mode forward (batch norm updates its running statistics, dropout draws from the model's
 * {@link #setGenerator generator}), {@code Tensor.backward()} (it accumulates into the parameters' {@code grad}),
 * optimizer steps, {@link #setParameter}, {@link #freeze()}, {@link #to} and loading weights. Switch to eval mode
 * before sharing the model between threads; the model classes hold no locks.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private Generator generator = new Generator(0);

    /** Applies the module to a batch. */
    public abstract Tensor forward(Tensor x);

    /** Registers a trainable parameter (made a leaf that requires grad) and returns it. */
    protected final Tensor parameter(String name, Tensor value) {
        checkName(name);
        Tensor p = value.detach().requiresGrad(true);
        parameters.put(name, p);
        return p;
    }

    /** This module's own parameter {@code name} (layers read their weights through this, never from fields). */
    protected final Tensor param(String name) {
        Tensor t = parameters.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'");
        return t;
    }

    /** This module's own buffer {@code name}. */
    protected final Tensor buf(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        return t;
    }

    /** True when this module has its own parameter {@code name} (e.g. an optional bias). */
    protected final boolean hasParam(String name) {
        return parameters.containsKey(name);
    }

    /**
     * Replaces the parameter at a dotted path with {@code value} as given (not detached), e.g. to differentiate
     * with respect to weights supplied from outside (gradient checks, functional training). Shape must match.
     */
    public final void setParameter(String dottedName, Tensor value) {
        int dot = dottedName.indexOf('.');
        if (dot >= 0) {
            Module c = children.get(dottedName.substring(0, dot));
            if (c == null) throw new IllegalArgumentException("no child '" + dottedName.substring(0, dot) + "' in " + getClass().getSimpleName());
            c.setParameter(dottedName.substring(dot + 1), value);
            return;
        }
        Tensor old = param(dottedName);
        if (!java.util.Arrays.equals(old.shape(), value.shape()))
            throw new IllegalArgumentException("setParameter " + dottedName + ": shape " + dev.brink.engine.Shape.str(value.shape())
                    + " differs from " + dev.brink.engine.Shape.str(old.shape()));
        parameters.put(dottedName, value);
    }

    /**
     * Converts every parameter and buffer of the tree to {@code dtype} (new leaf tensors; frozen parameters stay
     * frozen). Float64 models are what gradient checks need.
     */
    public final Module to(dev.brink.engine.DType dtype) {
        parameters.replaceAll((k, v) -> v.detach().to(dtype).detach().requiresGrad(v.requiresGrad()));
        buffers.replaceAll((k, v) -> v.detach().to(dtype).detach());
        children.values().forEach(c -> c.to(dtype));
        return this;
    }

    /** Registers a buffer (saved and loaded with the model, never trained) and returns it. */
    protected final Tensor buffer(String name, Tensor value) {
        checkName(name);
        Tensor b = value.detach();
        buffers.put(name, b);
        return b;
    }

    /** Registers a child module and returns it. */
    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("module entry name '" + name + "' must be non-empty and contain no '.'");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException("module entry '" + name + "' is registered twice in " + getClass().getSimpleName());
    }

    /** Direct children, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of the tree by dotted name (frozen ones included), in registration order. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** The parameters that currently require grad (not frozen), by dotted name: what an optimizer updates. */
    public final Map<String, Tensor> trainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> {
            if (v.requiresGrad()) out.put(k, v);
        });
        return out;
    }

    /** Every buffer of the tree by dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** Parameters and buffers by dotted name, as saved in model files (PyTorch's state_dict order). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (bufs) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, c) -> c.collect(prefix + k + ".", out, params, bufs));
    }

    /** Total number of parameter elements. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.numel();
        return n;
    }

    /** Training mode for the whole tree (dropout active, batch norm uses and updates batch statistics). */
    public final Module train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode for the whole tree. */
    public final Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean value) {
        training = value;
        children.values().forEach(c -> c.setTraining(value));
    }

    /** True in training mode. */
    public final boolean isTraining() {
        return training;
    }

    /** Stops every parameter of this subtree from requiring gradients (they drop out of trainableParameters()). */
    public final Module freeze() {
        for (Tensor p : namedParameters().values()) p.requiresGrad(false);
        return this;
    }

    /** Makes every parameter of this subtree trainable again. */
    public final Module unfreeze() {
        for (Tensor p : namedParameters().values()) p.requiresGrad(true);
        return this;
    }

    /** The random stream used by stochastic layers (dropout) of the whole tree; set it to seed a training run. */
    public final Module setGenerator(Generator gen) {
        generator = gen;
        children.values().forEach(c -> c.setGenerator(gen));
        return this;
    }

    protected final Generator generator() {
        return generator;
    }

    @Override
    public String toString() {
        return describe("");
    }

    /** One line per module of the tree, indented, with its own summary. */
    public String describe(String indent) {
        StringBuilder sb = new StringBuilder(indent).append(summary());
        for (Map.Entry<String, Module> e : children.entrySet())
            sb.append('\n').append(e.getValue().describe(indent + "  ").replaceFirst("^(\\s*)", "$1(" + e.getKey() + ") "));
        return sb.toString();
    }

    /** A short description of this module alone, e.g. {@code Conv2d(3 -> 32, kernel 3x3, stride 1, padding 1)}. */
    protected String summary() {
        return getClass().getSimpleName();
    }
}
