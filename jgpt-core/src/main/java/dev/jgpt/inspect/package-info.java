/**
 * The glass box: the forward pass with windows. {@link dev.jgpt.inspect.Trace} records what one
 * pass over a text leaves behind (attention weights, the residual stream after each block, the
 * logits), {@link dev.jgpt.inspect.Explainer} turns it into what a person reads (next-token
 * probabilities, surprisal, the logit lens), and {@link dev.jgpt.inspect.TokenEmbeddings} finds
 * neighbours in the token embedding matrix.
 */
package dev.jgpt.inspect;
