package dev.jgpt.tokenizer;

import dev.jgpt.Quoted;
import dev.jgpt.format.FormatException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's original pair of files: {@code vocab.json} (token text to id, in GPT-2's byte
 * alphabet) and {@code merges.txt} (one merge "left right" per line, highest priority first,
 * after a {@code #version} line).
 */
final class VocabMergesFiles {
    private VocabMergesFiles() {}

    /** The tokenizer of these files; {@code <|endoftext|>} is special when the vocabulary has it. */
    static ByteLevelBpe read(Path vocabJson, Path mergesTxt) {
        Vocab vocab = Vocab.of(Json.read(vocabJson), vocabJson, "the vocabulary");
        List<BpeModel.Merge> merges = new ArrayList<>();
        List<Integer> lineOfMerge = new ArrayList<>();
        List<String> lines = lines(mergesTxt);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#version")) {
                continue;
            }
            String[] parts = line.split(" ", -1);
            String where = "line " + (i + 1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new FormatException(mergesTxt, where + " is " + Quoted.of(line) + ", expected two tokens separated by one space");
            }
            String vocabName = String.valueOf(vocabJson.getFileName());
            merges.add(new BpeModel.Merge(
                    vocab.id(parts[0], mergesTxt, where, vocabName), vocab.id(parts[1], mergesTxt, where, vocabName)));
            lineOfMerge.add(i + 1);
        }
        Integer eos = vocab.find(ByteLevelBpe.END_OF_TEXT);
        Map<String, Integer> specials = eos == null ? Map.of() : Map.of(ByteLevelBpe.END_OF_TEXT, eos);
        return Vocab.build(new BpeModel(vocab.tokens(), merges, specials), mergesTxt, i -> "line " + lineOfMerge.get(i));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "not UTF-8 text", e);
        } catch (IOException e) {
            throw Json.unreadable(file, e);
        }
    }
}
