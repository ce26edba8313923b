package dev.jgpt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jgpt.SharedData;
import dev.jgpt.model.load.ModelFiles;
import dev.jgpt.sampling.SamplerSettings;
import dev.jgpt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Lanes decoded together, joining at different rounds, continue their prompts as a Generator does each alone. */
class BatchGeneratorTest {
    private static final Tokenizer TOKENIZER = GeneratorTest.tokenizer(OptionalInt.empty());
    private static final int TOKENS = 10;

    @Test
    void lanesDecodedTogetherEqualEachSequenceGeneratedAlone() {
        int[][] prompts = {{1, 2, 3}, {40, 41}, {7, 7, 7, 7, 9}};
        GenerationSettings settings = GenerationSettings.of(TOKENS, SamplerSettings.greedy());
        try (ModelFiles model = ModelFiles.open(SharedData.require("fixtures/tiny_sharp"))) {
            BatchGenerator generator = new BatchGenerator(model.transformer(), TOKENIZER, prompts.length, 32);
            List<List<Integer>> together = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                together.add(new ArrayList<>());
            }
            BatchGenerator.Lane[] going = new BatchGenerator.Lane[prompts.length];
            for (int round = 0; round < TOKENS + prompts.length; round++) {
                if (round < prompts.length) { // lane i joins at round i
                    BatchGenerator.Lane lane = generator.lane(round);
                    generator.begin(lane, prompts[round], settings);
                    generator.prefill(lane, false);
                }
                int m = 0;
                for (int i = 0; i < Math.min(round + 1, prompts.length); i++) {
                    BatchGenerator.Lane lane = generator.lane(i);
                    if (lane.continuation() == null) {
                        continue;
                    }
                    Continuation.Step step = generator.sample(lane, true, () -> false);
                    together.get(i).add(step.id());
                    if (step.done()) {
                        generator.release(lane);
                    } else {
                        going[m++] = lane;
                    }
                }
                if (m > 0) {
                    generator.advance(going, m);
                }
            }
            for (int i = 0; i < prompts.length; i++) {
                int[] alone = new Generator(model.transformer(), TOKENIZER, 32).generate(prompts[i], settings, (id, text) -> { })
                        .tokens();
                assertThat(together.get(i)).as("lane %d", i).containsExactlyElementsOf(Arrays.stream(alone).boxed().toList());
            }
        }
    }
}
