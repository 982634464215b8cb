/**
 * Optimizers, weight penalties and schedules, with PyTorch's semantics.
 *
 * <ul>
 *   <li>{@link dev.brink.nn.optim.Optimizer}: named parameters, {@code step()} from {@code grad()} or from explicit
 *       gradients, {@code state()}/{@code loadState()} and {@code config()}/{@code fromConfig()} for checkpoints;
 *       implementations {@link dev.brink.nn.optim.Sgd} (torch.optim.SGD) and {@link dev.brink.nn.optim.Adam}
 *       (torch.optim.Adam, and AdamW with {@code adamw = true}).</li>
 *   <li>{@link dev.brink.nn.optim.Regularizers}: differentiable L1 / L2 loss terms.</li>
 *   <li>{@link dev.brink.nn.optim.Schedule}: scalars by epoch (from 0): constant, step, multi-step, cosine,
 *       linear, warmup and proportional schedules, with PyTorch's closed forms and a JSON form.</li>
 * </ul>
 *
 * <p>Reference values: {@code test-vectors/optim.json}, written by {@code /usr/bin/python3 test-vectors/generate_optim.py}.
 */
package dev.brink.nn.optim;
