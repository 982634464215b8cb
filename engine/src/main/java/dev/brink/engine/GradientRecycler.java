package dev.brink.engine;

import dev.brink.engine.backend.Storage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Hands the memory of a backward pass's dead gradients and temporaries back to their backend
 * ({@link dev.brink.engine.backend.Backend#recycle}), for {@link Autograd}'s walker, so that a training loop does not
 * turn every step's gradients into garbage.
 *
 * <p>Only storages allocated on this thread during the pass ({@link Tensor#empty} reports them) are candidates, and
 * only in passes that record no graph and free it ({@code createGraph} and {@code retainGraph} off, anomaly
 * detection off): then nothing outside the walker ever saw them. After a node's backward rule ran and its
 * gradients were handed on, the candidates are the node's own gradient, every storage allocated while the rule and
 * the hand-on ran (the rule's temporaries, broadcast reductions, sums) and the accumulators a sum replaced; a
 * candidate is recycled when no pending gradient and no result of the pass shares its storage (views and aliases
 * share the storage object). A rule outside the engine's own packages (a user's op) may keep what it is given or
 * makes, so neither its gradient nor anything allocated while it ran is ever recycled. {@code -Dbrink.recycle=false}
 * turns recycling off.
 */
final class GradientRecycler {
    private static final boolean ENABLED = !"false".equals(System.getProperty("brink.recycle"));
    private static final ThreadLocal<GradientRecycler> ACTIVE = new ThreadLocal<>();
    private static final String ENGINE_PACKAGE = "dev.brink.engine.";

    private final GradientRecycler outer;
    private final IdentityHashMap<Storage, Boolean> fresh = new IdentityHashMap<>();
    private final List<Storage> window = new ArrayList<>();
    private final List<Tensor> displaced = new ArrayList<>();
    private long recycled;

    private GradientRecycler(GradientRecycler outer) {
        this.outer = outer;
    }

    /** A recycler for a pass with these options, active on this thread until {@link #close}; null when none applies. */
    static GradientRecycler start(boolean createGraph, boolean retainGraph) {
        if (!ENABLED || createGraph || retainGraph || Anomaly.isEnabled()) return null;
        GradientRecycler r = new GradientRecycler(ACTIVE.get());
        ACTIVE.set(r);
        return r;
    }

    /** Ends the pass (restores an enclosing pass's recycler, if one is running on this thread). */
    void close() {
        ACTIVE.set(outer);
    }

    /** Called by {@link Tensor#empty} for every new storage. */
    static void noteAllocation(Storage s) {
        GradientRecycler r = ACTIVE.get();
        if (r != null) {
            r.fresh.put(s, Boolean.TRUE);
            r.window.add(s);
        }
    }

    /** A node's rule is about to run: what is allocated from now on is its window. */
    void beginNode() {
        window.clear();
        displaced.clear();
    }

    /** A sum replaced the accumulator {@code old} of a pending gradient. */
    void replaced(Tensor old) {
        displaced.add(old);
    }

    /**
     * The node whose gradient was {@code g} has handed its gradients on; recycles what is dead.
     *
     * @param rule the node's backward rule (its class decides whether it is the engine's own)
     * @param pending the gradients still waiting for their nodes
     * @param results the gradients the pass returns
     */
    void endNode(Tensor g, Object rule, Collection<Tensor> pending, Collection<Tensor> results) {
        if (!rule.getClass().getName().startsWith(ENGINE_PACKAGE)) {
            fresh.remove(g.storage());
            for (Storage s : window) fresh.remove(s);
            for (Tensor t : displaced) fresh.remove(t.storage());
        } else if (anyFresh(g)) {
            IdentityHashMap<Storage, Boolean> live = new IdentityHashMap<>();
            for (Tensor t : pending) live.put(t.storage(), Boolean.TRUE);
            for (Tensor t : results) live.put(t.storage(), Boolean.TRUE);
            recycleIfDead(g.storage(), live);
            for (Storage s : window) recycleIfDead(s, live);
            for (Tensor t : displaced) recycleIfDead(t.storage(), live);
        }
        window.clear();
        displaced.clear();
    }

    /** Whether any candidate of this node is still a fresh storage (else there is nothing to decide). */
    private boolean anyFresh(Tensor g) {
        if (fresh.containsKey(g.storage())) return true;
        for (Storage s : window) if (fresh.containsKey(s)) return true;
        for (Tensor t : displaced) if (fresh.containsKey(t.storage())) return true;
        return false;
    }

    private void recycleIfDead(Storage s, IdentityHashMap<Storage, Boolean> live) {
        if (live.containsKey(s) || fresh.remove(s) == null) return;
        recycled++;
        s.backend().recycle(s);
    }

    /** Storages recycled so far in this pass. */
    long recycled() {
        return recycled;
    }
}
