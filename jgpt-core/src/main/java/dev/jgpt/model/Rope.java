package dev.jgpt.model;

import dev.jgpt.JgptException;
import java.util.Arrays;

/**
 * Rotary position embeddings: within each head, pair i of the first {@code dimensions} values
 * is rotated by the angle p·θᵢ at position p, with θᵢ = base^(−2i/dimensions) / (scale · fᵢ).
 * Values past {@code dimensions} pass unrotated.
 *
 * @param style             which values form a pair
 * @param dimensions        values rotated per head (even, at most the head size)
 * @param base              {@code rope.freq_base}: 10000 for Llama 2, 500000 for Llama 3
 * @param linearScale       positions divided by this ({@code rope.scaling.type = linear}); 1 for none
 * @param frequencyFactors  fᵢ, one per pair, dividing each frequency (Llama 3's scaling as GGUF
 *                          stores it in {@code rope_freqs.weight}, Phi-3's LongRoPE factors); null for none
 * @param magnitude         cos and sin are multiplied by this (LongRoPE's attention factor); 1 for none
 */
public record Rope(Style style, int dimensions, double base, double linearScale, float[] frequencyFactors,
                   double magnitude) {

    public enum Style {
        /** Adjacent pairs (x₀, x₁), (x₂, x₃), …: Llama as llama.cpp and llama2.c store it. */
        NORM,
        /** Halves (xᵢ, x_{i+d/2}): GPT-NeoX, Qwen2, and Hugging Face's Llama layout. */
        NEOX
    }

    public Rope {
        if (style == null) {
            throw new JgptException("rotary embedding: no style");
        }
        if (dimensions <= 0 || dimensions % 2 != 0) {
            throw new JgptException("rotary embedding: dimension count must be positive and even, got " + dimensions);
        }
        if (!(base > 1) || Double.isInfinite(base)) {
            throw new JgptException("rotary embedding: frequency base must be a finite number above 1, got " + base);
        }
        if (!(linearScale > 0) || Double.isInfinite(linearScale)) {
            throw new JgptException("rotary embedding: linear scale must be positive, got " + linearScale);
        }
        if (frequencyFactors != null) {
            if (frequencyFactors.length != dimensions / 2) {
                throw new JgptException("rotary embedding: " + frequencyFactors.length + " frequency factors for "
                        + dimensions / 2 + " pairs");
            }
            for (float f : frequencyFactors) {
                if (!(f > 0) || Float.isInfinite(f)) {
                    throw new JgptException("rotary embedding: frequency factors must be positive, got " + f);
                }
            }
            frequencyFactors = frequencyFactors.clone();
        }
        if (!(magnitude > 0) || Double.isInfinite(magnitude)) {
            throw new JgptException("rotary embedding: the attention factor must be positive, got " + magnitude);
        }
    }

    /** A rotation of unit magnitude. */
    public Rope(Style style, int dimensions, double base, double linearScale, float[] frequencyFactors) {
        this(style, dimensions, base, linearScale, frequencyFactors, 1);
    }

    /** The same rotation with another base (Gemma 3's local layers). */
    public Rope withBase(double newBase) {
        return new Rope(style, dimensions, newBase, 1, null, 1);
    }

    /** Plain rotary embedding: no scaling. */
    public static Rope of(Style style, int dimensions, double base) {
        return new Rope(style, dimensions, base, 1, null);
    }

    /**
     * Llama 3.1's scaling ("llama3" rope_type): frequencies whose wavelength is shorter than
     * originalContext / highFreqFactor are kept, those longer than originalContext / lowFreqFactor
     * are divided by {@code factor}, and those between blend the two smoothly.
     */
    public static Rope llama3(Style style, int dimensions, double base, double factor, double lowFreqFactor,
                              double highFreqFactor, int originalContext) {
        if (!(factor >= 1) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalContext <= 0) {
            throw new JgptException("rotary embedding: Llama 3 scaling needs factor ≥ 1, 0 < low_freq_factor < "
                    + "high_freq_factor and a positive original context, got factor " + factor + ", low " + lowFreqFactor
                    + ", high " + highFreqFactor + ", context " + originalContext);
        }
        double lowFreqWavelength = originalContext / lowFreqFactor;
        double highFreqWavelength = originalContext / highFreqFactor;
        float[] factors = new float[dimensions / 2];
        for (int i = 0; i < factors.length; i++) {
            double wavelength = 2 * Math.PI / Math.pow(base, -2.0 * i / dimensions);
            if (wavelength < highFreqWavelength) {
                factors[i] = 1;
            } else if (wavelength > lowFreqWavelength) {
                factors[i] = (float) factor;
            } else {
                // the frequency becomes (1 − s)·θ/factor + s·θ, a divisor of 1 / ((1 − s)/factor + s)
                double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                factors[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return new Rope(style, dimensions, base, 1, factors);
    }

    public int pairs() {
        return dimensions / 2;
    }

    /** θᵢ: the angle per position of pair {@code i}. */
    public double frequency(int i) {
        double theta = Math.pow(base, -2.0 * i / dimensions) / linearScale;
        return frequencyFactors == null ? theta : theta / frequencyFactors[i];
    }

    @Override
    public float[] frequencyFactors() {
        return frequencyFactors == null ? null : frequencyFactors.clone();
    }

    String describe() {
        String scaling = (linearScale != 1 ? ", positions / " + linearScale : "")
                + (frequencyFactors != null ? ", scaled frequencies" : "")
                + (magnitude != 1 ? ", attention factor " + magnitude : "");
        return style + ", " + dimensions + " dims, base " + (base == Math.rint(base) ? String.valueOf((long) base) : String.valueOf(base))
                + scaling;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rope r && style == r.style && dimensions == r.dimensions && base == r.base
                && linearScale == r.linearScale && Arrays.equals(frequencyFactors, r.frequencyFactors)
                && magnitude == r.magnitude;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {style, dimensions, base, linearScale, Arrays.hashCode(frequencyFactors), magnitude});
    }

    @Override
    public String toString() {
        return "Rope[" + describe() + "]";
    }
}
