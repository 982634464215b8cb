package dev.brink.engine;

/**
 * The backward formula of one recorded op: given the gradient of the loss with respect to the op's output,
 * return the gradient with respect to each input (null where an input gets none). Rules must compute with
 * tensor ops only, never with raw arrays, so that the gradients they return can be differentiated again.
 * A returned gradient may have the broadcast output shape; the engine sums it back to the input's shape.
 */
@FunctionalInterface
public interface BackwardRule {
    Tensor[] apply(Tensor gradOutput);
}
