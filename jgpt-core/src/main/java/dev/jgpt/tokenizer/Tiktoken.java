package dev.jgpt.tokenizer;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's tiktoken ranks ({@code .tiktoken}: lines {@code base64(bytes) rank}), where a
 * token's rank is its id and also its merge priority. Merges are not stored, so they are
 * derived: for each token of two or more bytes, in rank order, BPE its bytes using only tokens
 * of lower rank; the two parts left at the end are the merge that made it (as Hugging Face's
 * tiktoken converter does). A token that does not end as two parts is kept but never produced.
 */
final class Tiktoken {
    private Tiktoken() {}

    static ByteLevelBpe read(Path file, Map<String, Integer> specials) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file, specials);
        } catch (IOException e) {
            throw Json.unreadable(file, e);
        }
    }

    /** Reads ranks from {@code in}; {@code name} stands for the source in messages. */
    static ByteLevelBpe read(InputStream in, Path name, Map<String, Integer> specials) {
        List<byte[]> tokens = ranks(in, name);
        return Vocab.build(new BpeModel(tokens, merges(tokens), specials), name, i -> "derived merge " + (i + 1));
    }

    private static List<byte[]> ranks(InputStream in, Path name) {
        List<byte[]> tokens = new ArrayList<>(100_000);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        int lineNumber = 0;
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                byte[] bytes;
                int rank;
                try {
                    if (parts.length != 2) {
                        throw new IllegalArgumentException();
                    }
                    bytes = Base64.getDecoder().decode(parts[0]);
                    rank = Integer.parseInt(parts[1]);
                } catch (IllegalArgumentException e) {
                    throw new FormatException(name, "line " + lineNumber + " is " + Quoted.of(line) + ", expected base64 bytes, a space and a rank");
                }
                if (rank < 0 || rank > BpeModel.MAX_ID || bytes.length == 0) {
                    throw new FormatException(name, "line " + lineNumber + ": empty token, or rank not from 0 to " + BpeModel.MAX_ID);
                }
                while (tokens.size() <= rank) {
                    tokens.add(null);
                }
                if (tokens.get(rank) != null) {
                    throw new FormatException(name, "line " + lineNumber + ": rank " + rank + " is given twice");
                }
                tokens.set(rank, bytes);
            }
        } catch (IOException e) {
            throw Json.unreadable(name, e);
        }
        if (lineNumber == 0) {
            throw new FormatException(name, "empty file, expected lines of base64 bytes and rank");
        }
        return tokens;
    }

    /** The merges implied by the ranks, in rank order of the token each makes. */
    static List<BpeModel.Merge> merges(List<byte[]> tokens) {
        Map<String, Integer> rankOf = new HashMap<>(tokens.size() * 2);
        for (int rank = 0; rank < tokens.size(); rank++) {
            if (tokens.get(rank) != null) {
                rankOf.putIfAbsent(latin1(tokens.get(rank)), rank);
            }
        }
        List<BpeModel.Merge> merges = new ArrayList<>(tokens.size());
        for (int rank = 0; rank < tokens.size(); rank++) {
            byte[] token = tokens.get(rank);
            if (token == null || token.length < 2) {
                continue;
            }
            List<String> parts = bpe(latin1(token), rankOf, rank);
            if (parts.size() == 2) {
                merges.add(new BpeModel.Merge(rankOf.get(parts.get(0)), rankOf.get(parts.get(1))));
            }
        }
        return merges;
    }

    /** Tiktoken's BPE of {@code word} by rank of the joined bytes, using only ranks below {@code maxRank}. */
    private static List<String> bpe(String word, Map<String, Integer> rankOf, int maxRank) {
        List<String> parts = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            parts.add(word.substring(i, i + 1));
        }
        while (parts.size() > 1) {
            int best = -1;
            int bestRank = maxRank;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer rank = rankOf.get(parts.get(i) + parts.get(i + 1));
                if (rank != null && rank < bestRank) {
                    best = i;
                    bestRank = rank;
                }
            }
            if (best < 0) {
                break;
            }
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
        return parts;
    }

    /** Bytes as chars 0-255, so that joining strings joins bytes. */
    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
