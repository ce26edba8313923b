package dev.jgpt.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The numeric kernels of the forward pass. Activations are row-major {@code float[]} on the heap;
 * weights are {@link WeightMatrix} views where they lie (F32, F16, BF16 in either orientation;
 * GGML block formats as [out, in]), read from segments the pool's threads may access (mmaps,
 * global, auto or shared arenas).
 *
 * <p>{@link #linear} picks one of three shapes of work, split across {@link Parallel}:
 * <ul>
 *   <li>decode, m = 1 (memory-bound): weights streamed once, ascending, converted in the loop.
 *       OUT_IN: dot products, output rows split across threads. IN_OUT: axpy of four weight rows
 *       at a time into a per-thread partial y, input rows split across threads, partials summed.
 *       Quantized: {@link QuantKernels} dot products on the blocks where they lie, output rows
 *       split across threads, the per-block sums of x computed once per call.
 *   <li>OUT_IN with 2-11 rows: each weight row converted (quantized: decoded) once and dotted with four rows of x per load.
 *   <li>prefill and training (compute-bound): a GEMM with weights packed (converted to F32) into
 *       per-thread panels and a 4×(3 vectors) register tile; vectorised along the outputs for
 *       IN_OUT, along the rows of x (packed transposed) for OUT_IN; quantized blocks are decoded
 *       once per call, a whole number of blocks at a time, into the packed F32 panels.
 * </ul>
 * Nothing is allocated per call once buffers have grown (checked by {@code KernelsAllocationTest}).
 *
 * <p>Every kernel has a plain scalar twin in the tests ({@code ScalarKernels}) that it is
 * checked against.
 */
public final class Kernels {
    private Kernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** 16-bit lanes, as many as {@link #F} has: one load of F16/BF16 widens to one float vector. */
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    // GEMM blocking: an MR×NR register tile (NR = 3 vectors), K in blocks of KC so that a packed
    // KC×NR panel (24 KiB at 512 bits) stays in L1; OUT_IN packs MC weight rows at a time (L2).
    private static final int MR = 4;
    private static final int NR = 3 * L;
    private static final int KC = 128;
    private static final int MC = 64;
    /** GEMM IN_OUT packs NB panels at a time from one run of each weight row (long runs convert faster). */
    private static final int NB = 8;
    /** Below this many multiply-adds a call runs on the calling thread alone (dispatch costs more). */
    private static final long PARALLEL_MIN_MACS = 1 << 16;
    /** OUT_IN with fewer rows than this uses dot products instead of the GEMM (too few rows to tile). */
    private static final int OUT_IN_GEMM_MIN_ROWS = 12;
    /**
     * {@link #linear} over at least this many rows gives each row the bits it gets in any other
     * call of at least this many rows, wherever it sits among them: every layout and dtype then
     * runs the GEMM, which sums each output over the inputs in one order; fewer rows take the
     * matrix-vector paths, which sum in other orders.
     */
    public static final int ROW_INVARIANT_ROWS = OUT_IN_GEMM_MIN_ROWS;

    // ---------------------------------------------------------------------------------------------
    // linear

    /**
     * {@code y[m, out] = x[m, in] · W + bias[out]} ({@code bias} may be null). Only the first
     * {@code m} rows of {@code x} and {@code y} are read and written; {@code x} and {@code y}
     * must not overlap.
     */
    public static void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y) {
        int in = w.in();
        int out = w.out();
        if (m < 0 || (long) m * in > x.length || (long) m * out > y.length || (bias != null && bias.length < out)) {
            throw new IllegalArgumentException(w.name() + ": linear of " + m + "×" + in + " → " + m + "×" + out
                    + " with x[" + x.length + "], y[" + y.length + "]" + (bias == null ? "" : ", bias[" + bias.length + "]"));
        }
        if (m == 0) {
            return;
        }
        Linear job = JOBS.get();
        try {
            job.run(x, m, w, bias, y);
        } finally {
            job.clear();
        }
    }

    private static final ThreadLocal<Linear> JOBS = ThreadLocal.withInitial(Linear::new);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final AtomicLong CALLS = new AtomicLong();

    /** Grow-only buffers of the thread that executes a chunk. */
    private static final class Scratch {
        final float[] row = new float[Math.max(4096, NB * NR)]; // a run of weight rows, converted (16 KiB: L1)
        final float[] tile = new float[MR * NR]; // GEMM: an edge tile on its way to y
        float[] scales = new float[0]; // quantized matvec: a row's sub-block scales
        float[] pack = new float[0]; // GEMM: packed weight panels or block
        float[] xt = new float[0]; // GEMM OUT_IN: x transposed into NR-wide panels
        float[] ct = new float[0]; // GEMM OUT_IN: the output block, transposed
        long xtCall = -1; // which call and rows xt holds
        int xtRow0;
        int xtRow1;

        float[] pack(int n) {
            return pack.length >= n ? pack : (pack = new float[n]);
        }

        float[] scales(int n) {
            return scales.length >= n ? scales : (scales = new float[n]);
        }
    }

    /**
     * One {@code linear} call of one calling thread, kept per thread so that dispatching it
     * allocates nothing. {@link #run(int, int, int)} is the body of a chunk.
     */
    private static final class Linear implements Parallel.ChunkTask {
        private static final int DOT = 0, AXPY = 1, SMALL_DOT = 2, GEMM_IN_OUT = 3, GEMM_OUT_IN = 4, QDOT = 5;

        float[] x;
        float[] bias;
        float[] y;
        int m;
        int in;
        int out;
        WeightMatrix w;
        MemorySegment seg;
        DType dtype;
        int mode;
        boolean splitRows; // GEMM: chunks are ranges of rows of x rather than of outputs
        long call;
        float[] partials = new float[0]; // AXPY: one partial y per chunk
        final QuantKernels.Inputs inputs = new QuantKernels.Inputs(); // quantized DOT: what the block kernels need of x

        void run(float[] x, int m, WeightMatrix w, float[] bias, float[] y) {
            this.x = x;
            this.m = m;
            this.w = w;
            this.bias = bias;
            this.y = y;
            this.in = w.in();
            this.out = w.out();
            this.seg = w.data();
            this.dtype = w.dtype();
            boolean inOut = w.layout() == WeightMatrix.Layout.IN_OUT;
            long macs = (long) m * in * out;
            int threads = macs < PARALLEL_MIN_MACS ? 1 : Parallel.threads();
            if (m == 1 && inOut) {
                // a contiguous range of input rows per thread, each into its own partial y (more
                // chunks, hence partials, measured slower)
                mode = AXPY;
                int chunks = Math.min(threads, in);
                if (chunks == 1) {
                    initRows(y, 0, 1, 0, out);
                    run(0, 0, in);
                    return;
                }
                if (partials.length < chunks * out) {
                    partials = new float[chunks * out];
                }
                Parallel.forChunks(in, chunks, this);
                sumPartials(chunks);
            } else if (m == 1 && dtype.isQuantized() && QuantKernels.SIMD) {
                mode = QDOT;
                inputs.prepare(dtype, x, in);
                Parallel.forChunks(out, threads == 1 ? 1 : 4 * threads, this);
            } else if (m == 1 || (!inOut && m < OUT_IN_GEMM_MIN_ROWS)) {
                // more chunks than threads, claimed dynamically: a worker that wakes late (~50-100 µs
                // on a VM) or is preempted leaves its share to the others
                mode = m == 1 ? DOT : SMALL_DOT;
                Parallel.forChunks(out, threads == 1 ? 1 : 4 * threads, this);
            } else {
                mode = inOut ? GEMM_IN_OUT : GEMM_OUT_IN;
                call = CALLS.incrementAndGet();
                // Units of work: NR-wide column panels / MR-row groups (IN_OUT); MR weight rows / NR-row panels (OUT_IN).
                int colUnits = inOut ? ceilDiv(out, NR) : ceilDiv(out, MR);
                int rowUnits = inOut ? ceilDiv(m, MR) : ceilDiv(m, NR);
                splitRows = colUnits < 2 * threads && rowUnits > colUnits;
                int units = splitRows ? rowUnits : colUnits;
                int chunks = threads == 1 ? 1 : Math.min(units, 4 * threads);
                Parallel.forChunks(units, chunks, this);
            }
        }

        void clear() {
            x = null;
            y = null;
            bias = null;
            w = null;
            seg = null;
        }

        @Override
        public void run(int chunk, int start, int end) {
            switch (mode) {
                case DOT -> matvecDot(start, end);
                case QDOT -> QuantKernels.matvec(dtype, x, inputs, seg, in, start, end, bias, y, SCRATCH.get().scales(in / 16));
                case AXPY -> {
                    if (start == 0 && end == in) { // single chunk: accumulate straight into y
                        matvecAxpy(y, 0, start, end);
                    } else {
                        Arrays.fill(partials, chunk * out, (chunk + 1) * out, 0f);
                        matvecAxpy(partials, chunk * out, start, end);
                    }
                }
                case SMALL_DOT -> smallDot(start, end);
                case GEMM_IN_OUT -> {
                    if (splitRows) {
                        gemmInOut(start * MR, Math.min(m, end * MR), 0, out);
                    } else {
                        gemmInOut(0, m, start * NR, Math.min(out, end * NR));
                    }
                }
                default -> {
                    if (splitRows) {
                        gemmOutIn(start * NR, Math.min(m, end * NR), 0, out);
                    } else {
                        gemmOutIn(0, m, start * MR, Math.min(out, end * MR));
                    }
                }
            }
        }

        /** y[o] = bias[o] + x · W[o, :] for o in [o0, o1): one ascending stream of weight rows. */
        private void matvecDot(int o0, int o1) {
            if (dtype.isQuantized()) { // without SIMD block kernels (fewer than 8 float lanes): decode, then dot
                float[] row = SCRATCH.get().pack(in);
                for (int o = o0; o < o1; o++) {
                    convert(seg, dtype, (long) o * in, row, 0, in);
                    y[o] = dot(x, 0, row, 0, in) + (bias == null ? 0f : bias[o]);
                }
                return;
            }
            long rowBytes = (long) in * dtype.bytes();
            if (dtype == DType.F16) {
                // convert several whole rows per (auto-vectorised) loop, then dot them from L1
                float[] tmp = SCRATCH.get().row;
                int rows = Math.max(1, tmp.length / in);
                for (int o = o0; o < o1; o += rows) {
                    int r1 = Math.min(o1, o + rows);
                    if (in > tmp.length) {
                        y[o] = dotF16(x, 0, seg, o * rowBytes, in, tmp) + (bias == null ? 0f : bias[o]);
                        continue;
                    }
                    convert(seg, dtype, (long) o * in, tmp, 0, (r1 - o) * in);
                    for (int r = o; r < r1; r++) {
                        y[r] = dot(x, 0, tmp, (r - o) * in, in) + (bias == null ? 0f : bias[r]);
                    }
                }
            } else if (in % (4 * L) == 0) {
                if (dtype == DType.F32) {
                    streamDotF32(x, seg, in, o0, o1, bias, y);
                } else {
                    streamDotBF16(x, seg, in, o0, o1, bias, y);
                }
            } else {
                for (int o = o0; o < o1; o++) {
                    long off = o * rowBytes;
                    float s = dtype == DType.F32 ? dotF32(x, 0, seg, off, in) : dotBF16(x, 0, seg, off, in);
                    y[o] = bias == null ? s : s + bias[o];
                }
            }
        }

        /** acc[accOff, +out) += Σ_{i in [i0, i1)} x[i] · W[i, :]. */
        private void matvecAxpy(float[] acc, int accOff, int i0, int i1) {
            switch (dtype) {
                case F32 -> axpyRowsF32(x, i0, i1, seg, acc, accOff, out);
                case F16 -> axpyRowsF16(x, i0, i1, seg, acc, accOff, out);
                case BF16 -> axpyRowsBF16(x, i0, i1, seg, acc, accOff, out);
            }
        }

        /** y = bias + Σ partials. */
        private void sumPartials(int chunks) {
            initRows(y, 0, 1, 0, out);
            for (int c = 0; c < chunks; c++) {
                int off = c * out;
                int o = 0;
                for (; o <= out - L; o += L) {
                    FloatVector.fromArray(F, y, o).add(FloatVector.fromArray(F, partials, off + o)).intoArray(y, o);
                }
                for (; o < out; o++) {
                    y[o] += partials[off + o];
                }
            }
        }

        /** OUT_IN with a few rows of x: each weight row is converted once, then dotted with four rows of x at a time. */
        private void smallDot(int o0, int o1) {
            float[] row = SCRATCH.get().pack(in);
            for (int o = o0; o < o1; o++) {
                convert(seg, dtype, (long) o * in, row, 0, in);
                float b = bias == null ? 0f : bias[o];
                for (int r = 0; r < m; r += 4) {
                    dotRows(row, x, in, r, Math.min(4, m - r), y, r * out + o, out, b);
                }
            }
        }

        /**
         * y[r0..r1, c0..c1) for IN_OUT weights: tiles vectorised along the outputs. For each K block,
         * up to NB column panels (KC × NR each, converted to F32) are packed from whole weight-row
         * segments, then each panel is swept by every row group; x is read in place.
         */
        private void gemmInOut(int r0, int r1, int c0, int c1) {
            initRows(y, r0, r1, c0, c1);
            Scratch s = SCRATCH.get();
            float[] panels = s.pack(NB * KC * NR);
            float[] row = s.row;
            for (int jb = c0; jb < c1; jb += NB * NR) {
                int width = Math.min(NB * NR, c1 - jb);
                int np = ceilDiv(width, NR);
                for (int k0 = 0; k0 < in; k0 += KC) {
                    int kc = Math.min(KC, in - k0);
                    for (int k = 0; k < kc; k++) {
                        convert(seg, dtype, (long) (k0 + k) * out + jb, row, 0, width);
                        Arrays.fill(row, width, np * NR, 0f);
                        for (int p = 0; p < np; p++) {
                            System.arraycopy(row, p * NR, panels, (p * kc + k) * NR, NR);
                        }
                    }
                    for (int p = 0; p < np; p++) {
                        int j0 = jb + p * NR;
                        int cols = Math.min(NR, c1 - j0);
                        for (int r = r0; r < r1; r += MR) {
                            microKernel(x, r * in + k0, in, Math.min(MR, r1 - r), panels, p * kc * NR, kc,
                                    y, r * out + j0, out, cols, s.tile);
                        }
                    }
                }
            }
        }

        /**
         * y[r0..r1, c0..c1) for OUT_IN weights: tiles vectorised along the rows of x, so x is
         * packed transposed (NR rows per panel) and weight rows are broadcast. The tile lands in a
         * transposed block {@code ct[output][row]} that is written to y once at the end.
         */
        private void gemmOutIn(int r0, int r1, int c0, int c1) {
            Scratch s = SCRATCH.get();
            int rows = r1 - r0;
            int panels = ceilDiv(rows, NR);
            int mPad = panels * NR;
            if (s.xtCall != call || s.xtRow0 != r0 || s.xtRow1 != r1) {
                packTransposed(s, r0, r1, panels);
            }
            float[] xt = s.xt;
            int kq = Math.max(KC, dtype.blockSize()); // weights are converted kq at a time: whole blocks
            float[] block = s.pack(MC * kq);
            if (s.ct.length < MC * mPad) {
                s.ct = new float[MC * mPad];
            }
            float[] ct = s.ct;
            for (int ob = c0; ob < c1; ob += MC) {
                int mc = Math.min(MC, c1 - ob);
                Arrays.fill(ct, 0, mc * mPad, 0f);
                for (int k0 = 0; k0 < in; k0 += kq) {
                    int kw = Math.min(kq, in - k0);
                    for (int oi = 0; oi < mc; oi++) {
                        convert(seg, dtype, (long) (ob + oi) * in + k0, block, oi * kw, kw);
                    }
                    for (int k1 = k0; k1 < k0 + kw; k1 += KC) {
                        int kc = Math.min(KC, k0 + kw - k1);
                        for (int p = 0; p < panels; p++) {
                            for (int oi = 0; oi < mc; oi += MR) {
                                microKernel(block, oi * kw + k1 - k0, kw, Math.min(MR, mc - oi),
                                        xt, (p * in + k1) * NR, kc, ct, oi * mPad + p * NR, mPad, NR, s.tile);
                            }
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    int yo = (r0 + r) * out + ob;
                    for (int oi = 0; oi < mc; oi++) {
                        y[yo + oi] = ct[oi * mPad + r] + (bias == null ? 0f : bias[ob + oi]);
                    }
                }
            }
        }

        /** xt[(p·in + k)·NR + j] = x[r0 + p·NR + j, k], zero past r1. */
        private void packTransposed(Scratch s, int r0, int r1, int panels) {
            int size = panels * in * NR;
            if (s.xt.length < size) {
                s.xt = new float[size];
            }
            float[] xt = s.xt;
            for (int p = 0; p < panels; p++) {
                for (int j = 0; j < NR; j++) {
                    int r = r0 + p * NR + j;
                    int base = p * in * NR + j;
                    if (r < r1) {
                        for (int k = 0; k < in; k++) {
                            xt[base + k * NR] = x[r * in + k];
                        }
                    } else {
                        for (int k = 0; k < in; k++) {
                            xt[base + k * NR] = 0f;
                        }
                    }
                }
            }
            s.xtCall = call;
            s.xtRow0 = r0;
            s.xtRow1 = r1;
        }

        /** y[r0..r1, c0..c1) = bias[c0..c1) (or 0). */
        private void initRows(float[] y, int r0, int r1, int c0, int c1) {
            for (int r = r0; r < r1; r++) {
                if (bias == null) {
                    Arrays.fill(y, r * out + c0, r * out + c1, 0f);
                } else {
                    System.arraycopy(bias, c0, y, r * out + c0, c1 - c0);
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * The register tile: {@code c[cOff + i·cStride + j] += Σ_k q[qOff + i·qStride + k] · p[pOff + k·NR + j]}
     * for {@code i < rows ≤ MR}, {@code j < cols ≤ NR}. Rows past {@code rows} repeat the last
     * row (computed, never stored) so the loop has no edge cases; edge tiles are stored through
     * {@code tile} (MR·NR floats). Vectors are never passed to helpers: C2 would box them.
     */
    private static void microKernel(float[] q, int qOff, int qStride, int rows, float[] p, int pOff, int kc,
                                    float[] c, int cOff, int cStride, int cols, float[] tile) {
        int q0 = qOff;
        int q1 = qOff + Math.min(1, rows - 1) * qStride;
        int q2 = qOff + Math.min(2, rows - 1) * qStride;
        int q3 = qOff + Math.min(3, rows - 1) * qStride;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        for (int k = 0; k < kc; k++) {
            int pk = pOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(F, p, pk);
            FloatVector b1 = FloatVector.fromArray(F, p, pk + L);
            FloatVector b2 = FloatVector.fromArray(F, p, pk + 2 * L);
            FloatVector a = FloatVector.broadcast(F, q[q0 + k]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(F, q[q1 + k]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(F, q[q2 + k]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(F, q[q3 + k]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            c32 = b2.fma(a, c32);
        }
        if (rows == MR && cols == NR) {
            int r0 = cOff, r1 = r0 + cStride, r2 = r1 + cStride, r3 = r2 + cStride;
            c00.add(FloatVector.fromArray(F, c, r0)).intoArray(c, r0);
            c01.add(FloatVector.fromArray(F, c, r0 + L)).intoArray(c, r0 + L);
            c02.add(FloatVector.fromArray(F, c, r0 + 2 * L)).intoArray(c, r0 + 2 * L);
            c10.add(FloatVector.fromArray(F, c, r1)).intoArray(c, r1);
            c11.add(FloatVector.fromArray(F, c, r1 + L)).intoArray(c, r1 + L);
            c12.add(FloatVector.fromArray(F, c, r1 + 2 * L)).intoArray(c, r1 + 2 * L);
            c20.add(FloatVector.fromArray(F, c, r2)).intoArray(c, r2);
            c21.add(FloatVector.fromArray(F, c, r2 + L)).intoArray(c, r2 + L);
            c22.add(FloatVector.fromArray(F, c, r2 + 2 * L)).intoArray(c, r2 + 2 * L);
            c30.add(FloatVector.fromArray(F, c, r3)).intoArray(c, r3);
            c31.add(FloatVector.fromArray(F, c, r3 + L)).intoArray(c, r3 + L);
            c32.add(FloatVector.fromArray(F, c, r3 + 2 * L)).intoArray(c, r3 + 2 * L);
        } else {
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c02.intoArray(tile, 2 * L);
            c10.intoArray(tile, NR);
            c11.intoArray(tile, NR + L);
            c12.intoArray(tile, NR + 2 * L);
            c20.intoArray(tile, 2 * NR);
            c21.intoArray(tile, 2 * NR + L);
            c22.intoArray(tile, 2 * NR + 2 * L);
            c30.intoArray(tile, 3 * NR);
            c31.intoArray(tile, 3 * NR + L);
            c32.intoArray(tile, 3 * NR + 2 * L);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    c[cOff + i * cStride + j] += tile[i * NR + j];
                }
            }
        }
    }

    /**
     * {@code y[yOff + i·yStride] = b + w[0, n) · x[(r0 + i)·n, +n)} for {@code i < rows ≤ 4}: one
     * load of w feeds four rows (rows past the last repeat it, computed but not stored).
     */
    private static void dotRows(float[] w, float[] x, int n, int r0, int rows, float[] y, int yOff, int yStride, float b) {
        int x0 = r0 * n;
        int x1 = (r0 + Math.min(1, rows - 1)) * n;
        int x2 = (r0 + Math.min(2, rows - 1)) * n;
        int x3 = (r0 + Math.min(3, rows - 1)) * n;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, w, i);
            a0 = v.fma(FloatVector.fromArray(F, x, x0 + i), a0);
            a1 = v.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            a2 = v.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            a3 = v.fma(FloatVector.fromArray(F, x, x3 + i), a3);
        }
        float s0 = VectorMath.sum(a0), s1 = VectorMath.sum(a1);
        float s2 = VectorMath.sum(a2), s3 = VectorMath.sum(a3);
        for (; i < n; i++) {
            s0 += w[i] * x[x0 + i];
            s1 += w[i] * x[x1 + i];
            s2 += w[i] * x[x2 + i];
            s3 += w[i] * x[x3 + i];
        }
        y[yOff] = s0 + b;
        if (rows > 1) {
            y[yOff + yStride] = s1 + b;
        }
        if (rows > 2) {
            y[yOff + 2 * yStride] = s2 + b;
        }
        if (rows > 3) {
            y[yOff + 3 * yStride] = s3 + b;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Weight rows. Vector API calls are written out inside each loop, not in helpers that return
    // vectors: a helper C2 does not inline boxes every vector (measured: 57 MB allocated per call).
    // F16 goes through Float.float16ToFloat in plain loops, which C2 auto-vectorises to vcvtph2ps.
    // The Vector API integer trick (weights moved into F32 bit places, times 2^-112) turns F16
    // subnormals into F32 subnormals, which cost a microcode assist per FMA on Intel cores: with
    // a trained model's small weights it ran 2.8× slower than converting, then a float dot.

    /**
     * dst[dstOff, +n) = elements [elem, elem + n) of a weight segment, as floats (for a quantized
     * dtype, whole blocks).
     */
    static void convert(MemorySegment s, DType dtype, long elem, float[] dst, int dstOff, int n) {
        if (dtype.isQuantized()) {
            Quantization.dequantizeRow(dtype, s, elem / dtype.blockSize() * dtype.blockBytes(), dst, dstOff, n);
            return;
        }
        int i = 0;
        switch (dtype) {
            case F32 -> {
                for (long off = elem * 4; i <= n - L; i += L) {
                    FloatVector.fromMemorySegment(F, s, off + 4L * i, LE).intoArray(dst, dstOff + i);
                }
                for (; i < n; i++) {
                    dst[dstOff + i] = s.get(F32_LE, (elem + i) * 4);
                }
            }
            case F16 -> {
                long off = elem * 2;
                for (; i < n; i++) {
                    dst[dstOff + i] = Float.float16ToFloat(s.get(I16_LE, off + 2L * i));
                }
            }
            case BF16 -> {
                for (long off = elem * 2; i <= n - L; i += L) {
                    ((IntVector) ShortVector.fromMemorySegment(S, s, off + 2L * i, LE).convertShape(VectorOperators.S2I, I, 0))
                            .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
                }
                for (; i < n; i++) {
                    dst[dstOff + i] = bf16(s, (elem + i) * 2);
                }
            }
        }
    }

    private static float bf16(MemorySegment s, long byteOff) {
        return Float.intBitsToFloat(s.get(I16_LE, byteOff) << 16);
    }

    // Dot products of x[xOff, +n) with one weight row at byte offset off; four accumulators.

    private static float dotF32(float[] x, int xOff, MemorySegment w, long off, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = FloatVector.fromMemorySegment(F, w, off + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, off + 4L * (i + L), LE).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
            a2 = FloatVector.fromMemorySegment(F, w, off + 4L * (i + 2 * L), LE).fma(FloatVector.fromArray(F, x, xOff + i + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, w, off + 4L * (i + 3 * L), LE).fma(FloatVector.fromArray(F, x, xOff + i + 3 * L), a3);
        }
        for (; i <= n - L; i += L) {
            a0 = FloatVector.fromMemorySegment(F, w, off + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            s += x[xOff + i] * w.get(F32_LE, off + 4L * i);
        }
        return s;
    }

    /** F16: the row converted block by block into {@code tmp} (in L1), then a float dot. */
    private static float dotF16(float[] x, int xOff, MemorySegment w, long off, int n, float[] tmp) {
        float s = 0f;
        for (int b = 0; b < n; b += tmp.length) {
            int len = Math.min(tmp.length, n - b);
            convert(w, DType.F16, off / 2 + b, tmp, 0, len);
            s += dot(x, xOff + b, tmp, 0, len);
        }
        return s;
    }

    private static float dotBF16(float[] x, int xOff, MemorySegment w, long off, int n) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            a0 = ((IntVector) ShortVector.fromMemorySegment(S, w, off + 2L * i, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = ((IntVector) ShortVector.fromMemorySegment(S, w, off + 2L * (i + L), LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
            a2 = ((IntVector) ShortVector.fromMemorySegment(S, w, off + 2L * (i + 2 * L), LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i + 2 * L), a2);
            a3 = ((IntVector) ShortVector.fromMemorySegment(S, w, off + 2L * (i + 3 * L), LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i + 3 * L), a3);
        }
        for (; i <= n - L; i += L) {
            a0 = ((IntVector) ShortVector.fromMemorySegment(S, w, off + 2L * i, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            s += x[xOff + i] * bf16(w, off + 2L * i);
        }
        return s;
    }

    // y[o] = x · W[o, :] (+ bias[o]) for o in [o0, o1) when n % 4L == 0: the rows as ONE loop over
    // one ascending stream, reducing where a row ends. A loop per row (48 vectors at n = 768) ran at
    // 65-75% of the bandwidth: each short loop's exit stalls the stream.

    private static void streamDotF32(float[] x, MemorySegment w, int n, int o0, int o1, float[] bias, float[] y) {
        FloatVector z = FloatVector.zero(F), a0 = z, a1 = z, a2 = z, a3 = z;
        int i = 0;
        int o = o0;
        for (long p = (long) o0 * n * 4, end = (long) o1 * n * 4; p < end; p += 16L * L) {
            a0 = FloatVector.fromMemorySegment(F, w, p, LE).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, p + 4L * L, LE).fma(FloatVector.fromArray(F, x, i + L), a1);
            a2 = FloatVector.fromMemorySegment(F, w, p + 8L * L, LE).fma(FloatVector.fromArray(F, x, i + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, w, p + 12L * L, LE).fma(FloatVector.fromArray(F, x, i + 3 * L), a3);
            i += 4 * L;
            if (i == n) {
                float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
                y[o] = bias == null ? s : s + bias[o];
                o++;
                i = 0;
                a0 = z;
                a1 = z;
                a2 = z;
                a3 = z;
            }
        }
    }

    private static void streamDotBF16(float[] x, MemorySegment w, int n, int o0, int o1, float[] bias, float[] y) {
        FloatVector z = FloatVector.zero(F), a0 = z, a1 = z, a2 = z, a3 = z;
        int i = 0;
        int o = o0;
        for (long p = (long) o0 * n * 2, end = (long) o1 * n * 2; p < end; p += 8L * L) {
            a0 = ((IntVector) ShortVector.fromMemorySegment(S, w, p, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, i), a0);
            a1 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, i + L), a1);
            a2 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 4L * L, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, i + 2 * L), a2);
            a3 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 6L * L, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, i + 3 * L), a3);
            i += 4 * L;
            if (i == n) {
                float s = VectorMath.sum(a0.add(a1).add(a2.add(a3)));
                y[o] = bias == null ? s : s + bias[o];
                o++;
                i = 0;
                a0 = z;
                a1 = z;
                a2 = z;
                a3 = z;
            }
        }
    }

    // y[yOff, +n) += Σ_{i in [i0, i1)} x[i] · W[i, :] for row-major weight rows of n elements.
    // Four rows per pass: one load and store of y per four weight vectors (a row per pass ran at
    // ~40% of bandwidth on two threads). The row loop stays inside the kernel: called once per
    // four rows instead, the same loop ran 35% slower.

    private static void axpyRowsF32(float[] x, int i0, int i1, MemorySegment w, float[] y, int yOff, int n) {
        long rowBytes = 4L * n;
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            float a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
            FloatVector av = FloatVector.broadcast(F, a), bv = FloatVector.broadcast(F, b);
            FloatVector cv = FloatVector.broadcast(F, c), dv = FloatVector.broadcast(F, d);
            long r0 = i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            int o = 0;
            for (; o <= n - L; o += L) {
                long q = 4L * o;
                FloatVector s = FloatVector.fromMemorySegment(F, w, r0 + q, LE).fma(av, FloatVector.fromArray(F, y, yOff + o));
                FloatVector t = FloatVector.fromMemorySegment(F, w, r1 + q, LE).mul(bv);
                s = FloatVector.fromMemorySegment(F, w, r2 + q, LE).fma(cv, s);
                t = FloatVector.fromMemorySegment(F, w, r3 + q, LE).fma(dv, t);
                s.add(t).intoArray(y, yOff + o);
            }
            for (; o < n; o++) {
                long q = 4L * o;
                float s = Math.fma(a, w.get(F32_LE, r0 + q), y[yOff + o]);
                float t = b * w.get(F32_LE, r1 + q);
                s = Math.fma(c, w.get(F32_LE, r2 + q), s);
                t = Math.fma(d, w.get(F32_LE, r3 + q), t);
                y[yOff + o] = s + t;
            }
        }
        for (; i < i1; i++) {
            FloatVector av = FloatVector.broadcast(F, x[i]);
            long r0 = i * rowBytes;
            int o = 0;
            for (; o <= n - L; o += L) {
                FloatVector.fromMemorySegment(F, w, r0 + 4L * o, LE).fma(av, FloatVector.fromArray(F, y, yOff + o)).intoArray(y, yOff + o);
            }
            for (; o < n; o++) {
                y[yOff + o] = Math.fma(x[i], w.get(F32_LE, r0 + 4L * o), y[yOff + o]);
            }
        }
    }

    /** F16: a row per pass in a plain loop, which C2 vectorises (vcvtph2ps) better than four. */
    private static void axpyRowsF16(float[] x, int i0, int i1, MemorySegment w, float[] y, int yOff, int n) {
        long rowBytes = 2L * n;
        for (int i = i0; i < i1; i++) {
            float a = x[i];
            long r0 = i * rowBytes;
            for (int o = 0; o < n; o++) {
                y[yOff + o] = Math.fma(a, Float.float16ToFloat(w.get(I16_LE, r0 + 2L * o)), y[yOff + o]);
            }
        }
    }

    private static void axpyRowsBF16(float[] x, int i0, int i1, MemorySegment w, float[] y, int yOff, int n) {
        long rowBytes = 2L * n;
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            float a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
            FloatVector av = FloatVector.broadcast(F, a), bv = FloatVector.broadcast(F, b);
            FloatVector cv = FloatVector.broadcast(F, c), dv = FloatVector.broadcast(F, d);
            long r0 = i * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
            int o = 0;
            for (; o <= n - L; o += L) {
                long q = 2L * o;
                FloatVector s = ((IntVector) ShortVector.fromMemorySegment(S, w, r0 + q, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(av, FloatVector.fromArray(F, y, yOff + o));
                FloatVector t = ((IntVector) ShortVector.fromMemorySegment(S, w, r1 + q, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().mul(bv);
                s = ((IntVector) ShortVector.fromMemorySegment(S, w, r2 + q, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(cv, s);
                t = ((IntVector) ShortVector.fromMemorySegment(S, w, r3 + q, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(dv, t);
                s.add(t).intoArray(y, yOff + o);
            }
            for (; o < n; o++) {
                long q = 2L * o;
                float s = Math.fma(a, bf16(w, r0 + q), y[yOff + o]);
                float t = b * bf16(w, r1 + q);
                s = Math.fma(c, bf16(w, r2 + q), s);
                t = Math.fma(d, bf16(w, r3 + q), t);
                y[yOff + o] = s + t;
            }
        }
        for (; i < i1; i++) {
            FloatVector av = FloatVector.broadcast(F, x[i]);
            long r0 = i * rowBytes;
            int o = 0;
            for (; o <= n - L; o += L) {
                ((IntVector) ShortVector.fromMemorySegment(S, w, r0 + 2L * o, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                        .fma(av, FloatVector.fromArray(F, y, yOff + o)).intoArray(y, yOff + o);
            }
            for (; o < n; o++) {
                y[yOff + o] = Math.fma(x[i], bf16(w, r0 + 2L * o), y[yOff + o]);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // activations

    /** Dot product of {@code a[aOff, aOff+n)} and {@code b[bOff, bOff+n)}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
            s1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), s1);
            s2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), s3);
        }
        for (; i <= n - L; i += L) {
            s0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), s0);
        }
        float sum = VectorMath.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** {@code y[yOff, yOff+n) += alpha · x[xOff, xOff+n)}. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** {@code acc[0, n) += x[0, n)}. */
    public static void add(float[] acc, float[] x, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, acc, i).add(FloatVector.fromArray(F, x, i)).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] += x[i];
        }
    }

    /**
     * LayerNorm of each of the {@code m} rows of width {@code d}:
     * {@code out = (x - mean) / sqrt(var + eps) · gamma + beta}, with the biased variance.
     * {@code out} may be {@code x}.
     */
    public static void layerNorm(float[] x, int m, int d, float[] gamma, float[] beta, float eps, float[] out) {
        Parallel.RangeTask rows = (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                layerNormRow(x, r * d, d, gamma, beta, eps, out);
            }
        };
        if ((long) m * d < PARALLEL_MIN_MACS) {
            rows.run(0, m);
        } else {
            Parallel.forRange(m, rows);
        }
    }

    private static void layerNormRow(float[] x, int off, int d, float[] gamma, float[] beta, float eps, float[] out) {
        float mean = rowMean(x, off, d);
        float inv = rowRstd(x, off, d, mean, eps);
        FloatVector mv = FloatVector.broadcast(F, mean);
        FloatVector iv = FloatVector.broadcast(F, inv);
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector.fromArray(F, x, off + i).sub(mv).mul(iv)
                    .fma(FloatVector.fromArray(F, gamma, i), FloatVector.fromArray(F, beta, i))
                    .intoArray(out, off + i);
        }
        for (; i < d; i++) {
            out[off + i] = (x[off + i] - mean) * inv * gamma[i] + beta[i];
        }
    }

    /** The mean of {@code x[off, off+d)}: LayerNorm's first statistic. */
    public static float rowMean(float[] x, int off, int d) {
        return sum(x, off, d) / d;
    }

    /**
     * 1/√(var + eps) of {@code x[off, off+d)} given its mean, with the biased variance taken from
     * the centred values (a second pass: no cancellation).
     */
    public static float rowRstd(float[] x, int off, int d, float mean, float eps) {
        FloatVector mv = FloatVector.broadcast(F, mean);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector c = FloatVector.fromArray(F, x, off + i).sub(mv);
            acc = c.fma(c, acc);
        }
        float var = VectorMath.sum(acc);
        for (; i < d; i++) {
            float c = x[off + i] - mean;
            var += c * c;
        }
        return (float) (1.0 / Math.sqrt(var / d + eps));
    }

    private static float sum(float[] x, int off, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(F, x, off + i));
            s1 = s1.add(FloatVector.fromArray(F, x, off + i + L));
        }
        for (; i <= n - L; i += L) {
            s0 = s0.add(FloatVector.fromArray(F, x, off + i));
        }
        float s = VectorMath.sum(s0.add(s1));
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /** {@code x[off, off+n) *= factor}. */
    public static void scale(float[] x, int off, int n, float factor) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(factor).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= factor;
        }
    }

    /**
     * Soft-capping in place: {@code x = cap·tanh(x/cap)} on {@code x[off, off+n)} (Gemma 2's scores
     * and logits), tanh written as {@code 1 − 2/(e^(2y) + 1)}, exact in its limits ±1.
     */
    public static void softCap(float[] x, int off, int n, float cap) {
        float twoOverCap = 2f / cap;
        FloatVector two = FloatVector.broadcast(F, 2f);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + i).mul(twoOverCap)); // clamped: finite
            two.div(e.add(1f)).neg().add(1f).mul(cap).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] = (float) (cap * Math.tanh(x[off + i] / cap));
        }
    }

    /** Softmax in place on {@code x[off, off+n)}, stabilised by the maximum. */
    public static void softmax(float[] x, int off, int n) {
        softmax(x, off, n, 1f);
    }

    /**
     * {@code x[off, off+n) = scale · softmax(x)} in place; returns log Σ exp(x) of the values
     * it was given (so the cross-entropy of a target t is that minus the old x[t]).
     */
    public static float softmax(float[] x, int off, int n, float scale) {
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - L; i += L) {
            mv = mv.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        mv = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, off + i).sub(mv));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float k = scale / sum;
        FloatVector kv = FloatVector.broadcast(F, k);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(kv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= k;
        }
        return (float) (max + Math.log(sum));
    }

    // ---------------------------------------------------------------------------------------------
    // the Llama family: RMSNorm, rotary position embeddings

    /**
     * RMSNorm of each of the {@code m} rows of width {@code d}: {@code out = x / √(mean(x²) + eps) · gamma}.
     * {@code out} may be {@code x}.
     */
    public static void rmsNorm(float[] x, int m, int d, float[] gamma, float eps, float[] out) {
        if ((long) m * d < PARALLEL_MIN_MACS) { // decode: no task object, nothing allocated
            for (int r = 0; r < m; r++) {
                rmsNormRow(x, r * d, d, gamma, eps, out);
            }
            return;
        }
        Parallel.forRange(m, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                rmsNormRow(x, r * d, d, gamma, eps, out);
            }
        });
    }

    private static void rmsNormRow(float[] x, int off, int d, float[] gamma, float eps, float[] out) {
        float inv = rowRms(x, off, d, eps);
        FloatVector iv = FloatVector.broadcast(F, inv);
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(iv).mul(FloatVector.fromArray(F, gamma, i)).intoArray(out, off + i);
        }
        for (; i < d; i++) {
            out[off + i] = x[off + i] * inv * gamma[i];
        }
    }

    /** 1/√(mean(x²) + eps) of {@code x[off, off+d)}: RMSNorm's one statistic. */
    public static float rowRms(float[] x, int off, int d, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= d - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc = v.fma(v, acc);
        }
        float squares = VectorMath.sum(acc);
        for (; i < d; i++) {
            squares += x[off + i] * x[off + i];
        }
        return (float) (1.0 / Math.sqrt(squares / d + eps));
    }

    /**
     * Rotary position embedding in place on {@code m} rows of {@code heads} heads of {@code headSize}
     * values, row r being at position {@code firstPosition + r}. In each head, pair i (i < {@code pairs})
     * is rotated by the angle whose cosine and sine are {@code cos[p·pairs + i]} and {@code sin[p·pairs + i]}:
     * (a, b) → (a·cos − b·sin, a·sin + b·cos). A pair is the values (2i, 2i+1), or with {@code halves}
     * (i, i + pairs). Values from 2·pairs to headSize are left as they are.
     */
    public static void rope(float[] x, int m, int heads, int headSize, int pairs, boolean halves,
                            float[] cos, float[] sin, int firstPosition) {
        rope(x, 0, m, heads, headSize, pairs, halves, cos, sin, firstPosition);
    }

    /** {@link #rope(float[], int, int, int, int, boolean, float[], float[], int)} on the rows from {@code x[offset]}. */
    public static void rope(float[] x, int offset, int m, int heads, int headSize, int pairs, boolean halves,
                            float[] cos, float[] sin, int firstPosition) {
        int step = halves ? 1 : 2;      // distance from one pair's first value to the next pair's
        int partner = halves ? pairs : 1; // distance from a pair's first value to its second
        for (int r = 0; r < m; r++) {
            int table = (firstPosition + r) * pairs;
            for (int h = 0; h < heads; h++) {
                int base = offset + (r * heads + h) * headSize;
                for (int i = 0; i < pairs; i++) {
                    int a = base + i * step;
                    float c = cos[table + i];
                    float s = sin[table + i];
                    float x0 = x[a];
                    float x1 = x[a + partner];
                    x[a] = x0 * c - x1 * s;
                    x[a + partner] = x0 * s + x1 * c;
                }
            }
        }
    }
}
