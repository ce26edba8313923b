package dev.jgpt.model.load;

/** How a fresh model fills a tensor. */
public enum TensorInit {
    /** N(0, 0.02). */
    NORMAL,
    /** N(0, 0.02 / √(2·layers)): projections that add into the residual stream. */
    RESIDUAL_PROJECTION,
    ZEROS,
    /** Norm gains. */
    ONES
}
