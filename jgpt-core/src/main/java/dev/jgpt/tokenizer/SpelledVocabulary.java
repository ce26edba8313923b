package dev.jgpt.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A byte-level BPE vocabulary written out as text, the way {@code vocab.json},
 * {@code merges.txt} and GGUF's {@code tokenizer.ggml.*} spell it: each byte of a token as one
 * printable character of GPT-2's table (a space is {@code Ġ}), a special token as its text, a
 * merge as its two tokens separated by a space.
 *
 * @param tokens     each id's spelling, by id; null where the vocabulary has no token
 * @param specialIds the ids of special tokens
 * @param merges     the merges, highest priority first
 */
public record SpelledVocabulary(List<String> tokens, Set<Integer> specialIds, List<String> merges) {

    public SpelledVocabulary {
        tokens = Collections.unmodifiableList(new ArrayList<>(tokens));
        specialIds = Set.copyOf(specialIds);
        merges = List.copyOf(merges);
    }

    public static SpelledVocabulary of(ByteLevelBpe tokenizer) {
        BpeModel model = tokenizer.model();
        String[] tokens = new String[tokenizer.vocabSize()];
        for (int id = 0; id < model.tokens().size(); id++) {
            byte[] bytes = model.tokens().get(id);
            if (bytes != null) {
                tokens[id] = ByteUnicode.encode(bytes);
            }
        }
        model.specials().forEach((text, id) -> tokens[id] = text);
        List<String> merges = new ArrayList<>(model.merges().size());
        for (BpeModel.Merge m : model.merges()) {
            merges.add(ByteUnicode.encode(model.tokens().get(m.left())) + " " + ByteUnicode.encode(model.tokens().get(m.right())));
        }
        return new SpelledVocabulary(Arrays.asList(tokens), Set.copyOf(model.specials().values()), merges);
    }
}
