package dev.jgpt.train;

/** How training windows are drawn from the corpus. */
public enum Batching {
    /** Each row a window at a random offset (nanoGPT's get_batch). */
    RANDOM,
    /** Consecutive whole windows: step s, row b reads window (s·B + b) mod ((len − 1) div T). */
    SEQUENTIAL
}
