package dev.jgpt.lora;

import dev.jgpt.JgptException;
import dev.jgpt.Quoted;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** An adapter file and the scale to apply it at (1: as trained; 0: not at all; negative: against it). */
public record LoraFile(Path path, float scale) {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    public LoraFile {
        if (!Float.isFinite(scale)) {
            throw new JgptException("the scale of adapter " + path + " is " + scale + ", not a finite number");
        }
    }

    /**
     * {@code FILE} (scale 1) or {@code FILE:SCALE}: a text after the last colon that is a plain
     * decimal number is the scale, else the colon belongs to the file name.
     */
    public static LoraFile parse(String spec) {
        int colon = spec.lastIndexOf(':');
        boolean scaled = colon > 0 && NUMBER.matcher(spec.substring(colon + 1)).matches();
        String file = scaled ? spec.substring(0, colon) : spec;
        try {
            return new LoraFile(Path.of(file), scaled ? Float.parseFloat(spec.substring(colon + 1)) : 1f);
        } catch (InvalidPathException e) {
            throw new JgptException("adapter " + Quoted.of(spec) + ": not a file name (" + e.getReason() + ")");
        }
    }
}
