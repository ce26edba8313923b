package dev.jgpt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jgpt.JgptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    @TempDir
    Path dir;

    /** About 30k characters of words over a small alphabet, with runs ("aaaa", "abab") where merges overlap. */
    private static String corpus(long seed) {
        Random random = new Random(seed);
        String[] stems = {"a", "b", "ab", "ba", "aa", "abc", "é", "ü", "3", "'s", "!", "\n", "  "};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 30_000) {
            if (random.nextInt(4) == 0) {
                sb.append(' ');
            }
            int parts = 1 + random.nextInt(5);
            for (int i = 0; i < parts; i++) {
                sb.append(stems[Math.min(random.nextInt(stems.length), random.nextInt(stems.length))]);
            }
        }
        return sb.toString();
    }

    /** Merges spelled as GPT-2's merges.txt spells them ("Ġ t"). */
    private static List<String> mergeSpellings(ByteLevelBpe tokenizer) {
        return tokenizer.model().merges().stream()
                .map(m -> ByteUnicode.encode(tokenizer.tokenBytes(m.left())) + " " + ByteUnicode.encode(tokenizer.tokenBytes(m.right())))
                .toList();
    }

    @Test
    void firstMergesFollowFromCountingByHand() {
        // "aaab" 50 times: "a a" occurs 100 times, "a b" 50, so "a a" first; then "aa a" and "a b" tie at 50 and
        // the smaller left id ("a" = 64, "aa" = 256) wins; then "aa ab"; then every word is one token
        ByteLevelBpe tokenizer = BpeTrainer.train("aaab\n".repeat(50), 1000);
        assertThat(mergeSpellings(tokenizer)).containsExactly("a a", "a b", "aa ab");
        assertThat(tokenizer.vocabSize()).as("stops when no pair is left").isEqualTo(256 + 3 + 1);
        assertThat(tokenizer.eosId()).hasValue(259);
        assertThat(tokenizer.encode("aaab aaab")).containsExactly(258, 220, 258);
    }

    @Test
    void vocabularyIsTheBytesThenOneTokenPerMergeThenEndOfText() {
        ByteLevelBpe tokenizer = BpeTrainer.train(corpus(1), 400);
        assertThat(tokenizer.vocabSize()).isEqualTo(400);
        assertThat(tokenizer.mergeCount()).isEqualTo(400 - 257);
        assertThat(tokenizer.eosId()).hasValue(399);
        assertThat(tokenizer.isSpecial(399)).isTrue();
        assertThat(tokenizer.piece(399)).isEqualTo(ByteLevelBpe.END_OF_TEXT);
        // GPT-2's vocab.json order: "!" is 0, "A" is 32, "Ā" (byte 0) is 188, "Ġ" (space) is 220
        assertThat(tokenizer.tokenBytes(0)).containsExactly('!');
        assertThat(tokenizer.tokenBytes(32)).containsExactly('A');
        assertThat(tokenizer.tokenBytes(188)).containsExactly(0);
        assertThat(tokenizer.tokenBytes(220)).containsExactly(' ');
        List<BpeModel.Merge> merges = tokenizer.model().merges();
        for (int i = 0; i < merges.size(); i++) {
            byte[] left = tokenizer.tokenBytes(merges.get(i).left());
            byte[] right = tokenizer.tokenBytes(merges.get(i).right());
            byte[] joined = Arrays.copyOf(left, left.length + right.length);
            System.arraycopy(right, 0, joined, left.length, right.length);
            assertThat(tokenizer.tokenBytes(256 + i)).as("token of merge %d", i).isEqualTo(joined);
            assertThat(merges.get(i).left()).as("merge %d uses tokens that exist already", i).isLessThan(256 + i);
            assertThat(merges.get(i).right()).isLessThan(256 + i);
        }
    }

    @Test
    void learnsTheSameMergesAsAReferenceThatRecountsEveryPairAtEveryStep() {
        for (long seed = 1; seed <= 3; seed++) {
            String text = corpus(seed);
            ByteLevelBpe tokenizer = BpeTrainer.train(text, 600);
            assertThat(tokenizer.model().merges()).as("seed %d", seed).containsExactlyElementsOf(NaiveTrainer.merges(text, 600));
        }
    }

    @Test
    void anyTextRoundTripsSeenOrNot() {
        String text = corpus(2);
        ByteLevelBpe tokenizer = BpeTrainer.train(text, 500);
        assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        assertThat(tokenizer.encode(text).length).as("merges shorten the corpus").isLessThan(text.length() / 2);
        for (String unseen : JtokkitOracleTest.TRICKY) {
            assertThat(tokenizer.decode(tokenizer.encode(unseen))).isEqualTo(unseen);
        }
        assertThat(tokenizer.encode("ab" + ByteLevelBpe.END_OF_TEXT + "ab")).contains(499);
    }

    @Test
    void sameCorpusAndSizeGiveTheSameTokenizer() {
        String text = corpus(3);
        ByteLevelBpe a = BpeTrainer.train(text, 450);
        ByteLevelBpe b = BpeTrainer.train(new String(text.toCharArray()), 450);
        assertThat(b.model().merges()).containsExactlyElementsOf(a.model().merges());
        assertThat(b.encode(text)).isEqualTo(a.encode(text));
    }

    @Test
    void noMergeReachesAcrossEndOfText() {
        // without the split, "<|", "endoftext" and "|>" would be words with pairs of their own
        ByteLevelBpe tokenizer = BpeTrainer.train(("x" + ByteLevelBpe.END_OF_TEXT + "y").repeat(100), 300);
        assertThat(mergeSpellings(tokenizer)).containsExactly("y x");
    }

    @Test
    void progressCountsUpToTheTotal() {
        List<int[]> reports = new ArrayList<>();
        BpeTrainer.train(corpus(4), 300, (done, total) -> reports.add(new int[] {done, total}));
        assertThat(reports).hasSize(300 - 257);
        for (int i = 0; i < reports.size(); i++) {
            assertThat(reports.get(i)).containsExactly(i + 1, 300 - 257);
        }
    }

    @Test
    void tooSmallAVocabularyIsRefused() {
        assertThatThrownBy(() -> BpeTrainer.train("abc", 256)).isInstanceOf(JgptException.class).hasMessageContaining("257");
        assertThat(BpeTrainer.train("abc", 257).vocabSize()).isEqualTo(257);
        assertThat(BpeTrainer.train("", 300).vocabSize()).as("an empty corpus gives the bytes alone").isEqualTo(257);
    }

    @Test
    void tinyShakespeareCompressesAndItsFirstMergesAreHuggingFaces() {
        String text = Shared.text("corpora/tinyshakespeare.txt");
        ByteLevelBpe tokenizer = BpeTrainer.train(text, 1024);
        assertThat(tokenizer.mergeCount()).isEqualTo(1024 - 257);
        // the first merges of Hugging Face's BpeTrainer (tokenizers 0.23, ByteLevel pre-tokenizer) on this file
        assertThat(mergeSpellings(tokenizer).subList(0, 10))
                .containsExactly("Ġ t", "h e", "Ġ a", "o u", "Ġ s", "Ġ m", "i n", "Ġ w", "r e", "h a");
        int[] ids = tokenizer.encode(text);
        // measured 0.412 tokens per character (GPT-2's 50257 tokens: 0.30)
        assertThat(ids.length / (double) text.length()).isLessThan(0.45);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void tokenizerJsonWrittenThenReadEncodesTheSame() {
        String text = corpus(5);
        ByteLevelBpe trained = BpeTrainer.train(text, 500);
        Path file = dir.resolve("tokenizer.json");
        TokenizerJson.write(trained, file);
        Tokenizer loaded = TokenizerLoader.fromDirectory(dir);
        assertThat(loaded).isInstanceOf(ByteLevelBpe.class);
        assertThat(((ByteLevelBpe) loaded).model().merges()).containsExactlyElementsOf(trained.model().merges());
        assertThat(loaded.eosId()).isEqualTo(trained.eosId());
        String unseen = String.join("\n", JtokkitOracleTest.TRICKY) + ByteLevelBpe.END_OF_TEXT;
        Ids.assertSameIds("corpus after tokenizer.json", loaded.encode(text), trained.encode(text), trained);
        Ids.assertSameIds("unseen text after tokenizer.json", loaded.encode(unseen), trained.encode(unseen), trained);
    }

    /** The textbook trainer: count every pair of every word, merge the best everywhere, repeat. Slow, obviously right. */
    private static final class NaiveTrainer {
        static List<BpeModel.Merge> merges(String text, int vocabSize) {
            List<String> tokens = new ArrayList<>(); // token bytes as Latin-1 strings, by id
            for (int b = 0; b < 256; b++) {
                tokens.add(String.valueOf((char) b));
            }
            tokens.sort((x, y) -> ByteUnicode.encode(x.getBytes(StandardCharsets.ISO_8859_1))
                    .compareTo(ByteUnicode.encode(y.getBytes(StandardCharsets.ISO_8859_1))));
            Map<List<Integer>, Long> words = new HashMap<>();
            for (String piece : PreTokenizer.GPT2.split(text)) {
                List<Integer> ids = new ArrayList<>();
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    ids.add(tokens.indexOf(String.valueOf((char) (b & 0xFF))));
                }
                words.merge(ids, 1L, Long::sum);
            }
            List<BpeModel.Merge> merges = new ArrayList<>();
            while (tokens.size() < vocabSize - 1) {
                Map<BpeModel.Merge, Long> counts = new HashMap<>();
                words.forEach((word, n) -> {
                    for (int i = 0; i + 1 < word.size(); i++) {
                        counts.merge(new BpeModel.Merge(word.get(i), word.get(i + 1)), n, Long::sum);
                    }
                });
                BpeModel.Merge best = counts.entrySet().stream().min((x, y) -> x.getValue().equals(y.getValue())
                        ? x.getKey().left() != y.getKey().left() ? Integer.compare(x.getKey().left(), y.getKey().left())
                                : Integer.compare(x.getKey().right(), y.getKey().right())
                        : Long.compare(y.getValue(), x.getValue())).map(Map.Entry::getKey).orElse(null);
                if (best == null) {
                    break;
                }
                String joined = tokens.get(best.left()) + tokens.get(best.right());
                if (!tokens.contains(joined)) {
                    tokens.add(joined);
                }
                int id = tokens.indexOf(joined);
                merges.add(best);
                Map<List<Integer>, Long> next = new HashMap<>();
                words.forEach((word, n) -> next.merge(join(word, best, id), n, Long::sum));
                words = next;
            }
            return merges;
        }

        private static List<Integer> join(List<Integer> word, BpeModel.Merge merge, int id) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < word.size(); i++) {
                if (i + 1 < word.size() && word.get(i) == merge.left() && word.get(i + 1) == merge.right()) {
                    out.add(id);
                    i++;
                } else {
                    out.add(word.get(i));
                }
            }
            return out;
        }
    }
}
