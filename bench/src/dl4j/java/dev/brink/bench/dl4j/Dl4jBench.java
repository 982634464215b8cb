package dev.brink.bench.dl4j;

import dev.brink.bench.Bench;
import dev.brink.bench.Harness;
import dev.brink.bench.Workloads;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J side of {@code make bench-compare} (built only with the Maven profile {@code bench-compare}): same
 * options and output as {@link Bench}. The thread count is also given to the JVM's environment by the Makefile
 * ({@code OMP_NUM_THREADS}, {@code OPENBLAS_NUM_THREADS}), since libnd4j and OpenBLAS read it at load time.
 */
public final class Dl4jBench {
    private Dl4jBench() {}

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "unset" : v;
    }

    public static void main(String[] args) {
        int code = 0;
        try {
            Bench.Config c = Bench.parse(args);
            if (c == null) {
                Workloads.NAMES.forEach(System.out::println);
            } else {
                Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
                if (c.threads() > 0) Nd4j.getEnvironment().setMaxThreads(c.threads());
                System.err.printf("# dl4j bench: nd4j backend %s, max threads %d (OMP_NUM_THREADS=%s), blas %s, OPENBLAS_CORETYPE %s, "
                                + "OPENBLAS_L2_SIZE %s, helpers (oneDNN) allowed %s, environment %s, java %s%n",
                        Nd4j.getBackend().getClass().getSimpleName(), Nd4j.getEnvironment().maxThreads(), System.getenv("OMP_NUM_THREADS"),
                        Nd4j.factory().blas().getBlasVendor(), env("OPENBLAS_CORETYPE"), env("OPENBLAS_L2_SIZE"),
                        Nd4j.getEnvironment().helpersAllowed(), Nd4j.getExecutioner().getEnvironmentInformation(), System.getProperty("java.version"));
                Harness.runAll(Harness.select(Dl4jWorkloads.all(), c.workloads()), c.options(), System.out, System.err);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("dl4j bench: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }
}
