package dev.jgpt.generate;

import dev.jgpt.JgptException;
import dev.jgpt.model.KvCache;
import dev.jgpt.model.Transformer;
import dev.jgpt.sampling.Sampler;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.Utf8StreamDecoder;
import java.util.Arrays;

/**
 * The generation loop: run the prompt as one batch, then sample a token, append it, run it
 * through the model against the KV cache, and repeat until a stop rule fires.
 *
 * <p>Not thread-safe: a Generator reuses one KV cache between calls.
 */
public final class Generator {
    private final Transformer model;
    private final Tokenizer tokenizer;
    private final KvCache cache;

    public Generator(Transformer model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.cache = model.newCache();
    }

    public Generation generate(int[] prompt, GenerationSettings settings, TokenListener listener) {
        int context = model.config().contextLength();
        if (prompt.length == 0) {
            throw new JgptException("the prompt is empty: give at least one token");
        }
        if (prompt.length > context) {
            throw new JgptException("the prompt has " + prompt.length + " tokens, more than the model's context window of "
                    + context + " tokens");
        }
        Sampler sampler = new Sampler(settings.sampler(), model.config().vocabSize());
        Utf8StreamDecoder decoder = new Utf8StreamDecoder(tokenizer);
        StopStrings stops = new StopStrings(settings.stopStrings());
        int eos = tokenizer.eosId().orElse(-1);

        int[] sequence = Arrays.copyOf(prompt, prompt.length + settings.maxTokens());
        int length = prompt.length;
        long start = System.nanoTime();
        cache.clear();
        float[] logits = settings.maxTokens() > 0 ? model.forward(sequence, 0, length, cache) : null;
        long promptDone = System.nanoTime();

        FinishReason finish = FinishReason.LENGTH;
        while (length - prompt.length < settings.maxTokens()) {
            int next = sampler.sample(logits, sequence, length);
            sequence[length++] = next;
            FinishReason ending = next == eos ? FinishReason.STOP
                    : length - prompt.length == settings.maxTokens() ? FinishReason.LENGTH
                    : cache.remaining() == 0 && settings.overflow() == ContextOverflow.STOP ? FinishReason.CONTEXT_FULL
                    : null;
            String piece = next == eos ? "" : decoder.accept(next);
            if (ending != null) {
                piece += decoder.flush();
            }
            String shown = stops.append(piece);
            if (ending != null && !stops.stopped()) {
                shown += stops.flush();
            }
            listener.onToken(next, shown);
            if (stops.stopped()) {
                finish = FinishReason.STOP;
                break;
            }
            if (ending != null) {
                finish = ending;
                break;
            }
            if (cache.remaining() == 0) {
                // slide: keep the newest half of the window and rebuild the cache from it
                int keep = Math.max(1, context / 2);
                cache.clear();
                logits = model.forward(sequence, length - keep, length, cache);
            } else {
                logits = model.forward(sequence, length - 1, length, cache);
            }
        }
        long end = System.nanoTime();
        int generated = length - prompt.length;
        return new Generation(prompt.clone(), Arrays.copyOfRange(sequence, prompt.length, length), stops.text(), finish,
                new Timings(prompt.length, promptDone - start, generated, end - promptDone));
    }
}
