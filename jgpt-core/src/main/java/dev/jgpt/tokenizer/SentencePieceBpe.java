package dev.jgpt.tokenizer;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Matcher;

/**
 * Llama 2's tokenizer: SentencePiece-style BPE as llama.cpp runs it (its "SPM" vocabulary).
 *
 * <p>Encoding a stretch of text between special tokens: a space goes before it when it starts
 * the text or follows a special token (the dummy prefix, {@link SentencePieceModel#addSpacePrefix}),
 * every space becomes {@code ▁} (U+2581), and the text starts as one symbol per character. Then,
 * again and again, the adjacent pair whose concatenation is the token with the highest score
 * merges (ties: the leftmost pair), until no pair spells a token. A symbol that is still no
 * token, a character outside the vocabulary, becomes the {@code <0xNN>} tokens of its UTF-8 bytes.
 *
 * <p>Decoding: {@code ▁} is a space, a byte token is its byte, control and unknown tokens print
 * nothing, and the first token loses one leading space, the dummy prefix.
 *
 * <p>Immutable and thread-safe.
 */
public final class SentencePieceBpe implements Tokenizer {
    private static final char SPACE_MARK = '\u2581';
    /**
     * Symbol ids from here up stand for a character outside the vocabulary (this base plus its
     * code point), so that such characters can still take part in pairs that spell a token.
     */
    private static final int OUTSIDE = BpeModel.MAX_ID + 1;

    private final SentencePieceModel model;
    private final String[] texts;
    private final Map<String, Integer> idOfText;
    /** What each token decodes to. */
    private final byte[][] bytes;
    private final int[] byteIds = new int[256];
    private final SpecialTokens specials;
    private final MergeTable merges;

    /**
     * A tokenizer for {@code model}.
     *
     * @throws IllegalArgumentException when the model is inconsistent: too many tokens, a byte
     *     token not written {@code <0xNN>}, a BOS/EOS/unknown id outside the vocabulary
     */
    public SentencePieceBpe(SentencePieceModel model) {
        this.model = Objects.requireNonNull(model, "model");
        int n = model.pieces().size();
        if (n > OUTSIDE) {
            throw new IllegalArgumentException(n + " tokens, expected at most " + OUTSIDE);
        }
        texts = new String[n];
        idOfText = new HashMap<>(n * 2);
        bytes = new byte[n][];
        Map<String, Integer> special = new HashMap<>();
        for (int id = 0; id < n; id++) {
            String text = model.pieces().get(id);
            texts[id] = text.isEmpty() ? "[EMPTY_" + id + "]" : text; // llama.cpp's name for an empty token
            idOfText.put(texts[id], id); // a repeated text means its last token, as in llama.cpp
            TokenType type = model.types().get(id);
            bytes[id] = switch (type) {
                case NORMAL -> texts[id].replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
                case BYTE -> new byte[] {byteOf(texts[id], id)};
                case USER_DEFINED -> texts[id].getBytes(StandardCharsets.UTF_8);
                default -> new byte[0];
            };
            if (type.isSpecial()) {
                special.put(texts[id], id);
            }
        }
        specials = new SpecialTokens(special);
        for (int b = 0; b < 256; b++) {
            Integer id = idOfText.get(String.format("<0x%02X>", b));
            if (id == null && b < 0x80) {
                id = idOfText.get(String.valueOf((char) b)); // llama.cpp's fallback: the byte as a character
            }
            byteIds[b] = id == null ? -1 : id;
        }
        checkId("BOS", model.markers().bosId());
        checkId("EOS", model.markers().eosId());
        checkId("unknown", model.unknownId());
        merges = mergeTable(model.scores());
    }

    private static byte byteOf(String text, int id) {
        if (text.length() != 6 || !text.startsWith("<0x") || !text.endsWith(">")) {
            throw new IllegalArgumentException("token " + id + " is a byte token but is written " + Quoted.of(text) + ", expected <0xNN>");
        }
        try {
            return (byte) Integer.parseInt(text.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("token " + id + " is a byte token but is written " + Quoted.of(text) + ", expected <0xNN>", e);
        }
    }

    private void checkId(String name, OptionalInt id) {
        if (id.isPresent() && (id.getAsInt() < 0 || id.getAsInt() >= texts.length)) {
            throw new IllegalArgumentException(name + " token id " + id.getAsInt() + " is not in the vocabulary (size " + texts.length + ")");
        }
    }

    /**
     * Every way two symbols can spell a token: each token split at each character boundary into
     * two halves that can be symbols (tokens, or single characters). A pair's rank orders the
     * scores of the tokens they make, highest first, equal scores sharing a rank.
     */
    private MergeTable mergeTable(float[] scores) {
        float[] distinct = distinctAscending(scores);
        IntList left = new IntList(texts.length * 4);
        IntList right = new IntList(texts.length * 4);
        IntList result = new IntList(texts.length * 4);
        IntList rank = new IntList(texts.length * 4);
        for (int id = 0; id < texts.length; id++) {
            String text = texts[id];
            if (idOfText.get(text) != id) {
                continue; // a repeated text: pairs spell its last token only
            }
            int scoreRank = distinct.length - 1 - Arrays.binarySearch(distinct, scores[id]);
            for (int k = text.offsetByCodePoints(0, 1); k < text.length(); k = text.offsetByCodePoints(k, 1)) {
                int a = symbolOf(text.substring(0, k));
                int b = symbolOf(text.substring(k));
                if (a >= 0 && b >= 0) {
                    left.add(a);
                    right.add(b);
                    result.add(id);
                    rank.add(scoreRank);
                }
            }
        }
        return new MergeTable(left.toArray(), right.toArray(), result.toArray(), rank.toArray());
    }

    /** Distinct scores, ascending, so that a score's rank is how many distinct scores lie above it. */
    private static float[] distinctAscending(float[] scores) {
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (n == 0 || Float.compare(sorted[i], sorted[n - 1]) != 0) {
                sorted[n++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, n);
    }

    /** The symbol spelled {@code text}: its token, a character outside the vocabulary, or -1 (neither). */
    private int symbolOf(String text) {
        Integer id = idOfText.get(text);
        if (id != null) {
            return id;
        }
        return text.codePointCount(0, text.length()) == 1 ? OUTSIDE + text.codePointAt(0) : -1;
    }

    /** The data this tokenizer was built from. */
    public SentencePieceModel model() {
        return model;
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3);
        Matcher m = specials.isEmpty() ? null : specials.matcher(text);
        int done = 0;
        boolean afterSpecial = true; // the start of the text counts as after a special token
        while (m != null && m.find()) {
            if (m.start() > done) {
                encodeInto(text.substring(done, m.start()), afterSpecial, out);
            }
            out.add(specials.id(m.group()).orElseThrow());
            afterSpecial = true;
            done = m.end();
        }
        if (done < text.length()) {
            encodeInto(text.substring(done), afterSpecial, out);
        }
        return out.toArray();
    }

    @Override
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3);
        if (!text.isEmpty()) {
            encodeInto(text, true, out);
        }
        return out.toArray();
    }

    @Override
    public int[] encodeSequence(String text) {
        return model.markers().wrap(encode(text));
    }

    private void encodeInto(String text, boolean afterSpecial, IntList out) {
        String escaped = (model.addSpacePrefix() && afterSpecial ? " " + text : text).replace(' ', SPACE_MARK);
        int[] symbols = new int[escaped.codePointCount(0, escaped.length())];
        for (int i = 0, k = 0; i < escaped.length(); k++) {
            int cp = escaped.codePointAt(i);
            int next = i + Character.charCount(cp);
            Integer id = idOfText.get(escaped.substring(i, next));
            symbols[k] = id != null ? id : OUTSIDE + cp;
            i = next;
        }
        for (int symbol : merges.apply(symbols)) {
            if (symbol < OUTSIDE) {
                out.add(symbol);
            } else {
                for (byte b : Character.toString(symbol - OUTSIDE).getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b & 0xFF, symbol - OUTSIDE));
                }
            }
        }
    }

    private int byteToken(int b, int codePoint) {
        if (byteIds[b] >= 0) {
            return byteIds[b];
        }
        return model.unknownId().orElseThrow(() -> new JgptException(String.format(
                "character U+%04X is not in the vocabulary, which has neither a token <0x%02X> for its byte nor an unknown token", codePoint, b)));
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        byte[] out = TokenBytes.concatenate(ids, from, to, this::token);
        // the first token loses the dummy prefix's space
        boolean firstHasSpace = from < to && model.addSpacePrefix() && token(ids[from]).length > 0 && token(ids[from])[0] == ' ';
        int skip = firstHasSpace ? 1 : 0;
        return new String(out, skip, out.length - skip, StandardCharsets.UTF_8);
    }

    private byte[] token(int id) {
        if (id < 0 || id >= bytes.length) {
            throw new JgptException("token id " + id + " is not in the vocabulary (size " + bytes.length + ")");
        }
        return bytes[id];
    }

    @Override
    public byte[] tokenBytes(int id) {
        return token(id).clone();
    }

    /** Plain and byte tokens as their text ({@code ▁} as a space, a cut character as {@code <0xE2>}), others as written in the vocabulary. */
    @Override
    public String piece(int id) {
        byte[] b = token(id);
        TokenType type = model.types().get(id);
        return type == TokenType.NORMAL || type == TokenType.BYTE ? PieceText.of(b) : texts[id];
    }

    @Override
    public int vocabSize() {
        return texts.length;
    }

    @Override
    public OptionalInt eosId() {
        return model.markers().eosId();
    }

    @Override
    public OptionalInt bosId() {
        return model.markers().bosId();
    }

    @Override
    public boolean addsBos() {
        return model.markers().addBos();
    }

    @Override
    public OptionalInt specialId(String text) {
        return specials.id(text);
    }

    @Override
    public boolean isSpecial(int id) {
        return specials.contains(id);
    }

    /** Each token's type. */
    public List<TokenType> tokenTypes() {
        return model.types();
    }
}
