package dev.jgpt.spark;

import dev.jgpt.JgptException;
import dev.jgpt.generate.BatchGenerator;
import dev.jgpt.generate.Continuation;
import dev.jgpt.generate.Embeddings;
import dev.jgpt.generate.FinishReason;
import dev.jgpt.generate.GenerationSettings;
import dev.jgpt.generate.LanguageModel;
import dev.jgpt.generate.Scorer;
import dev.jgpt.model.Transformer;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The work of one task thread on a model shared by the executor: a forward pass of its own (a
 * {@link Transformer} has scratch buffers; the mapped weights are the model's, not copied), and
 * lanes for generating several rows in each pass.
 *
 * <p>Not thread-safe: a thread borrows it from {@link SharedModel} for its rows.
 */
final class Engine {
    /** A generated text: the new text, why it ended, the prompt's and the new tokens' counts. */
    record Generated(String text, FinishReason finishReason, int promptTokens, int completionTokens) {
    }

    /** A scored text: the mean loss in nats per predicted token, its perplexity and the text's token count. */
    record Scored(double loss, double perplexity, int tokens) {
    }

    private static final BooleanSupplier NEVER = () -> false;

    private final Tokenizer tokenizer;
    private final Transformer transformer;
    private final BatchGenerator generator;
    private final int window;

    Engine(LanguageModel model, int lanes) {
        this.tokenizer = model.tokenizer();
        this.transformer = new Transformer(model.transformer().weights(), model.files().tensors());
        this.window = model.contextSize();
        this.generator = new BatchGenerator(transformer, tokenizer, lanes, window);
    }

    int[] tokenize(String text) {
        return tokenizer.encodeSequence(text);
    }

    Scored score(String text) {
        Scorer.Score score = Scorer.score(transformer, tokenize(text));
        return new Scored(score.loss(), score.perplexity(), score.tokens().length);
    }

    float[] embed(String text) {
        return Embeddings.of(transformer, tokenize(text), Embeddings.Pooling.MEAN);
    }

    /**
     * Continues each prompt with its settings, as many side by side as there are lanes: a lane
     * that finishes takes the next waiting prompt, and each round runs the new token of every
     * lane in one forward pass. A prompt that cannot run gets its error; the others go on.
     */
    List<Outcome<Generated>> generate(List<String> prompts, List<GenerationSettings> settings) {
        List<Outcome<Generated>> results = new ArrayList<>(prompts.size());
        prompts.forEach(p -> results.add(null));
        ArrayDeque<Integer> waiting = new ArrayDeque<>();
        for (int i = 0; i < prompts.size(); i++) {
            waiting.add(i);
        }
        int[] rowOf = new int[generator.lanes()];
        Arrays.fill(rowOf, -1);
        BatchGenerator.Lane[] going = new BatchGenerator.Lane[generator.lanes()];
        while (true) {
            for (int l = 0; l < rowOf.length; l++) {
                while (rowOf[l] < 0 && !waiting.isEmpty()) {
                    int row = waiting.poll();
                    if (start(generator.lane(l), prompts.get(row), settings.get(row), results, row)) {
                        rowOf[l] = row;
                    }
                }
            }
            int m = 0;
            for (int l = 0; l < rowOf.length; l++) {
                if (rowOf[l] >= 0 && !step(generator.lane(l), rowOf[l], results)) {
                    rowOf[l] = -1;
                } else if (rowOf[l] >= 0) {
                    going[m++] = generator.lane(l);
                }
            }
            if (m == 0 && waiting.isEmpty()) {
                return results;
            }
            if (m > 0) {
                generator.advance(going, m);
            }
        }
    }

    /** Begins a row in {@code lane} and runs its prompt; false when the row is already done (its result set). */
    private boolean start(BatchGenerator.Lane lane, String prompt, GenerationSettings settings, List<Outcome<Generated>> results, int row) {
        try {
            int[] ids = tokenize(prompt);
            if (ids.length == 0) {
                throw new JgptException("the prompt is empty: give at least one token");
            }
            if (ids.length > window) {
                throw new JgptException("the prompt has " + ids.length + " tokens, more than the context window of "
                        + window + " tokens");
            }
            generator.begin(lane, ids, settings);
            if (settings.maxTokens() == 0) {
                finish(lane, FinishReason.LENGTH, results, row);
                return false;
            }
            generator.prefill(lane, false);
            return true;
        } catch (RuntimeException e) {
            generator.release(lane);
            results.set(row, Outcome.failed(e));
            return false;
        }
    }

    /** Samples the lane's next token; false when its row is done (its result set). */
    private boolean step(BatchGenerator.Lane lane, int row, List<Outcome<Generated>> results) {
        try {
            Continuation.Step step = generator.sample(lane, true, NEVER);
            if (step.done()) {
                finish(lane, step.finish(), results, row);
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            generator.release(lane);
            results.set(row, Outcome.failed(e));
            return false;
        }
    }

    private void finish(BatchGenerator.Lane lane, FinishReason reason, List<Outcome<Generated>> results, int row) {
        Continuation c = lane.continuation();
        results.set(row, Outcome.of(new Generated(c.text(), reason, c.length() - c.generated(), c.generated())));
        generator.release(lane);
    }
}
