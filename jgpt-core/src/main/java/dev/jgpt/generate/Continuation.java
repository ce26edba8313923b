package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.constrain.TokenMask;
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
@SuppressWarnings("exports") // its constructor takes the model and tokenizer, for jgpt's own modules on the class path
public final class Continuation {
    /**
     * One sampled token.
     *
     * @param id     the token
     * @param text   the text it made safe to show
     * @param finish why generation ended with it; null: go on
     */
    public record Step(int id, String text, FinishReason finish) {
        /**
         * Whether generation ended with this token.
         *
         * @return true when {@code finish} is set
         */
        public boolean done() {
            return finish != null;
        }
    }

    /**
     * Room for new tokens made at first; the sequence doubles as it fills, so that its memory follows
     * the tokens actually written, never the maximum a caller asks for.
     */
    private static final int FIRST_ROOM = 256;
    /** The longest array the JVM makes. */
    private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private final GenerationSettings settings;
    private final int choices;
    private final Sampler sampler;
    private final Utf8StreamDecoder decoder;
    private final StopStrings stops;
    private final int[] stopTokens;
    private final TokenMask mask;       // null without a grammar
    private final float[] masked;       // [choices] the logits with what the grammar forbids at -inf
    private final int promptLength;
    private int[] sequence;
    private int length;

    /**
     * A sequence that starts as {@code prompt}, before any token is sampled.
     *
     * @param tokenizer the model's tokenizer: it turns the sampled tokens into text, and its
     *                  end-of-text token and the special tokens among the stop strings end generation
     * @param vocabSize the model's vocabulary: its logits per position. A padded one (nanoGPT's 50304
     *                  for GPT-2's 50257 tokens) has more ids than the tokenizer; those are never chosen
     * @param prompt    the prompt's token ids (copied)
     * @param settings  the length limit, sampler, stop strings and grammar of the continuation
     */
    public Continuation(Tokenizer tokenizer, int vocabSize, int[] prompt, GenerationSettings settings) {
        this.settings = settings;
        this.choices = Math.min(vocabSize, tokenizer.vocabSize());
        this.sampler = new Sampler(settings.sampler(), choices);
        this.decoder = new Utf8StreamDecoder(tokenizer);
        this.stops = new StopStrings(settings.stopStrings());
        this.stopTokens = stopTokens(tokenizer, settings.stopStrings());
        this.mask = settings.grammar() == null ? null : new TokenMask(settings.grammar(), tokenizer, stopTokens, choices);
        this.masked = mask == null ? null : new float[choices];
        this.promptLength = prompt.length;
        this.sequence = Arrays.copyOf(prompt, prompt.length + Math.min(settings.maxTokens(), FIRST_ROOM));
        this.length = prompt.length;
    }

    /**
     * The prompt then the new tokens: {@code sequence()[0, length())}. The array is live (do not
     * change it) and is replaced when it grows: ask for it again after {@link #next}.
     *
     * @return the live array, at least {@link #length()} long
     */
    public int[] sequence() {
        return sequence;
    }

    /**
     * The number of tokens in the sequence.
     *
     * @return the prompt's length plus the tokens generated so far
     */
    public int length() {
        return length;
    }

    /**
     * The ids that may be sampled, {@code [0, vocabulary())}: the tokenizer's, when the model's logits run past them.
     *
     * @return the smaller of the model's and the tokenizer's vocabulary sizes
     */
    public int vocabulary() {
        return choices;
    }

    /**
     * How many new tokens so far.
     *
     * @return the tokens sampled since the prompt
     */
    public int generated() {
        return length - promptLength;
    }

    /**
     * The new text so far, cut before a stop string.
     *
     * @return the text decoded so far, including what is still held back from showing
     */
    public String text() {
        return stops.text();
    }

    /**
     * The new ids so far (a stop string's tokens included).
     *
     * @return a copy of the tokens after the prompt
     */
    public int[] tokens() {
        return Arrays.copyOfRange(sequence, promptLength, length);
    }

    /**
     * Samples the next token from {@code logits} (left unchanged) and decides whether it ends
     * generation. Call only while the previous step was not done and fewer than the maximum
     * tokens were written.
     *
     * @param logits      the model's scores for the next token, one per id of its vocabulary
     * @param contextFull whether the KV cache has no room for the new token (and the policy is to stop there)
     * @param cancelled   asked after sampling: whether the caller wants to stop
     * @throws JgptException when a logit is NaN or infinite: the model's weights are broken, and
     *                       sampling would otherwise write one token for ever; or when the grammar
     *                       leaves no token of the vocabulary to write
     * @return the token, the text it made safe to show, and why generation ended with it (null: go on)
     */
    public Step next(float[] logits, boolean contextFull, BooleanSupplier cancelled) {
        requireFinite(logits);
        float[] scores = logits;
        if (mask != null) {
            System.arraycopy(logits, 0, masked, 0, choices);
            mask.apply(masked, settings.maxTokens() - generated());
            scores = masked;
        }
        int next = sampler.sample(scores, sequence, length);
        if (mask != null) {
            mask.accept(next);
        }
        if (length == sequence.length) {
            grow();
        }
        sequence[length++] = next;
        boolean stopToken = contains(stopTokens, next);
        FinishReason ending = stopToken || (mask != null && mask.closed()) ? FinishReason.STOP
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

    private void requireFinite(float[] logits) {
        for (int i = 0; i < choices; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new JgptException("the model's scores at new token " + (generated() + 1) + " are not finite ("
                        + logits[i] + " for id " + i + "): its weights hold NaN or Inf; check them with --check-tensors");
            }
        }
    }

    /** Doubles the sequence, up to the prompt and the most new tokens. */
    private void grow() {
        if (sequence.length >= MAX_LENGTH) {
            throw new JgptException("a sequence cannot hold more than " + MAX_LENGTH + " tokens");
        }
        long wanted = Math.min(2L * sequence.length, (long) promptLength + settings.maxTokens());
        sequence = Arrays.copyOf(sequence, (int) Math.min(wanted, MAX_LENGTH));
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
