package dev.jgpt.inspect;

import dev.jgpt.JgptException;
import dev.jgpt.tensor.Kernels;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The token embedding matrix [vocab × E] as a space of words: rows decoded from whatever dtype
 * the checkpoint stores (quantized included), neighbours by cosine similarity.
 */
public final class TokenEmbeddings {
    private final Tensor table;
    private final int vocab;
    private final int width;

    /** One query term as the tokenizer cut it; its vector is the mean of its tokens' rows. */
    public record TermTokens(EmbeddingQuery.Term term, int[] ids) {}

    /** A token and its cosine similarity to the query vector. */
    public record Neighbour(int id, double similarity) {}

    /** The answer to a query: how each term was tokenized, and the nearest other tokens, most similar first. */
    public record Nearest(List<TermTokens> terms, List<Neighbour> neighbours) {}

    public TokenEmbeddings(Tensor tokenEmbedding) {
        long[] shape = tokenEmbedding.shape();
        if (shape.length != 2) {
            throw new JgptException(tokenEmbedding.name() + " is not a [vocab, width] matrix: shape " + Tensor.shapeString(shape));
        }
        this.table = tokenEmbedding;
        this.vocab = Math.toIntExact(shape[0]);
        this.width = Math.toIntExact(shape[1]);
    }

    public int vocabSize() {
        return vocab;
    }

    public int width() {
        return width;
    }

    /** Row {@code id} of the table, decoded to float. */
    public float[] row(int id) {
        float[] row = new float[width];
        decode(id, row);
        return row;
    }

    private void decode(int id, float[] row) {
        if (id < 0 || id >= vocab) {
            throw new JgptException("token id " + id + " is outside the embedding table (0.." + (vocab - 1) + ")");
        }
        table.dtype().decode(table.data(), (long) id * width, row, 0, width);
    }

    /**
     * The {@code top} tokens nearest to Σ sign · (mean row of the term's tokens), by cosine
     * similarity, the query's own tokens left out. Each term is tokenized by {@link Tokenizer#encode}
     * as written.
     */
    public Nearest nearest(Tokenizer tokenizer, EmbeddingQuery query, int top) {
        float[] sum = new float[width];
        float[] row = new float[width];
        List<TermTokens> terms = new ArrayList<>();
        boolean[] used = new boolean[vocab];
        for (EmbeddingQuery.Term term : query.terms()) {
            int[] ids = tokenizer.encode(term.text());
            if (ids.length == 0) {
                throw new JgptException("'" + term.text() + "' gives no tokens");
            }
            for (int id : ids) {
                decode(id, row);
                Kernels.axpy((float) term.sign() / ids.length, row, 0, sum, 0, width);
                used[id] = true;
            }
            terms.add(new TermTokens(term, ids));
        }
        if (Kernels.dot(sum, 0, sum, 0, width) == 0) {
            throw new JgptException("'" + query + "' sums to the zero vector: nothing is near it");
        }
        return new Nearest(terms, nearest(sum, top, used));
    }

    /** The {@code top} rows most cosine-similar to {@code query}, skipping {@code excluded[id]} and all-zero rows. */
    public List<Neighbour> nearest(float[] query, int top, boolean[] excluded) {
        if (top < 1) {
            throw new JgptException("the number of neighbours must be at least 1, got " + top);
        }
        float queryNorm = (float) Math.sqrt(Kernels.dot(query, 0, query, 0, width));
        float[] similarity = new float[vocab];
        float[] row = new float[width];
        for (int id = 0; id < vocab; id++) {
            decode(id, row);
            double norm = Math.sqrt(Kernels.dot(row, 0, row, 0, width));
            boolean skip = (excluded != null && excluded[id]) || norm == 0;
            similarity[id] = skip ? Float.NaN : (float) (Kernels.dot(query, 0, row, 0, width) / (norm * queryNorm));
        }
        List<Neighbour> result = new ArrayList<>();
        for (int id : TopTokens.of(similarity, vocab, top)) {
            result.add(new Neighbour(id, similarity[id]));
        }
        return result;
    }
}
