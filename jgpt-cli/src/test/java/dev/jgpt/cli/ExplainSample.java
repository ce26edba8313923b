package dev.jgpt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * An explanation JSON in the shape {@code jgpt explain --json} writes, computed by a tiny synthetic
 * transformer with random weights (embeddings, pre-norm causal attention blocks, tied unembedding),
 * so that its numbers hang together as a real model's do: attention rows are causal softmaxes,
 * each position's top-k comes from a full-vocabulary softmax, the logprobs and the perplexity follow
 * from those, and the logit lens of the last layer is the output.
 */
final class ExplainSample {
    /** The text is these pieces in order (then random ones): spaces, newlines, tabs, a control character, HTML and script syntax, non-ASCII. */
    static final String[] VOCAB = {
        "Once", " upon", " a", " time", "\n", "</script>", " there", " was", "\t", " &amp;", " é", "🙂", "<!--",
        " \"quoted\"", "\u0007", "  ", " little", " girl", " named", " Lily", ".", " She", " liked", " to", " play",
        " in", " the", " park", ",", "\n\n", " 'x'", " <b>bold</b>", " sun", " dog", " ran", "!", " happy", " and",
        " ball", "\\"
    };
    static final int TOP_K = 8;
    static final int LENS_K = 5;
    static final String MODEL = "synthetic-<test> model";
    private static final int DIM = 24;
    private static final float ATTENTION_SHARPNESS = 3f;
    private static final float LOGIT_SCALE = 0.45f;

    private ExplainSample() {}

    static String json(int length, int layers, int heads, long seed) {
        if (DIM % heads != 0) {
            throw new IllegalArgumentException("heads must divide " + DIM);
        }
        Random random = new Random(seed);
        int vocab = VOCAB.length;
        int headDim = DIM / heads;
        float[][] embedding = gaussian(random, vocab, DIM, 1f);
        int[] ids = new int[length];
        for (int t = 0; t < length; t++) {
            ids[t] = t < vocab ? t : random.nextInt(vocab);
        }
        // residual stream [position][DIM]: token embedding plus a small random position vector
        float[][] x = new float[length][];
        for (int t = 0; t < length; t++) {
            x[t] = embedding[ids[t]].clone();
            float[] position = gaussian(random, 1, DIM, 0.3f)[0];
            for (int i = 0; i < DIM; i++) x[t][i] += position[i];
        }

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.putObject("model").put("name", MODEL).put("architecture", "synthetic").put("layers", layers)
                .put("heads", heads).put("embd", DIM).put("vocab_size", vocab).put("context_length", Math.max(length, 64));
        ArrayNode tokens = root.putArray("tokens");
        for (int id : ids) tokens.addObject().put("id", id).put("piece", VOCAB[id]);

        ArrayNode attention = root.putArray("attention");
        ArrayNode lens = root.putArray("logit_lens");
        for (int l = 0; l < layers; l++) {
            float[][] normed = Arrays.stream(x).map(ExplainSample::layerNorm).toArray(float[][]::new);
            float[][] mixed = new float[length][DIM];
            ArrayNode layerNode = attention.addArray();
            for (int h = 0; h < heads; h++) {
                float[][] wq = gaussian(random, DIM, headDim, (float) (1 / Math.sqrt(DIM)));
                float[][] wk = gaussian(random, DIM, headDim, (float) (1 / Math.sqrt(DIM)));
                float[][] wv = gaussian(random, DIM, headDim, (float) (1 / Math.sqrt(DIM)));
                float[][] q = matmul(normed, wq);
                float[][] k = matmul(normed, wk);
                float[][] v = matmul(normed, wv);
                ArrayNode headNode = layerNode.addArray();
                for (int query = 0; query < length; query++) {
                    // scores of the keys up to the query (causal), softmaxed; zero above the diagonal
                    double[] scores = new double[query + 1];
                    for (int key = 0; key <= query; key++) {
                        scores[key] = ATTENTION_SHARPNESS * dot(q[query], k[key]) / Math.sqrt(headDim);
                    }
                    double[] weights = softmax(scores, 1);
                    ArrayNode row = headNode.addArray();
                    for (int key = 0; key < length; key++) {
                        float w = key <= query ? (float) weights[key] : 0f;
                        row.add(w);
                        for (int i = 0; key <= query && i < headDim; i++) mixed[query][h * headDim + i] += w * v[key][i];
                    }
                }
            }
            float[][] wo = gaussian(random, DIM, DIM, (float) (1.5 / Math.sqrt(DIM)));
            float[][] update = matmul(mixed, wo);
            for (int t = 0; t < length; t++) {
                for (int i = 0; i < DIM; i++) x[t][i] += update[t][i];
            }
            double[] lensProbs = softmax(logits(embedding, x[length - 1]), 1);
            ArrayNode lensNode = lens.addArray();
            for (int id : topIds(lensProbs, LENS_K)) lensNode.addObject().put("id", id).put("piece", VOCAB[id]).put("prob", lensProbs[id]);
        }

        ArrayNode positions = root.putArray("positions");
        ArrayNode logprobs = root.putArray("logprobs");
        double lossSum = 0;
        for (int t = 0; t < length; t++) {
            double[] logits = logits(embedding, x[t]);
            double[] probs = softmax(logits, 1);
            int[] top = topIds(probs, TOP_K);
            ObjectNode position = positions.addObject();
            ArrayNode topNode = position.putArray("top");
            double kept = 0;
            for (int id : top) {
                topNode.addObject().put("id", id).put("piece", VOCAB[id]).put("logit", logits[id]).put("prob", probs[id]);
                kept += probs[id];
            }
            position.put("rest_prob", 1 - kept);
            if (t + 1 < length) {
                double logprob = Math.log(probs[ids[t + 1]]);
                logprobs.add(logprob);
                lossSum -= logprob;
            }
        }
        if (length > 1) {
            root.put("perplexity", Math.exp(lossSum / (length - 1)));
        } else {
            root.putNull("perplexity");
        }

        double[] lastLogits = logits(embedding, x[length - 1]);
        double[] lastProbs = softmax(lastLogits, 1);
        int[] lastTop = topIds(lastProbs, TOP_K);
        ObjectNode next = root.putObject("next");
        ArrayNode nextTop = next.putArray("top");
        double kept = 0;
        for (int id : lastTop) {
            nextTop.addObject().put("id", id).put("piece", VOCAB[id]).put("prob", lastProbs[id]);
            kept += lastProbs[id];
        }
        next.put("rest_prob", 1 - kept);
        ObjectNode temperatures = root.putObject("temperatures");
        double[] topLogits = Arrays.stream(lastTop).mapToDouble(id -> lastLogits[id]).toArray();
        for (String temperature : new String[] {"0.5", "1", "2"}) {
            double[] p = softmax(topLogits, Double.parseDouble(temperature));
            ArrayNode list = temperatures.putArray(temperature);
            for (int k = 0; k < lastTop.length; k++) list.addObject().put("id", lastTop[k]).put("piece", VOCAB[lastTop[k]]).put("prob", p[k]);
        }
        return root.toString();
    }

    /** softmax(values / temperature), the largest value subtracted first. */
    static double[] softmax(double[] values, double temperature) {
        double max = Arrays.stream(values).max().orElse(0);
        double[] out = Arrays.stream(values).map(v -> Math.exp((v - max) / temperature)).toArray();
        double sum = Arrays.stream(out).sum();
        return Arrays.stream(out).map(v -> v / sum).toArray();
    }

    private static double[] logits(float[][] embedding, float[] residual) {
        float[] normed = layerNorm(residual);
        return Arrays.stream(embedding).mapToDouble(row -> LOGIT_SCALE * dot(row, normed)).toArray();
    }

    private static int[] topIds(double[] probs, int k) {
        return IntStream.range(0, probs.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> probs[i]).reversed())
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static float[] layerNorm(float[] x) {
        double mean = 0;
        for (float v : x) mean += v;
        mean /= x.length;
        double variance = 0;
        for (float v : x) variance += (v - mean) * (v - mean);
        double scale = 1 / Math.sqrt(variance / x.length + 1e-5);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) ((x[i] - mean) * scale);
        return out;
    }

    private static float[][] gaussian(Random random, int rows, int cols, float scale) {
        float[][] m = new float[rows][cols];
        for (float[] row : m) {
            for (int j = 0; j < cols; j++) row[j] = (float) random.nextGaussian() * scale;
        }
        return m;
    }

    private static float[][] matmul(float[][] a, float[][] b) {
        float[][] out = new float[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < b.length; k++) {
                float aik = a[i][k];
                for (int j = 0; j < b[0].length; j++) out[i][j] += aik * b[k][j];
            }
        }
        return out;
    }

    private static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }
}
