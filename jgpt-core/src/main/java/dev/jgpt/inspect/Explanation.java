package dev.jgpt.inspect;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code jgpt explain} shows about one text, as plain data; its JSON form (written by
 * {@link ExplanationJson}) is the field names below, snake_case where marked.
 *
 * @param model        which model explained it
 * @param tokens       the text's tokens, the BOS the model expects included
 * @param next         the model's top-k next tokens after the whole text, true probabilities
 * @param temperatures the same top-k re-softmaxed at each temperature: key "0.5", "1", "2"
 * @param logprobs     logprobs[i] = ln p(tokens[i + 1] | tokens[0..i]); one fewer than the tokens
 * @param perplexity   exp(−mean logprob); null for a single token (nothing is predicted)
 * @param attention    [layer][head][query][key]: causal, zero above the diagonal, rows sum to 1
 * @param logitLens    [layer] → the top-k next tokens read from the residual stream after that
 *                     block at the last position (final norm and unembedding applied); the last
 *                     layer's is {@code next}
 * @param positions    one per token: the top-k of the model's distribution of the token after it,
 *                     with the logits (a page re-softmaxes them at any temperature); the last is {@code next}
 */
@JsonPropertyOrder({"model", "tokens", "next", "temperatures", "logprobs", "perplexity", "attention", "logit_lens", "positions"})
public record Explanation(ModelSummary model, List<Token> tokens, Next next, Map<String, List<Candidate>> temperatures,
                          double[] logprobs, Double perplexity, float[][][][] attention,
                          @JsonProperty("logit_lens") List<List<Candidate>> logitLens, List<Position> positions) {

    /** The model's name (its file or folder) and shape. */
    @JsonPropertyOrder({"name", "architecture", "layers", "heads", "embd", "vocab_size", "context_length"})
    public record ModelSummary(String name, String architecture, int layers, int heads, int embd,
                               @JsonProperty("vocab_size") int vocabSize,
                               @JsonProperty("context_length") int contextLength) {}

    /** A token of the text: its id and its piece (its text, with cut UTF-8 bytes shown as {@code <0xE2>}). */
    @JsonPropertyOrder({"id", "piece"})
    public record Token(int id, String piece) {}

    /** A candidate next token and its probability. */
    @JsonPropertyOrder({"id", "piece", "prob"})
    public record Candidate(int id, String piece, double prob) {}

    /** A top-k list, most likely first, and the probability mass of all the other tokens. */
    @JsonPropertyOrder({"top", "rest_prob"})
    public record Next(List<Candidate> top, @JsonProperty("rest_prob") double restProb) {}

    /** A candidate with the logit its probability came from. */
    @JsonPropertyOrder({"id", "piece", "logit", "prob"})
    public record Ranked(int id, String piece, float logit, double prob) {}

    /** The model's distribution of the token after one position: its top-k, and the mass of the rest. */
    @JsonPropertyOrder({"top", "rest_prob"})
    public record Position(List<Ranked> top, @JsonProperty("rest_prob") double restProb) {}
}
