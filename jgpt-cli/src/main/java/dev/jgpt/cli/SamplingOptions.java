package dev.jgpt.cli;

import dev.jgpt.sampling.SamplerSettings;
import picocli.CommandLine.Option;

/** Options every command that samples tokens shares. */
final class SamplingOptions {
    @Option(names = {"--temperature", "--temp"}, paramLabel = "T", defaultValue = "" + SamplerSettings.DEFAULT_TEMPERATURE,
            description = "0 = greedy (always the most likely token); below 1 sharper, above 1 flatter; at most 2 (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "" + SamplerSettings.DEFAULT_TOP_K, description = "Sample from the K most likely tokens only; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "" + SamplerSettings.DEFAULT_TOP_P,
            description = "Sample from the smallest set of likeliest tokens holding probability P; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "" + SamplerSettings.DEFAULT_MIN_P,
            description = "Drop tokens less likely than P × the likeliest; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "" + SamplerSettings.DEFAULT_REPETITION_PENALTY,
            description = "Make tokens already in the context less likely; 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", description = "Seed for reproducible sampling (default: random).")
    Long seed;

    /** The seed given, or a random one chosen on the first call and kept. */
    long seed() {
        if (seed == null) {
            seed = System.nanoTime();
        }
        return seed;
    }

    SamplerSettings settings() {
        return SamplerSettings.builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repeatPenalty).seed(seed()).build();
    }
}
