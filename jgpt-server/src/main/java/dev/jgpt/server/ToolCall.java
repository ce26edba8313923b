package dev.jgpt.server;

/** One call the model wrote: a function's name and its arguments as JSON text, as OpenAI's {@code tool_calls} carry them. */
record ToolCall(String name, String arguments) {
}
