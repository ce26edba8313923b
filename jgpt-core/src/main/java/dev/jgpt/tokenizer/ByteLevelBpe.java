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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;

/**
 * The GPT-2 family's tokenizer: text is cut by a regex ({@link PreTokenizer}: GPT-2's, or Llama
 * 3's or Qwen2's), each piece is turned into its UTF-8 bytes, one token per byte, and merges join
 * adjacent tokens in rank order until none applies. Every byte has a token, so any text encodes
 * and nothing is unknown. {@link Options} carry what a vocabulary says beyond its tokens and
 * merges (GGUF files do: the pre-tokenizer, BOS/EOS, control tokens).
 *
 * <p>Immutable and thread-safe; results per piece are cached (a bounded, shared cache).
 */
public final class ByteLevelBpe implements Tokenizer {
    /** GPT-2's end-of-text token, which is also its only special token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final int CACHE_LIMIT = 1 << 16;
    private static final int CACHED_PIECE_MAX_LENGTH = 64;

    /**
     * What a vocabulary says beyond its tokens and merges.
     *
     * @param preTokenizer how text is cut before merging
     * @param ignoreMerges whether a piece that is itself a token becomes that token without
     *                     merging (llama.cpp's rule for Llama 3; the merges may reach another split)
     * @param markers      BOS and EOS; without an EOS id, {@value #END_OF_TEXT} is EOS when it is a special token
     * @param silentIds    special tokens that decode to nothing (GGUF's control tokens), as llama.cpp prints them
     */
    public record Options(PreTokenizer preTokenizer, boolean ignoreMerges, SequenceMarkers markers, Set<Integer> silentIds) {
        /** GPT-2's: its regex, merges always, no BOS, every special token printed. */
        public static final Options GPT2 = new Options(PreTokenizer.GPT2, false, SequenceMarkers.NONE, Set.of());

        public Options {
            Objects.requireNonNull(preTokenizer, "preTokenizer");
            Objects.requireNonNull(markers, "markers");
            silentIds = Set.copyOf(silentIds);
        }
    }

    private final BpeModel model;
    private final Options options;
    /** What each token decodes to: nothing for a silent one. */
    private final byte[][] bytes;
    private final int[] byteIds = new int[256];
    private final MergeTable merges;
    private final SpecialTokens specials;
    /** Token bytes (latin1) to id, for {@link Options#ignoreMerges}; empty otherwise. */
    private final Map<String, Integer> wholePieces;
    private final int vocabSize;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /** GPT-2's kind of tokenizer for {@code model} ({@link Options#GPT2}); see {@link #ByteLevelBpe(BpeModel, Options)}. */
    public ByteLevelBpe(BpeModel model) {
        this(model, Options.GPT2);
    }

    /**
     * A tokenizer for {@code model} with {@code options}.
     *
     * @throws IllegalArgumentException when the model is inconsistent: a merge naming an id
     *     without a token or producing bytes no token has (the message names the merge, counting
     *     from 1), a byte value with no token, a BOS/EOS id outside the vocabulary, or a silent
     *     id that is not a special token
     */
    public ByteLevelBpe(BpeModel model, Options options) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
        this.specials = new SpecialTokens(model.specials());
        int size = model.tokens().size();
        for (var special : model.specials().entrySet()) {
            if (special.getValue() < 0 || special.getValue() > BpeModel.MAX_ID) {
                throw new IllegalArgumentException("special token " + Quoted.of(special.getKey()) + " has id " + special.getValue()
                        + ", expected 0 to " + BpeModel.MAX_ID);
            }
            size = Math.max(size, special.getValue() + 1);
        }
        this.vocabSize = size;
        this.bytes = new byte[size][];
        Map<String, Integer> idOfBytes = new HashMap<>(size * 2);
        for (int id = 0; id < model.tokens().size(); id++) {
            byte[] b = model.tokens().get(id);
            if (b != null && !specials.contains(id)) {
                bytes[id] = b.clone();
                idOfBytes.putIfAbsent(latin1(b), id);
            }
        }
        model.specials().forEach((text, id) -> bytes[id] = options.silentIds().contains(id) ? new byte[0] : text.getBytes(StandardCharsets.UTF_8));
        for (int id : options.silentIds()) {
            if (!specials.contains(id)) {
                throw new IllegalArgumentException("silent token id " + id + " is not a special token");
            }
        }
        checkMarker("BOS", options.markers().bosId());
        checkMarker("EOS", options.markers().eosId());
        for (int b = 0; b < 256; b++) {
            Integer id = idOfBytes.get(String.valueOf((char) b));
            if (id == null) {
                throw new IllegalArgumentException(String.format("byte 0x%02X has no token (\"%s\")",
                        b, ByteUnicode.encode(new byte[] {(byte) b})));
            }
            byteIds[b] = id;
        }
        this.merges = mergeTable(model.merges(), idOfBytes);
        this.wholePieces = options.ignoreMerges() ? idOfBytes : Map.of();
    }

    private void checkMarker(String name, OptionalInt id) {
        if (id.isPresent() && (id.getAsInt() < 0 || id.getAsInt() >= vocabSize || bytes[id.getAsInt()] == null)) {
            throw new IllegalArgumentException(name + " token id " + id.getAsInt() + " is not in the vocabulary (size " + vocabSize + ")");
        }
    }

    private MergeTable mergeTable(List<BpeModel.Merge> list, Map<String, Integer> idOfBytes) {
        int n = list.size();
        int[] left = new int[n];
        int[] right = new int[n];
        int[] result = new int[n];
        for (int i = 0; i < n; i++) {
            BpeModel.Merge merge = list.get(i);
            byte[] a = ordinaryToken(merge.left(), i);
            byte[] b = ordinaryToken(merge.right(), i);
            byte[] joined = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            Integer id = idOfBytes.get(latin1(joined));
            if (id == null) {
                throw new BadMergeException(i, Quoted.of(ByteUnicode.encode(a)) + " + " + Quoted.of(ByteUnicode.encode(b))
                        + " makes " + Quoted.of(ByteUnicode.encode(joined)) + ", which is not in the vocabulary");
            }
            left[i] = merge.left();
            right[i] = merge.right();
            result[i] = id;
        }
        return new MergeTable(left, right, result);
    }

    private byte[] ordinaryToken(int id, int mergeIndex) {
        if (id < 0 || id >= bytes.length || bytes[id] == null || specials.contains(id)) {
            throw new BadMergeException(mergeIndex, "names token id " + id + ", which is not an ordinary token of the vocabulary");
        }
        return bytes[id];
    }

    /** A merge that does not fit the vocabulary; {@code index} counts from 0, the message from 1. */
    static final class BadMergeException extends IllegalArgumentException {
        private final int index;
        private final String problem;

        BadMergeException(int index, String problem) {
            super("merge " + (index + 1) + ": " + problem);
            this.index = index;
            this.problem = problem;
        }

        int index() {
            return index;
        }

        String problem() {
            return problem;
        }
    }

    /** Bytes as a string of chars 0-255: a cheap, exact hash key. */
    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The data this tokenizer was built from. */
    public BpeModel model() {
        return model;
    }

    /** What this tokenizer does beyond its vocabulary and merges. */
    public Options options() {
        return options;
    }

    /** Number of merges. */
    public int mergeCount() {
        return model.merges().size();
    }

    @Override
    public int[] encode(String text) {
        if (specials.isEmpty()) {
            return encodeOrdinary(text);
        }
        IntList out = new IntList(text.length() / 3);
        Matcher m = specials.matcher(text);
        int done = 0;
        while (m.find()) {
            encodeInto(text.substring(done, m.start()), out);
            out.add(specials.id(m.group()).orElseThrow());
            done = m.end();
        }
        encodeInto(text.substring(done), out);
        return out.toArray();
    }

    @Override
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3);
        encodeInto(text, out);
        return out.toArray();
    }

    private void encodeInto(String text, IntList out) {
        for (String piece : options.preTokenizer().split(text)) {
            int[] ids = cache.get(piece);
            if (ids == null) {
                ids = bpe(piece);
                if (piece.length() <= CACHED_PIECE_MAX_LENGTH) {
                    if (cache.size() >= CACHE_LIMIT) {
                        cache.clear();
                    }
                    cache.put(piece, ids);
                }
            }
            out.addAll(ids);
        }
    }

    private int[] bpe(String piece) {
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        Integer whole = wholePieces.isEmpty() ? null : wholePieces.get(latin1(utf8));
        if (whole != null) {
            return new int[] {whole};
        }
        int[] symbols = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            symbols[i] = byteIds[utf8[i] & 0xFF];
        }
        return merges.apply(symbols);
    }

    @Override
    public String decode(int[] ids, int from, int to) {
        return new String(TokenBytes.concatenate(ids, from, to, this::token), StandardCharsets.UTF_8);
    }

    private byte[] token(int id) {
        if (id < 0 || id >= bytes.length || bytes[id] == null) {
            throw new JgptException("token id " + id + " is not in the vocabulary (size " + vocabSize + ")");
        }
        return bytes[id];
    }

    @Override
    public byte[] tokenBytes(int id) {
        return token(id).clone();
    }

    @Override
    public String piece(int id) {
        token(id);
        return specials.text(id).orElseGet(() -> PieceText.of(bytes[id]));
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** The EOS of the options, else {@value #END_OF_TEXT} when it is a special token of this vocabulary. */
    @Override
    public OptionalInt eosId() {
        return options.markers().eosId().isPresent() ? options.markers().eosId() : specials.id(END_OF_TEXT);
    }

    @Override
    public OptionalInt bosId() {
        return options.markers().bosId();
    }

    @Override
    public boolean addsBos() {
        return options.markers().addBos();
    }

    @Override
    public int[] encodeSequence(String text) {
        return options.markers().wrap(encode(text));
    }

    @Override
    public OptionalInt specialId(String text) {
        return specials.id(text);
    }

    @Override
    public boolean isSpecial(int id) {
        return specials.contains(id);
    }

    /** Special tokens, text to id. */
    public Map<String, Integer> specialTokens() {
        return specials.asMap();
    }
}
