package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.TinyModels;
import dev.jgpt.convert.GgufModelWriter;
import dev.jgpt.convert.RandomModel;
import dev.jgpt.model.Architecture;
import dev.jgpt.model.ModelConfig;
import dev.jgpt.model.Rope;
import dev.jgpt.model.Transformer;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lane that keeps the prompt it ran gives a conversation's next turn the logits and tokens a
 * fresh lane computes from the whole prompt, to the bit: two conversations in two lanes of one
 * generator, turn by turn, one of them leaving its cached prompt in the middle.
 */
class PromptReuseTest {
    private static final int WINDOW = 256;
    private static final int REPLY = 8;
    private static final int ALIKE = Transformer.ROW_INVARIANT_PASS;

    @TempDir
    Path dir;

    /** Weights stored [in, out] (the GEMM's IN_OUT path), learned positions. */
    @Test
    void gpt2Folder() {
        RandomModel.write(ModelConfig.gpt2(2, 2, 32, WINDOW, TinyModels.VOCAB), DType.F32, 3, dir);
        check(dir);
    }

    /** Weights stored [out, in] as F16 (the GEMM's OUT_IN path), rotary positions, grouped-query heads. */
    @Test
    void llamaGguf() {
        check(gguf(new ModelConfig(Architecture.llama(Rope.of(Rope.Style.NORM, 8, 10000)), 2, 4, 2, 32, 64, WINDOW,
                TinyModels.VOCAB, 1e-5f, false), DType.F16));
    }

    /** A sliding window of 16 positions on every other layer: the cache keeps every row, attention masks the old ones. */
    @Test
    void gemma2WithASlidingWindow() {
        check(gguf(new ModelConfig(Architecture.gemma2(Rope.of(Rope.Style.NEOX, 8, 10000), 32, 0.25f, 16, 50f, 30f), 2, 4, 2,
                32, 64, WINDOW, TinyModels.VOCAB, 1e-5f, true), DType.F32));
    }

    private Path gguf(ModelConfig config, DType type) {
        Path file = dir.resolve("model.gguf");
        GgufModelWriter.Contents contents = RandomModel.gguf(config, type, 3);
        contents.metadata().putAll(GgufModelWriter.vocabulary(TinyModels.TOKENIZER, TinyModels.VOCAB));
        contents.write(file);
        return file;
    }

    private static void check(Path model) {
        try (ModelFiles files = ModelFiles.open(model)) {
            Transformer transformer = files.transformer();
            BatchGenerator reusing = new BatchGenerator(transformer, TinyModels.TOKENIZER, 2, WINDOW);
            Conversation a = new Conversation(reusing, reusing.lane(0), new BatchGenerator(transformer, TinyModels.TOKENIZER, 1, WINDOW));
            Conversation b = new Conversation(reusing, reusing.lane(1), a.fresh);
            SplittableRandom random = new SplittableRandom(5);

            int[] a1 = tokens(random, 30);
            assertThat(a.turn(a1)).isZero();
            int[] b1 = tokens(random, 25);
            assertThat(b.turn(b1)).isZero();
            // the next turns keep their own lane's prompt; the reply's decoded positions run again
            int[] a2 = concat(a1, a.lastReply, tokens(random, 14));
            assertThat(a.turn(a2)).isEqualTo(a1.length);
            int[] b2 = concat(b1, b.lastReply, tokens(random, 14));
            assertThat(b.turn(b2)).isEqualTo(b1.length);
            // an edit in the middle of the conversation keeps the positions before it
            int[] a3 = concat(Arrays.copyOf(a2, 17), new int[] {(a2[17] + 1) % TinyModels.VOCAB}, tokens(random, 20));
            assertThat(a.turn(a3)).isEqualTo(17);
            // a short addition runs the last cached positions again, so that the pass is long enough to round alike
            int[] a4 = concat(a3, a.lastReply, tokens(random, 2));
            assertThat(a.turn(a4)).isEqualTo(Math.min(a3.length, a4.length - ALIKE));
            assertThat(a.turn(a4)).isEqualTo(a4.length - ALIKE);
            // b's lane still holds b2, whatever a's did meanwhile
            assertThat(b.turn(concat(b2, b.lastReply, tokens(random, 12)))).isEqualTo(b2.length);
        }
    }

    /** One conversation in a reusing lane, each turn checked against a fresh lane. */
    private static final class Conversation {
        final BatchGenerator reusing;
        final BatchGenerator.Lane lane;
        final BatchGenerator fresh;
        int[] lastReply;

        Conversation(BatchGenerator reusing, BatchGenerator.Lane lane, BatchGenerator fresh) {
            this.reusing = reusing;
            this.lane = lane;
            this.fresh = fresh;
        }

        /** Runs the turn with reuse and from scratch, checks that every logit and token agree, and returns the positions kept. */
        int turn(int[] prompt) {
            Turn got = run(reusing, lane, prompt, true);
            Turn want = run(fresh, fresh.lane(0), prompt, false);
            assertThat(got.tokens()).containsExactly(want.tokens());
            assertThat(got.logits()).hasSameSizeAs(want.logits());
            for (int i = 0; i < want.logits().size(); i++) {
                assertThat(got.logits().get(i)).as("logits before token %d", i).isEqualTo(want.logits().get(i));
            }
            lastReply = got.tokens();
            return got.kept();
        }
    }

    private record Turn(int kept, int[] tokens, List<float[]> logits) {
    }

    /** A greedy reply of up to {@link #REPLY} tokens, with the logits each token was picked from. */
    private static Turn run(BatchGenerator generator, BatchGenerator.Lane lane, int[] prompt, boolean reuse) {
        generator.begin(lane, prompt, GenerationSettings.of(REPLY, SamplerSettings.greedy()));
        int kept = generator.prefill(lane, reuse);
        List<float[]> logits = new ArrayList<>();
        while (true) {
            logits.add(lane.logits().clone());
            if (generator.sample(lane, true, () -> false).done()) {
                break;
            }
            generator.advance(new BatchGenerator.Lane[] {lane}, 1);
        }
        int[] tokens = lane.continuation().tokens();
        generator.release(lane);
        return new Turn(kept, tokens, logits);
    }

    private static int[] tokens(SplittableRandom random, int n) {
        return IntStream.range(0, n).map(i -> random.nextInt(TinyModels.VOCAB)).toArray();
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
