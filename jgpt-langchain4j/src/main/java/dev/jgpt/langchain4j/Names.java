package dev.jgpt.langchain4j;

import dev.jgpt.generate.LanguageModel;
import java.nio.file.Path;

/** The name a model goes by when it is given none: its file's or folder's. */
final class Names {
    private Names() {
    }

    static String of(LanguageModel model) {
        Path name = model.files().path().getFileName();
        return name == null ? model.files().path().toString() : name.toString();
    }
}
