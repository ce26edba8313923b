package dev.jgpt.tools;

/**
 * A streamed chat answer that may call tools: the text that cannot be part of a call is let out
 * as content as it comes, the rest held until the answer ends and is read as a whole, so the
 * pieces add up to the answer given at once.
 */
public final class ToolCallStream {
    private final ToolUse use;
    private final StringBuilder text = new StringBuilder();
    private int sent;

    public ToolCallStream(ToolUse use) {
        this.use = use;
    }

    /** Adds a token's text; returns the content that may be sent now ("" when all of it is held). */
    public String add(String piece) {
        text.append(piece);
        String all = text.toString();
        int hold = Math.max(sent, use.format().holdFrom(all));
        if (sent == 0 && all.substring(0, hold).isBlank()) {
            return ""; // blank text before a call is no content: held until something else comes
        }
        String out = all.substring(sent, hold);
        sent = hold;
        return out;
    }

    /** The answer's calls (null when it has none) and the content not sent yet. */
    public Ending finish() {
        String all = text.toString();
        ToolCallText found = use.read(all);
        if (found == null) {
            return new Ending(all.substring(sent), null);
        }
        String content = found.content() == null ? "" : found.content();
        return new Ending(content.length() > sent ? content.substring(sent) : "", found);
    }

    /** @param calls null when the answer is content only */
    public record Ending(String content, ToolCallText calls) {
    }
}
