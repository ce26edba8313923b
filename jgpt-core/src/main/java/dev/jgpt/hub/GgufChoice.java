package dev.jgpt.hub;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which GGUF file of a repository a model name means: the file it names; else the one whose name
 * carries the quantization it asks for; else Q4_K_M, else the smallest. Split files (parts
 * {@code -00001-of-00003}) and multimodal projectors ({@code mmproj}) are never chosen by quantization.
 */
final class GgufChoice {
    static final String DEFAULT_QUANT = "Q4_K_M";
    private static final Pattern SPLIT_PART = Pattern.compile("(?i).*-\\d{5}-of-\\d{5}\\.gguf");

    private GgufChoice() {}

    /** The file of {@code files} that {@code name} means; a clear error when none or several do. */
    static RepoFile pick(ModelName name, List<RepoFile> files) {
        if (name.file().isPresent()) {
            String wanted = name.file().get();
            return files.stream().filter(f -> f.path().equals(wanted)).findFirst().orElseThrow(() -> new JgptException(
                    name.repo() + " has no file " + Quoted.of(wanted) + "; its GGUF files: " + list(ggufs(files))));
        }
        List<RepoFile> ggufs = ggufs(files).stream()
                .filter(f -> !SPLIT_PART.matcher(f.path()).matches() && !f.path().toLowerCase(Locale.ROOT).contains("mmproj"))
                .toList();
        if (ggufs.isEmpty()) {
            throw new JgptException(name.repo() + " has no single-file GGUF model" + (files.isEmpty() ? "" : "; its files: " + list(files)));
        }
        if (name.quant().isPresent()) {
            return byQuant(name, name.quant().get(), ggufs).orElseThrow(() -> new JgptException(
                    name.repo() + " has no GGUF file for " + Quoted.of(name.quant().get()) + "; its GGUF files: " + list(ggufs)));
        }
        if (ggufs.size() == 1) {
            return ggufs.getFirst();
        }
        return byQuant(name, DEFAULT_QUANT, ggufs).orElseGet(() -> ggufs.stream().min(Comparator.comparingLong(RepoFile::size)).orElseThrow());
    }

    /** The one file whose name has {@code quant} as a whole part (between '-', '.', '_' or the ends); ambiguous is an error. */
    private static Optional<RepoFile> byQuant(ModelName name, String quant, List<RepoFile> ggufs) {
        Pattern part = Pattern.compile("(?i)(?:^|.*[-._/])" + Pattern.quote(quant) + "(?:[-._].*)?\\.gguf");
        List<RepoFile> matches = ggufs.stream().filter(f -> part.matcher(f.path()).matches()).toList();
        if (matches.size() > 1) {
            Pattern exact = Pattern.compile("(?i)(?:^|.*[-._/])" + Pattern.quote(quant) + "\\.gguf");
            List<RepoFile> exactMatches = matches.stream().filter(f -> exact.matcher(f.path()).matches()).toList();
            if (exactMatches.size() == 1) {
                return Optional.of(exactMatches.getFirst());
            }
            throw new JgptException(name + " is ambiguous: " + list(matches) + "; name one with " + name.repo() + ":QUANT or "
                    + name.repo() + "/FILE.gguf");
        }
        return matches.stream().findFirst();
    }

    private static List<RepoFile> ggufs(List<RepoFile> files) {
        return files.stream().filter(f -> f.path().toLowerCase(Locale.ROOT).endsWith(".gguf")).toList();
    }

    private static String list(List<RepoFile> files) {
        return files.stream().map(f -> Quoted.of(f.path())).collect(Collectors.joining(", "));
    }
}
