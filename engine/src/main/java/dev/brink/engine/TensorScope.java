package dev.brink.engine;

import dev.brink.engine.backend.Storage;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A region of a thread's work (one training step, one attack iteration) whose tensors die when it ends: on
 * {@link #close} the memory of every tensor allocated in it on this thread, and not {@linkplain #keep kept}, goes
 * back to its backend, so that the next step of a loop reuses it instead of allocating afresh and leaving the old
 * arrays to the garbage collector.
 *
 * <pre>{@code
 * for (Batch b : loader.epoch(e)) {
 *     try (TensorScope step = TensorScope.open()) {
 *         opt.zeroGrad();
 *         Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
 *         loss.backward();
 *         opt.step();
 *         total += loss.item();          // read what you need before the scope closes
 *     }                                  // activations, logits, loss: their memory is reused by the next step
 * }
 * }</pre>
 *
 * <p>What survives a scope: tensors created before it opened (parameters, data), gradients stored on tensors with
 * {@link Tensor#setGrad} (and so by {@code backward()}), anything allocated inside {@link #outside} (optimizers keep
 * their state that way), and tensors passed to {@link #keep}, which hands them to the enclosing scope (or to no
 * scope at the outermost). A tensor that shares a released tensor's memory (a view of it) is released with it; a
 * kept tensor's autodiff graph is not kept ({@code keep(t.detach())} says so). A loop that carries a few tensors
 * from one iteration to the next (an attack's iterate, its best point) can stay in one scope and call
 * {@link #releaseExcept} with them at the end of each iteration.
 *
 * <p>Using a released tensor fails with an {@link IllegalStateException} naming the tensor's shape (on the CPU
 * backend; other backends may only drop the memory to their allocator), never with another tensor's values.
 * Scopes nest, belong to the thread that opened them, and must close innermost first (try-with-resources does).
 * Allocations made on other threads, and tensors wrapping caller-supplied arrays, are never released. A scope holds
 * its tensors weakly: one that becomes unreachable before the scope closes (an inner loop's old iterates) is left to
 * the garbage collector as without a scope, so a long step does not hold all it ever allocated; if its memory came
 * from the backend's pool (a buffer an earlier scope released), the scope hands that buffer back when it closes
 * ({@link dev.brink.engine.backend.Storage#orphanReclaimer}), so it is reused rather than left for a full
 * collection. Off with
 * {@code -Dbrink.recycle=false} (scopes then track and release nothing).
 */
public final class TensorScope implements AutoCloseable {
    private static final boolean ENABLED = !"false".equals(System.getProperty("brink.recycle"));
    private static final ThreadLocal<TensorScope> ACTIVE = new ThreadLocal<>();

    private final TensorScope outer;
    /** A marker {@link #outside} puts in place of the active scope: owns nothing, keeps the chain for {@link #escape}. */
    private final boolean suspended;
    private final Thread owner = Thread.currentThread();
    // Weak: a storage that dies mid-scope (an inner loop's old iterates) is left to the collector as before, instead
    // of being held until close; what is still reachable at close is what the scope releases. A storage over a buffer
    // the backend recycled before (Storage.orphanReclaimer) that dies mid-scope gives that buffer back at close: a
    // young collection takes the dead storage, and its old-generation array would otherwise wait for a full one.
    private final List<Owned> owned = new ArrayList<>();
    private final IdentityHashMap<Storage, Boolean> kept = new IdentityHashMap<>();
    private final IdentityHashMap<Storage, Boolean> exempt = new IdentityHashMap<>();
    private boolean closed;
    private long released;

    private TensorScope(TensorScope outer, boolean suspended) {
        this.outer = outer;
        this.suspended = suspended;
    }

    /** Opens a scope on this thread, nested in the one already open (if any). */
    public static TensorScope open() {
        TensorScope s = new TensorScope(ACTIVE.get(), false);
        ACTIVE.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null (also inside {@link #outside}). */
    public static TensorScope current() {
        TensorScope s = ACTIVE.get();
        return s == null || s.suspended ? null : s;
    }

    /**
     * Runs {@code body} with no scope active on this thread: what it allocates is owned by no scope and left to the
     * garbage collector (state that outlives the step: optimizer moments, caches, results kept in fields).
     */
    public static <T> T outside(Supplier<T> body) {
        TensorScope saved = ACTIVE.get();
        ACTIVE.set(saved == null ? null : new TensorScope(saved, true));
        try {
            return body.get();
        } finally {
            ACTIVE.set(saved);
        }
    }

    /** {@link #outside(Supplier)} for a body without a result. */
    public static void outside(Runnable body) {
        outside(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Lets {@code t} (its memory, and so every view sharing it) outlive this scope: it is handed to the enclosing
     * scope, which releases it when it closes unless kept again there; at the outermost scope it is left to the
     * garbage collector. A tensor this scope does not own (created before it, or already kept) is left as it is.
     *
     * @return {@code t}, for {@code x = step.keep(x.add(d))}
     */
    public <T extends Tensor> T keep(T t) {
        Objects.requireNonNull(t, "keep: tensor is null");
        checkOpen("keep");
        kept.put(t.storage(), Boolean.TRUE);
        return t;
    }

    /** {@link #keep(Tensor)} for each of {@code ts}. */
    public void keep(Tensor... ts) {
        for (Tensor t : ts) keep(t);
    }

    /**
     * Releases now every tensor this scope owns except {@code live} (and the views sharing their memory), which it
     * goes on owning: for a loop that carries a few tensors from one iteration to the next inside one scope
     * ({@code scope.releaseExcept(x, grad, best)} at the end of each iteration), so that each iteration reuses the
     * memory of the one before. Null entries are ignored.
     *
     * @return how many storages were released
     */
    public int releaseExcept(Tensor... live) {
        checkOpen("releaseExcept");
        if (ACTIVE.get() != this)
            throw new IllegalStateException("TensorScope.releaseExcept: an inner scope opened after this one is still open");
        IdentityHashMap<Storage, Boolean> keepNow = new IdentityHashMap<>(kept);
        for (Tensor t : live) if (t != null) keepNow.put(t.storage(), Boolean.TRUE);
        long before = released;
        owned.addAll(sweep(keepNow));
        return (int) (released - before);
    }

    /**
     * Recycles every owned storage that is still alive and neither in {@code keep} nor exempt, and empties
     * {@link #owned}; returns the references of the storages it left alone (alive, kept or exempt).
     */
    private List<Owned> sweep(IdentityHashMap<Storage, Boolean> keep) {
        List<Owned> left = new ArrayList<>();
        for (Owned ref : owned) {
            Storage s = ref.get();
            if (s == null) {
                // died unreleased: its buffer, if the backend gave a reclaimer, goes back for the next step
                if (ref.reclaim != null) ref.reclaim.run();
                continue;
            }
            if (keep.containsKey(s) || exempt.containsKey(s)) {
                left.add(ref);
                continue;
            }
            s.backend().recycle(s);
            released++;
        }
        owned.clear();
        return left;
    }

    /** Tensors' storages released by this scope so far (at close, and by {@link #releaseExcept}). */
    public long releasedCount() {
        return released;
    }

    /** Storages allocated in this scope so far (or handed to it by a closing inner scope), dead ones included. */
    public int ownedCount() {
        return owned.size();
    }

    /**
     * Releases the memory of every tensor allocated in this scope and not kept, and makes the enclosing scope (if
     * any) the active one again. Must run on the thread that opened the scope, innermost scope first.
     */
    @Override
    public void close() {
        if (closed) return;
        checkOwner("close");
        if (ACTIVE.get() != this)
            throw new IllegalStateException("TensorScope.close: an inner scope opened after this one is still open; close it first");
        closed = true;
        ACTIVE.set(outer);
        List<Owned> left = sweep(kept);
        // the kept storages go to the enclosing scope; the exempt ones stay exempt there (so it leaves them alone too)
        if (outer != null && !outer.suspended) {
            outer.owned.addAll(left);
            outer.exempt.putAll(exempt);
        }
        kept.clear();
        exempt.clear();
    }

    private void checkOpen(String what) {
        if (closed) throw new IllegalStateException("TensorScope." + what + ": the scope is closed");
        checkOwner(what);
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner)
            throw new IllegalStateException("TensorScope." + what + ": called on thread '" + Thread.currentThread().getName()
                    + "', but the scope belongs to '" + owner.getName() + "'");
    }

    // ------------------------------------------------------------------ the engine's hooks

    /** A storage was just allocated for a new tensor on this thread ({@link Tensor}'s factories). */
    static void noteAllocation(Storage s) {
        if (!ENABLED) return;
        TensorScope scope = ACTIVE.get();
        if (scope != null && !scope.suspended) scope.owned.add(new Owned(s, s.orphanReclaimer()));
    }

    /** A weak hold on a storage the scope owns, with the backend's reclaimer for its buffer should it die first. */
    private static final class Owned extends WeakReference<Storage> {
        final Runnable reclaim;

        Owned(Storage s, Runnable reclaim) {
            super(s);
            this.reclaim = reclaim;
        }
    }

    /** {@code s} must outlive every scope (a gradient stored on a tensor): no scope of this thread releases it. */
    static void escape(Storage s) {
        TensorScope scope = ACTIVE.get();
        while (scope != null && scope.suspended) scope = scope.outer;
        if (scope != null) scope.exempt.put(s, Boolean.TRUE);
    }
}
