package dev.jgpt.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jgpt.JgptException;
import dev.jgpt.inspect.AttentionLimit;
import dev.jgpt.inspect.Explainer;
import dev.jgpt.inspect.ExplanationJson;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.ModelWeights;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.train.TokenDataset;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The fixed text a watched run explains at each evaluation: what the model expects after each of
 * its tokens and where each token looks, as {@code jgpt explain --json} gives it, so that the
 * explain page draws it.
 */
record WatchProbe(Tokenizer tokenizer, String name, String text, int[] tokens) {
    static final int TOP_K = 10;
    /** Characters of validation text searched for its first line. */
    private static final int SEARCHED = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The probe of {@code prompt}, or (null) of the first non-empty line of the validation text cut
     * to the context window; {@code name} labels the model.
     */
    static WatchProbe of(Tokenizer tokenizer, ModelConfig config, String name, String prompt, TokenDataset validation) {
        if (prompt != null) {
            int[] tokens = tokenizer.encodeSequence(prompt);
            if (tokens.length == 0) {
                throw new JgptException("--watch-prompt is empty");
            }
            if (tokens.length > config.contextLength()) {
                throw new JgptException("--watch-prompt is " + tokens.length + " tokens, longer than the model's context of "
                        + config.contextLength());
            }
            AttentionLimit.check(config, tokens.length);
            return new WatchProbe(tokenizer, name, prompt, tokens);
        }
        int[] head = Arrays.copyOf(validation.tokens(), Math.min(validation.size(), SEARCHED));
        String line = tokenizer.decode(head).lines().filter(l -> !l.isBlank()).findFirst()
                .orElseThrow(() -> new JgptException("the validation text has no line to probe the model with; give --watch-prompt"));
        int[] tokens = tokenizer.encodeSequence(line);
        int fits = Math.min(config.contextLength(), AttentionLimit.mostTokens(config));
        if (tokens.length > fits) {
            tokens = Arrays.copyOf(tokens, fits);
        }
        return new WatchProbe(tokenizer, name, tokenizer.decode(tokens), tokens);
    }

    /** The explanation of the probe by the model as it computes now. */
    JsonNode explain(ModelWeights model) {
        String json = ExplanationJson.write(Explainer.explain(new Transformer(model), tokenizer, name, tokens, TOP_K));
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new UncheckedIOException(e);
        }
    }
}
