package dev.brink.engine.op;

/**
 * A registered op: its name (as used in test vectors, gradient-check tables and error messages), whether it is a
 * primitive (own forward kernel call and own backward rule) or a composite (built from other ops, so its
 * derivatives of every order follow from theirs), and whether it is differentiable at all.
 */
public record OpDef(String name, Kind kind, boolean differentiable, String summary) {
    public enum Kind { PRIMITIVE, COMPOSITE }

    static OpDef primitive(String name, String summary) {
        return new OpDef(name, Kind.PRIMITIVE, true, summary);
    }

    static OpDef composite(String name, String summary) {
        return new OpDef(name, Kind.COMPOSITE, true, summary);
    }

    /** Ops whose outputs carry no gradient (comparisons, argmax, one-hot, index computations). */
    static OpDef nonDifferentiable(String name, String summary) {
        return new OpDef(name, Kind.PRIMITIVE, false, summary);
    }
}
