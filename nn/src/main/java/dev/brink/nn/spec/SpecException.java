package dev.brink.nn.spec;

/** A model spec that cannot be built: unknown layer, missing or bad field, impossible shapes. */
public final class SpecException extends IllegalArgumentException {
    public SpecException(String message) {
        super(message);
    }
}
