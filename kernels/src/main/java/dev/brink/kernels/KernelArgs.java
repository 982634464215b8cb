package dev.brink.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * Arguments of one kernel launch, in parameter order: device pointers (an allocation and a byte offset), scalars
 * of the parameter's exact C type ({@code int}, {@code long long}, {@code double}) and structs passed by value
 * (the launch-parameter structs of {@code brink.cuh}, which hold only ints).
 */
public final class KernelArgs {
    /** A device pointer argument. */
    public record Ptr(Device.Buffer buffer, long byteOffset) {}

    /** A by-value struct of ints. */
    public record Struct(int[] ints) {}

    private final List<Object> values = new ArrayList<>();

    /** Pointer to the start of {@code b}. */
    public KernelArgs ptr(Device.Buffer b) {
        return ptr(b, 0);
    }

    /** Pointer {@code byteOffset} bytes into {@code b}. */
    public KernelArgs ptr(Device.Buffer b, long byteOffset) {
        values.add(new Ptr(b, byteOffset));
        return this;
    }

    /** An {@code int} parameter. */
    public KernelArgs i32(int v) {
        values.add(v);
        return this;
    }

    /** A {@code long long} parameter. */
    public KernelArgs i64(long v) {
        values.add(v);
        return this;
    }

    /** A {@code double} parameter. */
    public KernelArgs f64(double v) {
        values.add(v);
        return this;
    }

    /** A struct parameter made of ints (a copy is kept). */
    public KernelArgs struct(int[] ints) {
        values.add(new Struct(ints.clone()));
        return this;
    }

    /** The arguments: {@link Ptr}, {@link Integer}, {@link Long}, {@link Double} or {@link Struct}. */
    public List<Object> values() {
        return values;
    }
}
