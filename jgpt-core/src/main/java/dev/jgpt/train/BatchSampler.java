package dev.jgpt.train;

import dev.jgpt.JgptException;
import java.util.SplittableRandom;

/**
 * Cuts (input, target) windows of {@code seq} tokens out of a corpus: the targets are the inputs
 * shifted by one. A batch is a pure function of (seed, index), so a resumed run reads exactly the
 * batches the interrupted one would have read, with no random state to save.
 */
public final class BatchSampler {
    private final int[] data;
    private final int batch;
    private final int seq;
    private final Batching batching;
    private final long seed;

    public BatchSampler(TokenDataset dataset, int batch, int seq, Batching batching, long seed) {
        if (dataset.size() < (long) batch * seq + 1) {
            throw new JgptException(dataset.source() + " has " + dataset.size() + " tokens, fewer than one batch needs ("
                    + batch + " × " + seq + " + 1 = " + ((long) batch * seq + 1) + "): use a smaller batch or sequence length, or more text");
        }
        this.data = dataset.tokens();
        this.batch = batch;
        this.seq = seq;
        this.batching = batching;
        this.seed = seed;
    }

    /** Fills {@code inputs} and {@code targets} ([batch × seq] each) with batch number {@code index}. */
    public void fill(long index, int[] inputs, int[] targets) {
        SplittableRandom random = new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
        long windows = (data.length - 1) / seq;
        for (int b = 0; b < batch; b++) {
            int start = switch (batching) {
                case RANDOM -> random.nextInt(data.length - seq);
                case SEQUENTIAL -> (int) (Math.floorMod(index * batch + b, windows) * seq);
            };
            System.arraycopy(data, start, inputs, b * seq, seq);
            System.arraycopy(data, start + 1, targets, b * seq, seq);
        }
    }

    public int batch() {
        return batch;
    }

    public int seq() {
        return seq;
    }
}
