package dev.brink.engine.backend;

/** Reductions computed by {@link Backend#reduce} and, for MAX/MIN, the index-returning {@link Backend#argReduce}. */
public enum ReduceKernel {
    SUM, MAX, MIN
}
