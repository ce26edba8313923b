package dev.jgpt.hub;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model on the Hugging Face Hub as a person names it: {@code OWNER/REPO} (the hub's default
 * GGUF file), {@code OWNER/REPO:QUANT} (the GGUF file whose name carries that quantization, as
 * {@code Q4_K_M}), or {@code OWNER/REPO/FILE.gguf} (that file).
 *
 * @param repo  {@code OWNER/REPO}
 * @param quant the quantization asked for, if any
 * @param file  the file asked for, if any (a path inside the repository)
 */
public record ModelName(String repo, Optional<String> quant, Optional<String> file) {
    private static final String PART = "[A-Za-z0-9][A-Za-z0-9._-]*";
    private static final Pattern NAME = Pattern.compile("(" + PART + "/" + PART + ")(?::([A-Za-z0-9._-]+)|/((?:" + PART + "/)*" + PART + "\\.gguf))?",
            Pattern.CASE_INSENSITIVE);

    /**
     * The name {@code text} spells, or empty when it is not of a model name's form.
     *
     * @param text a name as a person writes it, such as {@code OWNER/REPO:Q4_K_M}
     * @return the name, or empty (also for a path with {@code ..} in it)
     */
    public static Optional<ModelName> parse(String text) {
        Matcher m = NAME.matcher(text);
        if (!m.matches() || text.contains("..")) {
            return Optional.empty();
        }
        return Optional.of(new ModelName(m.group(1), Optional.ofNullable(m.group(2)), Optional.ofNullable(m.group(3))));
    }

    /** {@code OWNER/REPO}, then {@code :QUANT} or {@code /FILE} as given. */
    @Override
    public String toString() {
        return repo + quant.map(q -> ":" + q).orElse("") + file.map(f -> "/" + f).orElse("");
    }
}
