package dev.brink.nn.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.engine.DType;
import dev.brink.engine.GradMode;
import dev.brink.engine.Shape;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A first-order optimizer over an ordered set of named parameters, with PyTorch's semantics.
 *
 * <p>Construct it over {@code model.trainableParameters()} (or any ordered {@code Map<String, Tensor>} of leaf
 * tensors, names like {@code layers.0.weight}). A training step is then either
 * <pre>{@code
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();                  // uses each parameter's grad(); parameters with a null grad are left alone
 * }</pre>
 * or, with gradients obtained from {@link dev.brink.engine.Autograd#grad}, {@code opt.step(gradsByName)} /
 * {@code opt.step(gradArray)}. Updates run under {@link GradMode#noGrad()} and overwrite the parameters in place
 * ({@link Tensor#assign}), so modules keep seeing the same tensor objects; no graph is recorded.
 *
 * <p><b>State.</b> Per-parameter state is created lazily at a parameter's first update (as in PyTorch) and is
 * exposed by {@link #state()} as tensors keyed {@code <slot>.<parameter name>}, for example
 * {@code momentum.layers.0.weight} or {@code exp_avg_sq.layers.0.bias}; slot names contain no dot, so the key
 * splits at its first dot. Counters such as Adam's step count are 0-d float64 tensors. Together with
 * {@link #config()} (hyper-parameters as JSON, including the current learning rate) this is a checkpoint:
 * {@code Optimizer.fromConfig(config, params).loadState(state)} continues exactly where the original would have.
 *
 * <p>The optimizer never modifies a state tensor in place: each update replaces it with a new tensor. So the
 * map returned by {@link #state()} is a stable snapshot that later steps do not change.
 *
 * <p>Hyper-parameters are fixed at construction except the learning rate, which a {@link Schedule} typically
 * drives: {@code opt.setLearningRate(schedule.value(epoch))} before each epoch (or step).
 */
public abstract class Optimizer {
    private final LinkedHashMap<String, Tensor> params;
    /** Parameter name -> its state; absent until the parameter's first update. */
    private final LinkedHashMap<String, ParamState> state = new LinkedHashMap<>();
    private double lr;

    /**
     * @param params named parameters, in order (copied); each a floating-point leaf tensor, no tensor twice
     * @param lr the learning rate, finite and {@code >= 0}
     */
    protected Optimizer(Map<String, Tensor> params, double lr) {
        Objects.requireNonNull(params, "params");
        if (params.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": empty parameter map");
        this.params = new LinkedHashMap<>();
        IdentityHashMap<Tensor, String> seen = new IdentityHashMap<>();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            String name = e.getKey();
            Tensor p = e.getValue();
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("parameter names must be non-empty");
            if (p == null) throw new IllegalArgumentException("parameter '" + name + "' is null");
            if (!p.dtype().isFloating())
                throw new IllegalArgumentException("parameter '" + name + "' has dtype " + p.dtype().label() + "; only floating tensors can be optimized");
            if (!p.isLeaf())
                throw new IllegalArgumentException("parameter '" + name + "' is not a leaf (produced by " + p.gradFn() + "); an optimizer updates leaf tensors");
            String other = seen.put(p, name);
            if (other != null)
                throw new IllegalArgumentException("the same tensor appears as parameters '" + other + "' and '" + name + "'");
            this.params.put(name, p);
        }
        setLearningRate(lr);
    }

    // ------------------------------------------------------------------ what subclasses define

    /**
     * The per-parameter state slots, in the order {@link #state()} lists them. A slot name contains no dot. A
     * parameter's state is all of these slots or none of them.
     */
    protected abstract List<Slot> slots();

    /**
     * Updates one parameter in place given its gradient. Runs with recording off. {@code st} is the parameter's
     * state, empty at its first update; the method stores the new slot values in it (never modifying a slot
     * tensor in place).
     *
     * @param param the parameter (update it with {@link Tensor#assign})
     * @param grad its gradient: same shape and dtype, detached
     * @param st its state
     */
    protected abstract void update(Tensor param, Tensor grad, ParamState st);

    /** The hyper-parameters as a JSON object with a {@code "type"} field, read back by {@link #fromConfig}. */
    protected abstract ObjectNode configJson();

    /** A per-parameter state slot; a {@code counter} holds a non-negative integer, exposed as a 0-d float64 tensor. */
    protected record Slot(String name, boolean counter) {
        /** Validates the name (non-empty, no dot). */
        public Slot {
            if (name == null || name.isEmpty() || name.indexOf('.') >= 0)
                throw new IllegalArgumentException("slot names must be non-empty and contain no '.': " + name);
        }
    }

    /** One parameter's state: slot tensors and counters. */
    protected static final class ParamState {
        private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        private final LinkedHashMap<String, Long> counters = new LinkedHashMap<>();

        /** True before the parameter's first update. */
        public boolean isEmpty() {
            return tensors.isEmpty() && counters.isEmpty();
        }

        /** The tensor in {@code slot}, or null. */
        public Tensor tensor(String slot) {
            return tensors.get(slot);
        }

        /** Stores a new tensor in {@code slot} (do not modify it in place afterwards). */
        public void setTensor(String slot, Tensor t) {
            tensors.put(slot, Objects.requireNonNull(t, slot));
        }

        /** The counter in {@code slot}, 0 when unset. */
        public long counter(String slot) {
            return counters.getOrDefault(slot, 0L);
        }

        /** Sets the counter in {@code slot}. */
        public void setCounter(String slot, long value) {
            counters.put(slot, value);
        }
    }

    // ------------------------------------------------------------------ parameters and learning rate

    /** The parameters by name, in order (unmodifiable). */
    public final Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** The current learning rate. */
    public final double learningRate() {
        return lr;
    }

    /** Sets the learning rate used by the following steps (finite, {@code >= 0}). */
    public final void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid learning rate " + lr + " (must be finite and >= 0)");
        this.lr = lr;
    }

    /** Clears every parameter's accumulated gradient ({@link Tensor#zeroGrad()}, i.e. sets it to null). */
    public final void zeroGrad() {
        for (Tensor p : params.values()) p.zeroGrad();
    }

    // ------------------------------------------------------------------ steps

    /** One update of every parameter whose {@link Tensor#grad()} is non-null, using that gradient. */
    public final void step() {
        LinkedHashMap<String, Tensor> grads = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            if (p.grad() != null) grads.put(name, p.grad());
        });
        apply(grads);
    }

    /**
     * One update with explicitly given gradients (for example from {@link dev.brink.engine.Autograd#grad}),
     * ignoring {@link Tensor#grad()}. Parameters absent from the map (or mapped to null) are left alone, as
     * PyTorch leaves parameters without a gradient. Every gradient is checked before any parameter changes.
     *
     * @param grads gradients by parameter name, each with its parameter's shape and dtype
     * @throws IllegalArgumentException for a name that is not a parameter, or a gradient of the wrong shape or dtype
     */
    public final void step(Map<String, Tensor> grads) {
        Objects.requireNonNull(grads, "grads");
        for (String name : grads.keySet()) {
            if (!params.containsKey(name))
                throw new IllegalArgumentException("step: gradient for '" + name + "', which is not a parameter of this optimizer (parameters: "
                        + String.join(", ", params.keySet()) + ")");
        }
        LinkedHashMap<String, Tensor> ordered = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            Tensor g = grads.get(name);
            if (g != null) ordered.put(name, g);
        });
        apply(ordered);
    }

    /**
     * One update with gradients given in parameter order ({@code grads[i]} for the i-th entry of
     * {@link #parameters()}, as {@code Autograd.grad(loss, params.values().toArray(new Tensor[0]))} returns them);
     * null entries leave their parameter alone.
     */
    public final void step(Tensor... grads) {
        Objects.requireNonNull(grads, "grads");
        if (grads.length != params.size())
            throw new IllegalArgumentException("step: " + grads.length + " gradients for " + params.size() + " parameters");
        LinkedHashMap<String, Tensor> byName = new LinkedHashMap<>();
        int i = 0;
        for (String name : params.keySet()) {
            if (grads[i] != null) byName.put(name, grads[i]);
            i++;
        }
        apply(byName);
    }

    private void apply(Map<String, Tensor> grads) {
        for (Map.Entry<String, Tensor> e : grads.entrySet()) {
            Tensor p = params.get(e.getKey());
            Tensor g = e.getValue();
            if (!Arrays.equals(g.shape(), p.shape()))
                throw new IllegalArgumentException("step: gradient for '" + e.getKey() + "' has shape " + Shape.str(g.shape())
                        + " but the parameter has shape " + Shape.str(p.shape()));
            if (g.dtype() != p.dtype())
                throw new IllegalArgumentException("step: gradient for '" + e.getKey() + "' has dtype " + g.dtype().label()
                        + " but the parameter has dtype " + p.dtype().label());
        }
        // the state tensors (moments, momentum buffers) live across steps: allocated outside any TensorScope
        TensorScope.outside(() -> {
            try (GradMode.Scope scope = GradMode.noGrad()) {
                for (Map.Entry<String, Tensor> e : grads.entrySet()) {
                    String name = e.getKey();
                    ParamState st = state.computeIfAbsent(name, k -> new ParamState());
                    update(params.get(name), e.getValue().detach(), st);
                }
            }
        });
    }

    // ------------------------------------------------------------------ state

    /**
     * The optimizer state as tensors keyed {@code <slot>.<parameter name>}: parameter-major (in parameter order),
     * then slots in {@link #slots()} order. Parameters that were never updated have no entries. Counters are 0-d
     * float64 tensors. The map and its tensors are new copies (the optimizers update their state in place), so later
     * steps do not change them.
     */
    public final Map<String, Tensor> state() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            ParamState st = state.get(name);
            if (st == null || st.isEmpty()) continue;
            for (Slot s : slots()) {
                String key = s.name() + "." + name;
                if (s.counter()) out.put(key, Tensor.scalar(DType.FLOAT64, st.counter(s.name())));
                else out.put(key, st.tensor(s.name()).detach().zerosLike().assign(st.tensor(s.name())));
            }
        }
        return out;
    }

    /**
     * Replaces the whole optimizer state with {@code saved} (as produced by {@link #state()}), copying the tensors
     * onto each parameter's backend and dtype. Parameters without entries get empty state (as if never updated).
     * Everything is checked before anything changes.
     *
     * @throws IllegalArgumentException naming the entry: a key whose slot or parameter is unknown (unexpected),
     *     a parameter that has some but not all slots (missing), a tensor whose shape differs from its
     *     parameter's (or a counter that is not a 0-d non-negative integer)
     */
    public final void loadState(Map<String, Tensor> saved) {
        Objects.requireNonNull(saved, "state");
        List<Slot> slots = slots();
        LinkedHashMap<String, Slot> slotByName = new LinkedHashMap<>();
        for (Slot s : slots) slotByName.put(s.name(), s);
        String kind = getClass().getSimpleName();
        String slotList = slots.isEmpty() ? "none" : String.join(", ", slots.stream().map(Slot::name).toList());

        LinkedHashMap<String, ParamState> fresh = new LinkedHashMap<>();
        LinkedHashMap<String, List<String>> present = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            int dot = key == null ? -1 : key.indexOf('.');
            if (dot <= 0)
                throw new IllegalArgumentException("loadState: unexpected entry '" + key + "': keys are <slot>.<parameter name> (" + kind + " slots: " + slotList + ")");
            String slotName = key.substring(0, dot);
            String name = key.substring(dot + 1);
            Slot slot = slotByName.get(slotName);
            if (slot == null)
                throw new IllegalArgumentException("loadState: unexpected entry '" + key + "': " + kind + " has no slot '" + slotName + "' (slots: " + slotList + ")");
            Tensor p = params.get(name);
            if (p == null)
                throw new IllegalArgumentException("loadState: unexpected entry '" + key + "': no parameter named '" + name + "'");
            if (t == null) throw new IllegalArgumentException("loadState: entry '" + key + "' is null");
            ParamState st = fresh.computeIfAbsent(name, k -> new ParamState());
            present.computeIfAbsent(name, k -> new ArrayList<>()).add(slotName);
            if (slot.counter()) {
                if (t.dim() != 0)
                    throw new IllegalArgumentException("loadState: entry '" + key + "' has shape " + Shape.str(t.shape()) + "; a counter is 0-d ([])");
                double v = t.item();
                if (!(v >= 0) || v != Math.rint(v) || v > 1e15)
                    throw new IllegalArgumentException("loadState: entry '" + key + "' holds " + v + "; a counter is a non-negative integer");
                st.setCounter(slotName, (long) v);
            } else {
                if (!Arrays.equals(t.shape(), p.shape()))
                    throw new IllegalArgumentException("loadState: entry '" + key + "' has shape " + Shape.str(t.shape())
                            + " but parameter '" + name + "' has shape " + Shape.str(p.shape()));
                st.setTensor(slotName, Tensor.fromHost(p.backend(), p.dtype(), t.toDoubleArray(), p.shape()));
            }
        }
        for (Map.Entry<String, List<String>> e : present.entrySet()) {
            for (Slot s : slots) {
                if (!e.getValue().contains(s.name()))
                    throw new IllegalArgumentException("loadState: missing entry '" + s.name() + "." + e.getKey() + "' (state of parameter '"
                            + e.getKey() + "' has " + String.join(", ", e.getValue()) + "; " + kind + " needs all of " + slotList + ")");
            }
        }
        state.clear();
        for (String name : params.keySet()) {
            ParamState st = fresh.get(name);
            if (st != null) state.put(name, st);
        }
    }

    // ------------------------------------------------------------------ config

    /**
     * The hyper-parameters as a JSON object, e.g.
     * {@code {"type":"adam","lr":0.001,"beta1":0.9,"beta2":0.999,"eps":1.0E-8,"weight_decay":0.0,"adamw":false}};
     * {@code "lr"} is the current learning rate. Doubles are written so that they parse back to the same value.
     */
    public final String config() {
        return Json.write(configJson());
    }

    /**
     * Recreates an optimizer from {@link #config()} over {@code params} (the state is not part of the config: follow
     * with {@link #loadState}). The {@code "type"} field selects the class: {@code "sgd"} ({@link Sgd}) or
     * {@code "adam"} ({@link Adam}). Absent hyper-parameters take their defaults; unknown fields are an error.
     */
    public static Optimizer fromConfig(String json, Map<String, Tensor> params) {
        ObjectNode n = Json.parse(json, "optimizer config");
        String type = Json.type(n, "optimizer config");
        return switch (type) {
            case "sgd" -> Sgd.fromConfig(n, params);
            case "adam" -> Adam.fromConfig(n, params);
            default -> throw new IllegalArgumentException("optimizer config: unknown type \"" + type + "\" (known: sgd, adam)");
        };
    }

    /** The class name and its config. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + config();
    }

    static void requireNonNegative(String what, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v))
            throw new IllegalArgumentException(what + ": invalid " + name + " " + v + " (must be finite and >= 0)");
    }
}
