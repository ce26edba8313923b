package dev.jgpt.train;

/**
 * How one layer learns at one step: the L2 norm of its gradient (before clipping) and the size of
 * the optimizer's update against the size of its weights, ‖Δw‖ / ‖w‖. A layer is a transformer
 * block (every tensor whose name holds its index) or a tensor outside the blocks (an embedding, the
 * final norm), named by that tensor without {@code .weight}/{@code .bias}.
 */
public record LayerStatistics(String name, double gradientNorm, double updateRatio) {}
