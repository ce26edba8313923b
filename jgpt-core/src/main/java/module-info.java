/**
 * jgpt's engine as a library: open a model ({@link dev.jgpt.generate.LanguageModel}), continue a
 * text, answer chat messages through the model's chat template, keep a conversation
 * ({@link dev.jgpt.generate.ChatSession}), embed and score texts, with settings made by builders
 * ({@link dev.jgpt.generate.GenerationSettings}, {@link dev.jgpt.sampling.SamplerSettings}), tokens
 * streamed to a {@link dev.jgpt.generate.TokenListener} that may cancel, and models pulled by name
 * from the Hugging Face Hub ({@link dev.jgpt.hub}).
 *
 * <p>The kernels, file formats, tokenizers, network layers, training and the rest stay inside.
 * jgpt's own server and command line run on the class path, where every package is open to them.
 */
// Jinjava's jar names no module, so it is the automatic module its file name gives ("jinjava", as
// Maven names the jar); its expression resolvers use java.beans, in java.desktop.
@SuppressWarnings("requires-automatic")
module dev.jgpt.core {
    requires jdk.incubator.vector;
    requires java.net.http;
    requires java.desktop;
    requires com.fasterxml.jackson.databind;
    requires jinjava;

    exports dev.jgpt;
    exports dev.jgpt.generate;
    exports dev.jgpt.sampling;
    exports dev.jgpt.hub;
}
