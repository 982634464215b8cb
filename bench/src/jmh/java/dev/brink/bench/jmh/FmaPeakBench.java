package dev.brink.bench.jmh;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The machine's float32 FMA peak as the JVM reaches it: 12 independent chains of {@code fma} on the preferred
 * vector species (512 bits, 16 lanes, with AVX-512), enough to cover the FMA latency on two pipes. One op is
 * {@value #ITERATIONS} iterations, i.e. {@code 2 * 12 * lanes * ITERATIONS} FLOP (384,000 with 16 lanes), so
 * GFLOP/s = 384 * ops/us (JMH reports the sum over its threads). Run with {@code -t 1} for one core; the default
 * uses every core. The ceiling for the SGEMM numbers of {@link GemmBench} and of the bench table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(Threads.MAX)
@Fork(value = 1, jvmArgsAppend = {"-Xss8m", "-XX:+UseParallelGC", "--add-modules=jdk.incubator.vector"})
public class FmaPeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ITERATIONS = 1000;

    private float m = 0.999999f, c = 1e-7f;

    @Benchmark
    public float fma() {
        FloatVector mv = FloatVector.broadcast(S, m), cv = FloatVector.broadcast(S, c);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(mv, cv); a1 = a1.fma(mv, cv); a2 = a2.fma(mv, cv); a3 = a3.fma(mv, cv);
            a4 = a4.fma(mv, cv); a5 = a5.fma(mv, cv); a6 = a6.fma(mv, cv); a7 = a7.fma(mv, cv);
            a8 = a8.fma(mv, cv); a9 = a9.fma(mv, cv); a10 = a10.fma(mv, cv); a11 = a11.fma(mv, cv);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
