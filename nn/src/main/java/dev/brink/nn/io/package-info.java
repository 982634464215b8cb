/**
 * Model files on disk: the {@link dev.brink.nn.io.SafeTensors safetensors} format (interchangeable with PyTorch
 * and Hugging Face), {@link dev.brink.nn.io.ModelFile trained models} and
 * {@link dev.brink.nn.io.Checkpoint training checkpoints} built on it, {@link dev.brink.nn.io.StateDicts matching a
 * state dict against a model}, and {@link dev.brink.nn.io.AtomicFiles atomic writes}. Every reading error is a
 * {@link dev.brink.nn.io.ModelFileException} whose message starts with the file's path.
 */
package dev.brink.nn.io;
