package dev.brink.robust.analysis;

/**
 * An analysis does not apply to the model it was given (e.g. the linear-model pictures of a convolutional network):
 * not a failure of the analysis, and the model card shows it as such. The message names the analysis and why.
 */
public final class NotApplicableException extends IllegalArgumentException {
    public NotApplicableException(String message) {
        super(message);
    }
}
