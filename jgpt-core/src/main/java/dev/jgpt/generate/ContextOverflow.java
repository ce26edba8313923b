package dev.jgpt.generate;

/** What to do when the context window is full. */
public enum ContextOverflow {
    /** Stop generating and report {@link FinishReason#CONTEXT_FULL}. */
    STOP,
    /** Drop the oldest tokens, keeping the newest half of the window, and go on. */
    SLIDE
}
