package dev.jgpt.tools;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** One call the model wrote: a function's name and its arguments as JSON text, as OpenAI's {@code tool_calls} carry them. */
public record ToolCall(String name, String arguments) {
    /** A fresh id for a call, {@code call_} and 24 random hex digits, as OpenAI's look; the result sent back names it. */
    public static String newId() {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return "call_" + HexFormat.of().formatHex(random);
    }
}
