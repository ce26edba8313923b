package dev.jgpt.tokenizer;

/**
 * What a token of a GGUF vocabulary is ({@code tokenizer.ggml.token_type}, codes as in GGUF),
 * which decides how text finds it and how it prints.
 */
public enum TokenType {
    /** Code 0, and any code GGUF does not define: prints nothing. */
    UNDEFINED,
    /** Plain text, built by merges. */
    NORMAL,
    /** The unknown token ({@code <unk>}): found in text only as a special token, prints nothing. */
    UNKNOWN,
    /** A control token ({@code <s>}, {@code <|im_start|>}): found in text only as a special token, prints nothing. */
    CONTROL,
    /** A token added to the vocabulary: found in text as a whole, prints its text. */
    USER_DEFINED,
    /** A reserved slot: never produced, prints nothing. */
    UNUSED,
    /** One byte, written {@code <0xNN>}: the fallback for text no other token spells. */
    BYTE;

    private static final TokenType[] BY_CODE = values();

    /** The type GGUF writes as {@code code}; codes it does not define are {@link #UNDEFINED}, as in llama.cpp. */
    public static TokenType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNDEFINED;
    }

    /** Whether text finds this token as a whole (between other text), rather than through merges. */
    boolean isSpecial() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }

    /** Whether decoding leaves it out of the text, as llama.cpp does when it prints a generation. */
    boolean isSilent() {
        return this == CONTROL || this == UNKNOWN || this == UNUSED || this == UNDEFINED;
    }
}
