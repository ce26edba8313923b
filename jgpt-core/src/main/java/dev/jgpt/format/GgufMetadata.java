package dev.jgpt.format;

import dev.jgpt.Quoted;
import dev.jgpt.format.GgufValue.BoolValue;
import dev.jgpt.format.GgufValue.FloatValue;
import dev.jgpt.format.GgufValue.IntValue;
import dev.jgpt.format.GgufValue.StringValue;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key-value metadata of a GGUF file, in file order, with typed accessors. A missing key or
 * a value of the wrong type is a {@link FormatException} naming the file, the key, what it
 * holds and what was expected. Integer accessors take any integer type whose value fits.
 */
public final class GgufMetadata {
    public static final String ARCHITECTURE = "general.architecture";
    public static final String ALIGNMENT = "general.alignment";

    private final Path file;
    private final Map<String, GgufValue> values;

    public GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Path file() {
        return file;
    }

    /** Every key with its value, in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue require(String key) {
        GgufValue value = values.get(key);
        if (value == null) {
            throw new FormatException(file, "missing metadata key " + Quoted.of(key));
        }
        return value;
    }

    /** {@code general.architecture}: "llama", "gpt2", "qwen2", ... */
    public String architecture() {
        return getString(ARCHITECTURE);
    }

    public String getString(String key) {
        return asString(key, require(key));
    }

    public Optional<String> optionalString(String key) {
        return find(key).map(v -> asString(key, v));
    }

    public int getInt(String key) {
        return asInt(key, require(key));
    }

    public OptionalInt optionalInt(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalInt.empty() : OptionalInt.of(asInt(key, v));
    }

    public long getLong(String key) {
        return asLong(key, require(key));
    }

    public OptionalLong optionalLong(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(asLong(key, v));
    }

    /** A float value; f32, f64 and integer values are all accepted. */
    public float getFloat(String key) {
        return asFloat(key, require(key));
    }

    public Optional<Float> optionalFloat(String key) {
        return find(key).map(v -> asFloat(key, v));
    }

    public boolean getBoolean(String key) {
        return asBoolean(key, require(key));
    }

    public Optional<Boolean> optionalBoolean(String key) {
        return find(key).map(v -> asBoolean(key, v));
    }

    public GgufArray getArray(String key) {
        return asArray(key, require(key));
    }

    public Optional<GgufArray> optionalArray(String key) {
        return find(key).map(v -> asArray(key, v));
    }

    public List<String> getStringArray(String key) {
        return asStrings(key, require(key));
    }

    public Optional<List<String>> optionalStringArray(String key) {
        return find(key).map(v -> asStrings(key, v));
    }

    /** An array of f32 or f64 (or integers) as floats. */
    public float[] getFloatArray(String key) {
        return asFloats(key, require(key));
    }

    public Optional<float[]> optionalFloatArray(String key) {
        return find(key).map(v -> asFloats(key, v));
    }

    /** An array of any integer type whose every element fits an int. */
    public int[] getIntArray(String key) {
        return asInts(key, require(key));
    }

    public Optional<int[]> optionalIntArray(String key) {
        return find(key).map(v -> asInts(key, v));
    }

    private String asString(String key, GgufValue v) {
        if (v instanceof StringValue s) {
            return s.value();
        }
        throw wrong(key, v, "a string");
    }

    private int asInt(String key, GgufValue v) {
        if (v instanceof IntValue i && i.fitsInt()) {
            return (int) i.value();
        }
        throw wrong(key, v, "an integer that fits an int");
    }

    private long asLong(String key, GgufValue v) {
        if (v instanceof IntValue i && i.fitsLong()) {
            return i.value();
        }
        throw wrong(key, v, "an integer that fits a long");
    }

    private float asFloat(String key, GgufValue v) {
        return switch (v) {
            case FloatValue f -> (float) f.value();
            case IntValue i when i.fitsLong() -> (float) i.value();
            default -> throw wrong(key, v, "a number");
        };
    }

    private boolean asBoolean(String key, GgufValue v) {
        if (v instanceof BoolValue b) {
            return b.value();
        }
        throw wrong(key, v, "a bool");
    }

    private GgufArray asArray(String key, GgufValue v) {
        if (v instanceof GgufArray a) {
            return a;
        }
        throw wrong(key, v, "an array");
    }

    private List<String> asStrings(String key, GgufValue v) {
        GgufArray a = asArray(key, v);
        if (a.elementType() != GgufType.STRING) {
            throw wrong(key, v, "an array of strings");
        }
        return a.strings();
    }

    private float[] asFloats(String key, GgufValue v) {
        GgufArray a = asArray(key, v);
        float[] out = new float[a.size()];
        if (a.elementType().isFloat()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) a.doubleAt(i);
            }
        } else if (a.elementType().isInteger()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) element(key, a, i, "numbers").value();
            }
        } else {
            throw wrong(key, v, "an array of numbers");
        }
        return out;
    }

    private int[] asInts(String key, GgufValue v) {
        GgufArray a = asArray(key, v);
        if (!a.elementType().isInteger()) {
            throw wrong(key, v, "an array of integers");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            IntValue e = element(key, a, i, "integers that fit an int");
            if (!e.fitsInt()) {
                throw new FormatException(file, "metadata key " + Quoted.of(key) + " element " + i + " is " + e.display()
                        + ", expected integers that fit an int");
            }
            out[i] = (int) e.value();
        }
        return out;
    }

    private IntValue element(String key, GgufArray a, int i, String expected) {
        IntValue e = new IntValue(a.elementType(), a.longAt(i));
        if (!e.fitsLong()) {
            throw new FormatException(file, "metadata key " + Quoted.of(key) + " element " + i + " is " + e.display()
                    + ", expected " + expected);
        }
        return e;
    }

    private FormatException wrong(String key, GgufValue v, String expected) {
        return new FormatException(file, "metadata key " + Quoted.of(key) + " is " + v.type().label() + " "
                + Quoted.escape(v.display(), Quoted.MAX_CHARS) + ", expected " + expected);
    }

    /** Every value's display form, for listings. */
    public Map<String, String> displayed() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v.display()));
        return Collections.unmodifiableMap(out);
    }
}
