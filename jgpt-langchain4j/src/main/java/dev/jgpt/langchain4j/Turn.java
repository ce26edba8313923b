package dev.jgpt.langchain4j;

import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.tools.ToolUse;

/**
 * One chat request made ready to run: the prompt the template rendered, how to generate, and how
 * the answer is read back into tool calls.
 *
 * @param text   the prompt as the template wrote it
 * @param prompt its token ids
 * @param tools  null when the answer is plain content
 */
record Turn(String text, int[] prompt, GenerationSettings settings, ToolUse tools) {
}
