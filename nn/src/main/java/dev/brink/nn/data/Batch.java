package dev.brink.nn.data;

import dev.brink.engine.Tensor;

/**
 * One mini-batch of a {@link Dataset}.
 *
 * @param x       float32 images {@code [B, C, H, W]} (NCHW), values in [0, 1]: each stored byte {@code b} becomes
 *                {@code b / 255f}
 * @param y       int32 labels {@code [B]}, each in {@code [0, dataset.numClasses())}
 * @param indices the dataset index of each row of {@code x} and {@code y} (length {@code B}); the array is the
 *                batch's own, not shared
 */
public record Batch(Tensor x, Tensor y, int[] indices) {

    /** The number of samples {@code B}. */
    public int size() {
        return indices.length;
    }
}
