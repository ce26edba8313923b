/**
 * Training: the parameters, the loss and gradients of a batch (the {@link dev.jgpt.model.Transformer}'s
 * training pass: its one forward with activations kept, then each layer's backward, written
 * beside its forward in {@code dev.jgpt.model}), AdamW, the learning-rate schedule, data and checkpoints.
 *
 * <ul>
 *   <li>{@link dev.jgpt.train.Parameters}: every weight, float32, in one off-heap segment, in
 *       Hugging Face names and order; a {@link dev.jgpt.model.ModelWeights} view for the inference
 *       {@link dev.jgpt.model.Transformer}; random init, load, save.</li>
 *   <li>{@link dev.jgpt.train.TrainingModel}: loss and gradients of a batch (mean softmax
 *       cross-entropy), accumulated in a {@code float[]} laid out like the parameters, each
 *       tensor's slot handed to the model as {@link dev.jgpt.model.Gradients}.</li>
 *   <li>{@link dev.jgpt.train.LoraParameters} and {@link dev.jgpt.train.LoraTrainingModel}: a LoRA
 *       adapter's factors trained over a frozen model of any dtype, by the same pass; the
 *       {@link dev.jgpt.train.Trainer} runs either ({@link dev.jgpt.train.Trainable}).</li>
 *   <li>{@link dev.jgpt.train.AdamW} ({@link dev.jgpt.train.AdamWSettings}), {@link
 *       dev.jgpt.train.GradientClipping}, {@link dev.jgpt.train.LearningRateSchedule}.</li>
 * </ul>
 *
 * Checked against a float64 PyTorch GPT-2 ({@code ../shared/fixtures}): loss, every gradient,
 * five AdamW steps; and against finite differences of the loss for GPT-2, Llama and Qwen2, and
 * for LoRA factors over float and quantized models.
 */
package dev.jgpt.train;
