package dev.brink.bench;

/**
 * One benchmark workload: a name from {@link Workloads#NAMES} and a way to set it up. Setup (model, data,
 * optimizer) is not timed; the returned {@link Step} is, once per repetition.
 */
public interface Workload {
    /** The workload's name, e.g. {@code madry_mnist_train_step_b128}. */
    String name();

    /**
     * Builds the model, random data and optimizer and returns the step to time.
     *
     * @param smoke tiny sizes (batch 4, narrow layers, 2 PGD steps, 64x64 GEMM) for tests: checks that the
     *     workload runs, not how fast
     */
    Step prepare(boolean smoke);

    /** One timed repetition of a workload. */
    @FunctionalInterface
    interface Step {
        /**
         * Runs the workload once and returns a number computed from its result (a loss, a checksum), which must
         * be finite. Reading it also forces any deferred computation to finish.
         */
        double run();
    }

    /**
     * Floating-point operations of one step, for workloads reported in GFLOP/s ({@code sgemm_1024_gflops});
     * 0 for workloads reported in seconds.
     */
    default double flops(boolean smoke) {
        return 0;
    }

    /** Null when the engine can run this workload; otherwise why not (the result is printed as {@code n/a}). */
    default String unsupportedReason() {
        return null;
    }

    /** A workload an engine cannot run, reported as {@code n/a}. */
    static Workload unsupported(String name, String reason) {
        return new Workload() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Step prepare(boolean smoke) {
                throw new UnsupportedOperationException(name + ": " + reason);
            }

            @Override
            public String unsupportedReason() {
                return reason;
            }
        };
    }
}
