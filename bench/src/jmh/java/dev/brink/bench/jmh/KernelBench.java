package dev.brink.bench.jmh;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The JMH settings the kernel benchmarks share (JMH takes a benchmark's annotations from its class, then its
 * superclasses): average time per call in milliseconds, 3 warm-up and 5 measured iterations of 1 s, one fork with
 * the launcher's stack size, collector and Vector API module. A subclass annotates only what it changes (the
 * time unit, a fork with other JVM flags).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xss8m", "-XX:+UseParallelGC", "--add-modules=jdk.incubator.vector"})
public abstract class KernelBench {
}
