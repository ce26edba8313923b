package dev.jgpt.generate;

import dev.jgpt.sampling.Sampler;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.Utf8StreamDecoder;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * One sequence being continued, one token at a time: sampling, the stop rules and the text that
 * becomes safe to show. It never runs the model: its owner runs the forward pass and hands over
 * the logits, so that a {@link Generator} drives one sequence and a server can interleave many.
 */
public final class Continuation {
    /** One sampled token: its id, the text it made safe to show, and why generation ended with it (null: go on). */
    public record Step(int id, String text, FinishReason finish) {
        public boolean done() {
            return finish != null;
        }
    }

    private final GenerationSettings settings;
    private final Sampler sampler;
    private final Utf8StreamDecoder decoder;
    private final StopStrings stops;
    private final int[] stopTokens;
    private final int promptLength;
    private final int[] sequence;
    private int length;

    public Continuation(Tokenizer tokenizer, int vocabSize, int[] prompt, GenerationSettings settings) {
        this.settings = settings;
        this.sampler = new Sampler(settings.sampler(), vocabSize);
        this.decoder = new Utf8StreamDecoder(tokenizer);
        this.stops = new StopStrings(settings.stopStrings());
        this.stopTokens = stopTokens(tokenizer, settings.stopStrings());
        this.promptLength = prompt.length;
        this.sequence = Arrays.copyOf(prompt, prompt.length + settings.maxTokens());
        this.length = prompt.length;
    }

    /** The prompt then the new tokens: {@code sequence()[0, length())}; the array is live, do not change it. */
    public int[] sequence() {
        return sequence;
    }

    public int length() {
        return length;
    }

    /** How many new tokens so far. */
    public int generated() {
        return length - promptLength;
    }

    /** The new text so far, cut before a stop string. */
    public String text() {
        return stops.text();
    }

    /** The new ids so far (a stop string's tokens included). */
    public int[] tokens() {
        return Arrays.copyOfRange(sequence, promptLength, length);
    }

    /**
     * Samples the next token from {@code logits} (left unchanged) and decides whether it ends
     * generation. Call only while the previous step was not done and fewer than the maximum
     * tokens were written.
     *
     * @param contextFull whether the KV cache has no room for the new token (and the policy is to stop there)
     * @param cancelled   asked after sampling: whether the caller wants to stop
     */
    public Step next(float[] logits, boolean contextFull, BooleanSupplier cancelled) {
        int next = sampler.sample(logits, sequence, length);
        sequence[length++] = next;
        boolean stopToken = contains(stopTokens, next);
        FinishReason ending = stopToken ? FinishReason.STOP
                : generated() == settings.maxTokens() ? FinishReason.LENGTH
                : contextFull ? FinishReason.CONTEXT_FULL
                : cancelled.getAsBoolean() ? FinishReason.CANCELLED
                : null;
        String piece = stopToken ? "" : decoder.accept(next);
        if (ending != null) {
            piece += decoder.flush();
        }
        String shown = stops.append(piece);
        if (ending != null && !stops.stopped()) {
            shown += stops.flush();
        }
        return new Step(next, shown, stops.stopped() ? FinishReason.STOP : ending);
    }

    /**
     * The end-of-text token and the special tokens written as stop strings: generation ends when
     * one is sampled, even if it prints as nothing (a GGUF control token such as {@code <|eot_id|>}).
     */
    private static int[] stopTokens(Tokenizer tokenizer, List<String> stopStrings) {
        IntStream specials = stopStrings.stream().map(tokenizer::specialId).filter(OptionalInt::isPresent).mapToInt(OptionalInt::getAsInt);
        return IntStream.concat(tokenizer.eosId().stream(), specials).toArray();
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }
}
