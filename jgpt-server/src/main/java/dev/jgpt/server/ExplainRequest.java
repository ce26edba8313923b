package dev.jgpt.server;

/**
 * A checked {@code POST /v1/explain} request: the whole token sequence to explain, the field it
 * came from (for errors about it), and how many most likely tokens to list per position.
 */
record ExplainRequest(String param, int[] tokens, int topK) {
    static final int DEFAULT_TOP_K = 10;
    /** Each position lists top-k entries: bounded so the document stays small. */
    static final int MAX_TOP_K = 100;
}
