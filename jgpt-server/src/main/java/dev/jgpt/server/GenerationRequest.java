package dev.jgpt.server;

import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.tools.ToolUse;

/**
 * A validated request for new tokens, from {@code /v1/completions} or {@code /v1/chat/completions}.
 *
 * @param chat         whether it came as a chat (the response shapes differ)
 * @param prompt       the prompt's token ids (at most the context window)
 * @param topLogprobs  how many alternatives to report with each token's log-probability; -1: no logprobs
 * @param includeUsage a streamed response ends with a chunk holding the usage counts
 * @param clamped      the maximum asked for was more than the context has room for: the settings hold that room
 * @param tools        how a chat's answer is read back into tool calls; null when it is plain content
 */
record GenerationRequest(boolean chat, int[] prompt, GenerationSettings settings, int topLogprobs,
                         boolean stream, boolean includeUsage, boolean clamped, ToolUse tools) {
    boolean logprobs() {
        return topLogprobs >= 0;
    }
}
