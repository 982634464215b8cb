package dev.brink.engine.backend;

/** Distributions for {@link Backend#random}; see {@link dev.brink.engine.Generator} for the exact streams. */
public enum RandomKind {
    /** Uniform on [0, 1). */
    UNIFORM,
    /** Standard normal. */
    NORMAL
}
