package dev.jgpt.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A matrix product on the calling thread, {@code C[m × n] (= or +=) A[m × k] · B[k × n]}, on heap
 * arrays, register-tiled and packed (GotoBLAS style): for each block of KC steps of k, B is packed
 * into panels of NR columns and A into tiles of MR rows, zero-padded, and an MR×NR tile of C
 * lives in registers while the panels stream past. Operands are {@link View}s with any strides,
 * so a transposed operand costs nothing extra: packing reads it in whichever orientation.
 * Panels are three vectors wide, or two where that pads less (n = 64 at 16 lanes); a
 * {@link Triangle} skips the tiles that causal attention masks.
 *
 * <p>The tile kernels are written out straight: a helper taking vectors that C2 declines to
 * inline (its node budget runs out in a kernel this size) boxes every vector, 8× slower.
 *
 * <p>Single-threaded: callers parallelise by handing each thread its own part of C and its own
 * {@link Workspace}. Each element of C is summed in the same order however C is split.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Rows of the register tile: 4 × 3 accumulators + 3 panel vectors + 1 broadcast fit 16 registers (AVX2 too). */
    static final int MR = 4;
    /** Columns of the register tile: three vectors. */
    static final int NR = 3 * L;
    /** Columns of the narrow tile, for widths that two-vector panels cover better (a head of 64 at 16 lanes). */
    private static final int NARROW = 2 * L;
    /** Steps of k per block: a KC×NR panel of B stays in L1 (24 KiB at 512 bits). */
    private static final int KC = 128;
    /** Rows of A packed per block: MC×KC floats stay in L2. */
    private static final int MC = 128;

    private Gemm() {}

    /**
     * A matrix in a float array: element (row, col) at {@code offset + row·rowStride + col·colStride}.
     * Row-major is (cols, 1); its transpose is the same array with the strides swapped.
     */
    public record View(float[] data, int offset, int rowStride, int colStride) {
        public static View rowMajor(float[] data, int offset, int rowStride) {
            return new View(data, offset, rowStride, 1);
        }

        public View transposed() {
            return new View(data, offset, colStride, rowStride);
        }

        /** The view whose (0, 0) is this view's (row, col). */
        public View at(int row, int col) {
            return new View(data, offset + row * rowStride + col * colStride, rowStride, colStride);
        }
    }

    /** Packing buffers of one thread; they grow to the largest product seen and are then reused. */
    public static final class Workspace {
        private float[] a = new float[0];
        private float[] b = new float[0];
        private final float[] tile = new float[MR * NR];

        float[] a(int n) {
            return a.length >= n ? a : (a = new float[n]);
        }

        float[] b(int n) {
            return b.length >= n ? b : (b = new float[n]);
        }
    }

    /**
     * Which part of a square product matters, so that causal attention skips the masked half.
     * Row i of C is row i of A; k indexes A's columns.
     */
    public enum Triangle {
        /** The whole product. */
        NONE,
        /** Only C(i, j) with j ≤ i is wanted; tiles wholly above the diagonal are left untouched. */
        LOWER_OUTPUT,
        /** A(i, k) = 0 for k > i: row i sums over k ≤ i only. */
        A_LOWER,
        /** A(i, k) = 0 for k < i: row i sums over k ≥ i only. */
        A_UPPER
    }

    /**
     * {@code C = A·B} or, with {@code accumulate}, {@code C += A·B}, for A [m × k], B [k × n],
     * C [m × n] with unit column stride (rows of C are written with vector stores). With
     * {@code k = 0}, C is zeroed (or left alone when accumulating).
     */
    public static void multiply(int m, int n, int k, View a, View b, View c, boolean accumulate, Workspace ws) {
        multiply(m, n, k, a, b, c, accumulate, Triangle.NONE, ws);
    }

    /** {@link #multiply(int, int, int, View, View, View, boolean, Workspace)} computing only what {@code triangle} says matters. */
    public static void multiply(int m, int n, int k, View a, View b, View c, boolean accumulate, Triangle triangle, Workspace ws) {
        if (c.colStride() != 1) {
            throw new IllegalArgumentException("C must have unit column stride, got " + c.colStride());
        }
        if (m <= 0 || n <= 0) {
            return;
        }
        boolean skipsSteps = triangle == Triangle.A_LOWER || triangle == Triangle.A_UPPER;
        if (k <= 0 || (skipsSteps && !accumulate)) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c.data(), c.offset() + i * c.rowStride(), c.offset() + i * c.rowStride() + n, 0f);
                }
            }
            if (k <= 0) {
                return;
            }
        }
        int nr = panelWidth(n);
        int panels = (n + nr - 1) / nr;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            float[] bp = ws.b(panels * kc * nr);
            packB(b, k0, kc, n, nr, bp);
            boolean add = accumulate || k0 > 0 || skipsSteps;
            for (int m0 = 0; m0 < m; m0 += MC) {
                int mc = Math.min(MC, m - m0);
                int tiles = (mc + MR - 1) / MR;
                float[] ap = ws.a(tiles * kc * MR);
                packA(a, m0, mc, k0, kc, triangle, ap);
                for (int panel = 0; panel < panels; panel++) {
                    int cols = Math.min(nr, n - panel * nr);
                    for (int tile = 0; tile < tiles; tile++) {
                        int row0 = m0 + tile * MR;
                        // the steps [p0, p1) of this block that row tile row0 needs
                        int p0 = firstStep(triangle, row0, k0);
                        int p1 = endStep(triangle, row0, k0, kc);
                        if (p0 >= p1 || (triangle == Triangle.LOWER_OUTPUT && panel * nr > row0 + MR - 1)) {
                            continue;
                        }
                        int rows = Math.min(MR, mc - tile * MR);
                        int cOff = c.offset() + row0 * c.rowStride() + panel * nr;
                        int aOff = (tile * kc + p0) * MR;
                        int bOff = (panel * kc + p0) * nr;
                        boolean whole = rows == MR && cols == nr;
                        float[] to = whole ? c.data() : ws.tile;
                        int toOff = whole ? cOff : 0;
                        int toStride = whole ? c.rowStride() : nr;
                        boolean toAdd = whole && add;
                        if (nr == NR) {
                            kernel(p1 - p0, ap, aOff, bp, bOff, to, toOff, toStride, toAdd);
                        } else {
                            narrowKernel(p1 - p0, ap, aOff, bp, bOff, to, toOff, toStride, toAdd);
                        }
                        if (!whole) {
                            merge(ws.tile, nr, c.data(), cOff, c.rowStride(), rows, cols, add);
                        }
                    }
                }
            }
        }
    }

    /** Three vectors per panel, or two where that covers n with less padding (n = 64 at 16 lanes). */
    private static int panelWidth(int n) {
        int waste3 = (n + NR - 1) / NR * NR - n;
        int waste2 = (n + NARROW - 1) / NARROW * NARROW - n;
        return waste2 < waste3 ? NARROW : NR;
    }

    /** B[k0 .. k0+kc) × [0, n) into panels: bp[(panel·kc + p)·nr + j] = B(k0 + p, panel·nr + j), zero past n. */
    private static void packB(View b, int k0, int kc, int n, int nr, float[] bp) {
        float[] src = b.data();
        int rs = b.rowStride();
        int cs = b.colStride();
        int panels = (n + nr - 1) / nr;
        for (int panel = 0; panel < panels; panel++) {
            int j0 = panel * nr;
            int cols = Math.min(nr, n - j0);
            int base = panel * kc * nr;
            int from = b.offset() + k0 * rs + j0 * cs;
            if (cs == 1) { // rows of B are contiguous: copy them
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(src, from + p * rs, bp, base + p * nr, cols);
                }
            } else { // columns of B are (nearly) contiguous: read down each one
                for (int j = 0; j < cols; j++) {
                    int at = from + j * cs;
                    for (int p = 0; p < kc; p++) {
                        bp[base + p * nr + j] = src[at + p * rs];
                    }
                }
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(bp, base + p * nr + cols, base + (p + 1) * nr, 0f);
                }
            }
        }
    }

    /**
     * A[m0 .. m0+mc) × [k0 .. k0+kc) into tiles: ap[(tile·kc + p)·MR + i] = A(m0 + tile·MR + i, k0 + p),
     * zero past mc; of each tile only the steps {@link #firstStep}..{@link #endStep} that it uses.
     */
    private static void packA(View a, int m0, int mc, int k0, int kc, Triangle triangle, float[] ap) {
        float[] src = a.data();
        int rs = a.rowStride();
        int cs = a.colStride();
        int tiles = (mc + MR - 1) / MR;
        int wholeTiles = mc / MR;
        boolean transposed = rs == 1;
        if (transposed && triangle == Triangle.NONE) {
            // row k0+p of the storage holds the block's values of step p side by side: read each
            // such row once, front to back, handing MR values to each tile
            for (int p = 0; p < kc; p++) {
                int at = a.offset() + m0 + (k0 + p) * cs;
                for (int to = p * MR, end = wholeTiles * kc * MR; to < end; to += kc * MR, at += MR) {
                    copyStep(src, at, ap, to);
                }
            }
        } else if (transposed) { // a triangle: each tile reads only the steps it uses
            for (int tile = 0; tile < wholeTiles; tile++) {
                int row0 = m0 + tile * MR;
                int from = a.offset() + row0 + k0 * cs;
                for (int p = firstStep(triangle, row0, k0), p1 = endStep(triangle, row0, k0, kc); p < p1; p++) {
                    copyStep(src, from + p * cs, ap, (tile * kc + p) * MR);
                }
            }
        }
        for (int tile = transposed ? wholeTiles : 0; tile < tiles; tile++) {
            int row0 = m0 + tile * MR;
            int p0 = firstStep(triangle, row0, k0);
            int p1 = endStep(triangle, row0, k0, kc);
            int rows = Math.min(MR, mc - tile * MR);
            int base = tile * kc * MR;
            int from = a.offset() + row0 * rs + k0 * cs;
            for (int i = 0; i < MR; i++) {
                int at = from + i * rs;
                for (int p = p0; p < p1; p++) {
                    ap[base + p * MR + i] = i < rows ? src[at + p * cs] : 0f;
                }
            }
        }
    }

    /** The MR values of one step of a tile, side by side in the source. */
    private static void copyStep(float[] src, int at, float[] ap, int to) {
        ap[to] = src[at];
        ap[to + 1] = src[at + 1];
        ap[to + 2] = src[at + 2];
        ap[to + 3] = src[at + 3];
    }

    /** The first step of the block at k0 that the row tile at row0 uses. */
    private static int firstStep(Triangle triangle, int row0, int k0) {
        return triangle == Triangle.A_UPPER ? Math.max(0, row0 - k0) : 0;
    }

    /** One past the last step of the block [k0, k0 + kc) that the row tile at row0 uses. */
    private static int endStep(Triangle triangle, int row0, int k0, int kc) {
        return triangle == Triangle.A_LOWER ? Math.min(kc, row0 + MR - k0) : kc;
    }

    /**
     * One MR×NR tile: {@code C (+)= Σ_p ap[p] ⊗ bp[p]} over kc packed steps, C's whole tile at
     * {@code c[cOff]} with row stride ldc. Straight-line on purpose: helper calls here would
     * exceed C2's inlining budget and box the accumulators.
     */
    private static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector b2 = FloatVector.fromArray(F, bp, bi + 2 * L);
            int ai = aOff + p * MR;
            FloatVector a = FloatVector.broadcast(F, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
        }
        int r0 = cOff;
        int r1 = cOff + ldc;
        int r2 = cOff + 2 * ldc;
        int r3 = cOff + 3 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(F, c, r0));
            c01 = c01.add(FloatVector.fromArray(F, c, r0 + L));
            c02 = c02.add(FloatVector.fromArray(F, c, r0 + 2 * L));
            c10 = c10.add(FloatVector.fromArray(F, c, r1));
            c11 = c11.add(FloatVector.fromArray(F, c, r1 + L));
            c12 = c12.add(FloatVector.fromArray(F, c, r1 + 2 * L));
            c20 = c20.add(FloatVector.fromArray(F, c, r2));
            c21 = c21.add(FloatVector.fromArray(F, c, r2 + L));
            c22 = c22.add(FloatVector.fromArray(F, c, r2 + 2 * L));
            c30 = c30.add(FloatVector.fromArray(F, c, r3));
            c31 = c31.add(FloatVector.fromArray(F, c, r3 + L));
            c32 = c32.add(FloatVector.fromArray(F, c, r3 + 2 * L));
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
    }

    /** {@link #kernel} with two vectors per panel: an MR × 2L tile. */
    private static void narrowKernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NARROW;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            int ai = aOff + p * MR;
            FloatVector a = FloatVector.broadcast(F, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        int r0 = cOff;
        int r1 = cOff + ldc;
        int r2 = cOff + 2 * ldc;
        int r3 = cOff + 3 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(F, c, r0));
            c01 = c01.add(FloatVector.fromArray(F, c, r0 + L));
            c10 = c10.add(FloatVector.fromArray(F, c, r1));
            c11 = c11.add(FloatVector.fromArray(F, c, r1 + L));
            c20 = c20.add(FloatVector.fromArray(F, c, r2));
            c21 = c21.add(FloatVector.fromArray(F, c, r2 + L));
            c30 = c30.add(FloatVector.fromArray(F, c, r3));
            c31 = c31.add(FloatVector.fromArray(F, c, r3 + L));
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
    }

    /** C[rows × cols] (+)= tile[rows × cols] (row stride nr): the edge of C that a whole tile would overrun. */
    private static void merge(float[] tile, int nr, float[] c, int cOff, int ldc, int rows, int cols, boolean add) {
        for (int i = 0; i < rows; i++) {
            int to = cOff + i * ldc;
            int from = i * nr;
            if (add) {
                for (int j = 0; j < cols; j++) {
                    c[to + j] += tile[from + j];
                }
            } else {
                System.arraycopy(tile, from, c, to, cols);
            }
        }
    }
}
