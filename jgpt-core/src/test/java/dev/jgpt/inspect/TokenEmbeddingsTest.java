package dev.jgpt.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jgpt.JgptException;
import dev.jgpt.SharedData;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.tensor.DType;
import dev.jgpt.tensor.Quantization;
import dev.jgpt.tensor.Tensor;
import dev.jgpt.tokenizer.CharTokenizer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.tokenizer.TokenizerLoader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Neighbours in an embedding table built so that the answers are known, and on a real model against a float64 search. */
class TokenEmbeddingsTest {
    private static final int WIDTH = 256; // one Q4_K super-block
    private static final Tokenizer LETTERS = CharTokenizer.of("abcdefghijkl".chars().toArray());

    /** Rows a..l random, except d = a − b + c and e = 3·(f + g)/2 (the mean of "fg", scaled). */
    private static float[][] rows() {
        Random random = new Random(21);
        float[][] rows = new float[12][WIDTH];
        for (float[] row : rows) {
            for (int i = 0; i < WIDTH; i++) {
                row[i] = (float) random.nextGaussian();
            }
        }
        for (int i = 0; i < WIDTH; i++) {
            rows[3][i] = rows[0][i] - rows[1][i] + rows[2][i];
            rows[4][i] = 1.5f * (rows[5][i] + rows[6][i]);
        }
        return rows;
    }

    private static Tensor table(float[][] rows, DType dtype) {
        MemorySegment data = Arena.ofAuto().allocate(dtype.byteSize((long) rows.length * WIDTH));
        for (int r = 0; r < rows.length; r++) {
            Quantization.quantizeRow(dtype, rows[r], 0, WIDTH, data, r * dtype.byteSize(WIDTH));
        }
        return new Tensor("token_embd.weight", dtype, new long[] {rows.length, WIDTH}, data);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "Q8_0", "Q4_K"})
    void arithmeticFindsTheRowBuiltAsTheSum(DType dtype) {
        TokenEmbeddings embeddings = new TokenEmbeddings(table(rows(), dtype));
        double tolerance = dtype == DType.Q4_K ? 0.05 : dtype == DType.Q8_0 ? 0.005 : 1e-3;
        TokenEmbeddings.Nearest nearest = embeddings.nearest(LETTERS, EmbeddingQuery.parse("a - b + c"), 3);
        assertThat(nearest.neighbours().getFirst().id()).isEqualTo(3);
        assertThat(nearest.neighbours().getFirst().similarity()).isCloseTo(1, within(tolerance));
        assertThat(nearest.neighbours()).extracting(TokenEmbeddings.Neighbour::id).doesNotContain(0, 1, 2);
        // a word of two tokens stands for their mean
        TokenEmbeddings.Nearest mean = embeddings.nearest(LETTERS, EmbeddingQuery.parse("fg"), 2);
        assertThat(mean.terms().getFirst().ids()).containsExactly(5, 6);
        assertThat(mean.neighbours().getFirst().id()).isEqualTo(4);
        assertThat(mean.neighbours().getFirst().similarity()).isCloseTo(1, within(tolerance));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "Q8_0"})
    void similaritiesAreTheCosinesOfTheStoredRows(DType dtype) {
        float[][] rows = rows();
        Tensor table = table(rows, dtype);
        TokenEmbeddings embeddings = new TokenEmbeddings(table);
        float[] query = rows[7];
        boolean[] excluded = new boolean[12];
        excluded[7] = true;
        List<TokenEmbeddings.Neighbour> got = embeddings.nearest(query, 11, excluded);
        // float64 over the stored (for Q8_0: dequantized) rows
        List<Integer> want = IntStream.range(0, 12).filter(i -> i != 7).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -cosine(query, stored(table, i)))).toList();
        assertThat(got).extracting(TokenEmbeddings.Neighbour::id).containsExactlyElementsOf(want);
        for (TokenEmbeddings.Neighbour n : got) {
            assertThat(n.similarity()).isCloseTo(cosine(query, stored(table, n.id())), within(1e-5));
        }
    }

    @Test
    void nearestOnARealModelAgreesWithAFloat64Search() {
        Path gguf = SharedData.require("models/stories260K.gguf");
        try (ModelFiles model = ModelFiles.open(gguf)) {
            Tokenizer tokenizer = TokenizerLoader.fromGguf(gguf);
            Tensor table = model.transformer().weights().tokenEmbedding();
            TokenEmbeddings embeddings = new TokenEmbeddings(table);
            TokenEmbeddings.Nearest nearest = embeddings.nearest(tokenizer, EmbeddingQuery.parse("dog"), 8);
            int[] ids = nearest.terms().getFirst().ids();
            assertThat(ids).isEqualTo(tokenizer.encode("dog"));
            double[] query = new double[embeddings.width()];
            for (int id : ids) {
                float[] row = stored(table, id);
                for (int i = 0; i < query.length; i++) {
                    query[i] += row[i] / ids.length;
                }
            }
            List<Integer> want = IntStream.range(0, embeddings.vocabSize()).filter(i -> IntStream.of(ids).noneMatch(x -> x == i))
                    .boxed().sorted(Comparator.comparingDouble((Integer i) -> -cosine(query, stored(table, i)))).limit(8).toList();
            assertThat(nearest.neighbours()).extracting(TokenEmbeddings.Neighbour::id).containsExactlyElementsOf(want);
        }
    }

    @Test
    void queriesThatMeanNothingAreClearErrors() {
        TokenEmbeddings embeddings = new TokenEmbeddings(table(rows(), DType.F32));
        assertThatThrownBy(() -> embeddings.nearest(LETTERS, EmbeddingQuery.parse("a - a"), 3))
                .isInstanceOf(JgptException.class).hasMessageContaining("zero vector");
        assertThatThrownBy(() -> embeddings.nearest(LETTERS, EmbeddingQuery.parse("a"), 0))
                .isInstanceOf(JgptException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> embeddings.nearest(LETTERS, EmbeddingQuery.parse("z"), 3))
                .isInstanceOf(JgptException.class).hasMessageContaining("'z'");
        assertThatThrownBy(() -> new TokenEmbeddings(new Tensor("v", DType.F32, new long[] {4}, Arena.ofAuto().allocate(16))))
                .isInstanceOf(JgptException.class).hasMessageContaining("v is not a [vocab, width] matrix");
    }

    @Test
    void queriesParseIntoSignedTerms() {
        EmbeddingQuery q = EmbeddingQuery.parse("king - man + woman");
        assertThat(q.terms()).containsExactly(new EmbeddingQuery.Term(1, "king"), new EmbeddingQuery.Term(-1, "man"),
                new EmbeddingQuery.Term(1, "woman"));
        assertThat(q.toString()).isEqualTo("king - man + woman");
        assertThat(EmbeddingQuery.parse(" well-known ").terms()).containsExactly(new EmbeddingQuery.Term(1, "well-known"));
        assertThat(EmbeddingQuery.parse("C++ + Java").terms()).containsExactly(new EmbeddingQuery.Term(1, "C++"),
                new EmbeddingQuery.Term(1, "Java"));
        assertThat(q.withLeadingSpace().terms().get(1)).isEqualTo(new EmbeddingQuery.Term(-1, " man"));
        for (String bad : new String[] {"", "  ", "king - ", "king -  - man", "+"}) {
            assertThatThrownBy(() -> EmbeddingQuery.parse(bad)).as("'%s'", bad).isInstanceOf(JgptException.class)
                    .hasMessageContaining("empty term");
        }
    }

    private static float[] stored(Tensor table, int id) {
        float[] row = new float[(int) table.shape()[1]];
        Quantization.dequantizeRow(table.dtype(), table.data(), id * table.dtype().byteSize(row.length), row, 0, row.length);
        return row;
    }

    private static double cosine(float[] a, float[] b) {
        double[] x = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            x[i] = a[i];
        }
        return cosine(x, b);
    }

    private static double cosine(double[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
