package dev.brink.nn.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Iterates the mini-batches of a {@link Dataset}, one epoch at a time.
 *
 * <p><b>Order.</b> With shuffling on, epoch {@code e} visits the samples in a permutation that is a pure function of
 * {@code (seed, e, dataset size)} (a Fisher–Yates shuffle driven by the engine's counter-based
 * {@link dev.brink.engine.Generator#bits}): the same seed and epoch give the same batches on every run and machine,
 * another epoch gives another order. With shuffling off (evaluation) the order is {@code 0, 1, ..., N-1} every
 * epoch. Every index appears exactly once per epoch, except that with {@code dropLast} the last
 * {@code N mod batchSize} positions of the epoch's order are skipped; otherwise the last batch is smaller.
 *
 * <p><b>Prefetch.</b> By default a background (daemon) thread converts the next batches from bytes to floats
 * while the caller computes on the current one (at most two batches ahead). The tensors themselves are created on
 * the caller's thread in {@link Iterator#next()}, so backends that bind state to threads see only the caller.
 * Close an epoch's iterator ({@link BatchIterator#close()}, or try-with-resources) when leaving it early; an
 * exhausted iterator has already stopped its thread.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(true).seed(7).build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     try (DataLoader.BatchIterator it = loader.iterator(epoch)) {
 *         while (it.hasNext()) { Batch b = it.next(); ... b.x() [B,C,H,W] in [0,1], b.y() int32 [B] ... }
 *     }
 * }
 * for (Batch b : DataLoader.builder(test).batchSize(1000).build()) { ... }   // eval: in order, epoch 0
 * }</pre>
 *
 * <p>A loader is immutable and may start several iterators (each with its own thread).
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final boolean prefetch;

    private DataLoader(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
    }

    /** A builder with batch size 64, no shuffling, seed 0, {@code dropLast} off and prefetching on. */
    public static Builder builder(Dataset data) {
        return new Builder(data);
    }

    /** Configures a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset data;
        private int batchSize = 64;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private boolean prefetch = true;

        private Builder(Dataset data) {
            this.data = Objects.requireNonNull(data, "data");
        }

        /** Samples per batch, at least 1. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize " + batchSize + " < 1");
            this.batchSize = batchSize;
            return this;
        }

        /** Shuffle each epoch (training) or keep the data set's order (evaluation, the default). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the per-epoch permutations. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Skip a last batch smaller than {@code batchSize}. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Convert batches on a background thread (default) or on the caller's thread in {@code next()}. */
        public Builder prefetch(boolean prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public long seed() {
        return seed;
    }

    public boolean dropLast() {
        return dropLast;
    }

    /** Batches per epoch: {@code N / batchSize} rounded down with {@code dropLast}, else rounded up. */
    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Samples per epoch: {@code batchesPerEpoch() * batchSize} with {@code dropLast}, else {@code N}. */
    public int samplesPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : data.size();
    }

    /**
     * The order in which epoch {@code epoch} visits the data set's indices (all {@code N} of them, including those
     * {@code dropLast} skips at the end): the identity without shuffling.
     */
    public int[] order(int epoch) {
        if (!shuffle) {
            int[] p = new int[data.size()];
            for (int i = 0; i < p.length; i++) p[i] = i;
            return p;
        }
        return Shuffle.permutation(data.size(), Shuffle.epochSeed(seed, epoch));
    }

    /** The batches of epoch 0 (for evaluation loaders, which have no epochs to tell apart). */
    @Override
    public BatchIterator iterator() {
        return iterator(0);
    }

    /** The batches of epoch {@code epoch}; close the iterator if you leave the loop early. */
    public BatchIterator iterator(int epoch) {
        return new BatchIterator(order(epoch));
    }

    /** Epoch {@code epoch} as an {@code Iterable}, for a for-each loop (each {@code iterator()} starts afresh). */
    public Iterable<Batch> epoch(int epoch) {
        return () -> iterator(epoch);
    }

    private record Prepared(int[] indices, float[] x, int[] y, Throwable error) {}

    private static final Prepared END = new Prepared(null, null, null, null);

    /** The batches of one epoch, in order; {@link #close()} stops the prefetch thread. */
    public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
        private final int[] order;
        private final int batches;
        private int produced; // batches prepared (synchronous mode) or handed out
        private final BlockingQueue<Prepared> queue;
        private final Thread worker;
        private Prepared next;
        private volatile boolean closed;

        private BatchIterator(int[] order) {
            this.order = order;
            this.batches = batchesPerEpoch();
            if (prefetch && batches > 0) {
                queue = new ArrayBlockingQueue<>(1);
                worker = new Thread(this::produce, "brink-data-loader");
                worker.setDaemon(true);
                worker.start();
            } else {
                queue = null;
                worker = null;
            }
        }

        /** The number of batches of this epoch ({@link DataLoader#batchesPerEpoch()}). */
        public int batches() {
            return batches;
        }

        private Prepared prepare(int b) {
            int from = b * batchSize;
            int to = Math.min(from + batchSize, order.length);
            int[] idx = Arrays.copyOfRange(order, from, to);
            float[] x = new float[Math.multiplyExact(idx.length, data.sampleSize())];
            int[] y = new int[idx.length];
            data.fill(idx, x, y);
            return new Prepared(idx, x, y, null);
        }

        private void produce() {
            try {
                for (int b = 0; b < batches && !closed; b++) queue.put(prepare(b));
                if (!closed) queue.put(END);
            } catch (InterruptedException e) {
                // closed
            } catch (Throwable t) {
                if (!closed) {
                    try {
                        queue.put(new Prepared(null, null, null, t));
                    } catch (InterruptedException ignored) {
                        // closed
                    }
                }
            }
        }

        @Override
        public boolean hasNext() {
            if (closed) return false;
            if (next != null) return next != END;
            if (worker == null) {
                next = produced < batches ? prepare(produced) : END;
            } else {
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                    throw new IllegalStateException("DataLoader: interrupted while waiting for a batch", e);
                }
            }
            if (next.error() != null) {
                Throwable t = next.error();
                close();
                if (t instanceof RuntimeException r) throw r;
                if (t instanceof Error err) throw err;
                throw new IllegalStateException("DataLoader: preparing a batch failed", t);
            }
            return next != END;
        }

        /**
         * The next batch: {@code x} float32 {@code [B, C, H, W]} in [0, 1], {@code y} int32 {@code [B]}, and the
         * dataset indices; {@code B = batchSize} except possibly for the last batch.
         */
        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: no more batches in this epoch");
            Prepared p = next;
            next = null;
            produced++;
            return data.toBatch(p.indices(), p.x(), p.y());
        }

        /** Stops the prefetch thread (if any); later {@code hasNext()} calls return false. Idempotent. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            next = null;
            if (worker != null) {
                worker.interrupt();
                queue.clear();
            }
        }
    }
}
