package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;

/**
 * The generation loop of one sequence, the one-lane case of {@link BatchGenerator}: run the
 * prompt as one batch, then sample a token, append it, run it through the model against the KV
 * cache, and repeat until a stop rule fires; a full window slides.
 *
 * <p>Not thread-safe: a Generator reuses one KV cache between calls.
 */
@SuppressWarnings("exports") // its constructor takes the model and tokenizer, for jgpt's own modules on the class path
public final class Generator {
    /**
     * The largest KV cache a Generator makes unless told otherwise: Llama 3 files declare windows
     * of 131072 positions, gigabytes of cache that a short conversation never uses.
     */
    public static final int DEFAULT_MAX_WINDOW = 4096;

    private final BatchGenerator generator;
    private final BatchGenerator.Lane lane;
    private final BatchGenerator.Lane[] lanes;
    private final int window;

    /**
     * A generator whose window is the model's context, up to {@link #DEFAULT_MAX_WINDOW} positions.
     *
     * @param model the model to run
     * @param tokenizer the model's tokenizer
     */
    public Generator(Transformer model, Tokenizer tokenizer) {
        this(model, tokenizer, Math.min(model.config().contextLength(), DEFAULT_MAX_WINDOW));
    }

    /**
     * A generator that keeps {@code window} positions in its KV cache: prompt and generated tokens together.
     *
     * @param model the model to run
     * @param tokenizer the model's tokenizer
     * @param window the positions the KV cache holds
     */
    public Generator(Transformer model, Tokenizer tokenizer, int window) {
        this.generator = new BatchGenerator(model, tokenizer, 1, window);
        this.lane = generator.lane(0);
        this.lanes = new BatchGenerator.Lane[] {lane};
        this.window = window;
    }

    /**
     * Positions the KV cache holds: the longest prompt plus continuation before the window is full.
     *
     * @return the window, in tokens
     */
    public int window() {
        return window;
    }

    /**
     * Continues {@code prompt}, computing it from scratch.
     *
     * @param prompt the prompt's token ids
     * @param settings the length limit, sampler and stop rules
     * @param listener told of each token as it comes; it may cancel the generation
     * @return the prompt, the new tokens and text, why generation ended, and its timings
     * @throws JgptException when the prompt is empty or longer than the window
     */
    public Generation generate(int[] prompt, GenerationSettings settings, TokenListener listener) {
        return run(prompt, settings, listener, false);
    }

    /**
     * Continues {@code prompt} like {@link #generate}, but keeps the KV cache for the start the
     * prompt shares with the previous call's prompt, and runs only the rest: a conversation's next
     * turn extends the last one. The result is {@link #generate}'s to the bit (see
     * {@link BatchGenerator#prefill}).
     *
     * @param prompt the prompt's token ids
     * @param settings the length limit, sampler and stop rules
     * @param listener told of each token as it comes; it may cancel the generation
     * @return the prompt, the new tokens and text, why generation ended, and its timings
     * @throws JgptException when the prompt is empty or longer than the window
     */
    public Generation generateReusingCache(int[] prompt, GenerationSettings settings, TokenListener listener) {
        return run(prompt, settings, listener, true);
    }

    private Generation run(int[] prompt, GenerationSettings settings, TokenListener listener, boolean reuse) {
        int context = window;
        if (prompt.length == 0) {
            throw new JgptException("the prompt is empty: give at least one token");
        }
        if (prompt.length > context) {
            throw new JgptException("the prompt has " + prompt.length + " tokens, more than the context window of "
                    + context + " tokens");
        }
        Continuation continuation = generator.begin(lane, prompt, settings);
        long start = System.nanoTime();
        int kept = settings.maxTokens() > 0 ? generator.prefill(lane, reuse) : 0;
        long promptDone = System.nanoTime();

        FinishReason finish = FinishReason.LENGTH;
        while (continuation.generated() < settings.maxTokens()) {
            Continuation.Step step = generator.sample(lane, settings.overflow() == ContextOverflow.STOP, listener::cancelled);
            listener.onToken(step.id(), step.text());
            if (step.done()) {
                finish = step.finish();
                break;
            }
            if (lane.full()) {
                // slide: keep the newest half of the window and rebuild the cache from it
                generator.slide(lane, Math.max(1, context / 2));
            } else {
                generator.advance(lanes, 1);
            }
        }
        long end = System.nanoTime();
        generator.release(lane);
        int generated = continuation.generated();
        return new Generation(prompt.clone(), continuation.tokens(), continuation.text(), finish,
                new Timings(prompt.length - kept, promptDone - start, generated, end - promptDone));
    }
}
