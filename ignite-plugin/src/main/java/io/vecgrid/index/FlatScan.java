package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.Metric;

/**
 * Exact scan of contiguous rows ({@link VectorData}: a {@code float[]} or a little-endian buffer) into top-k heaps. Immutable after construction; {@link #scan} and
 * {@link #scanBatch} may run on many threads at once (their state is the caller's heaps).
 *
 * <p>For {@code COSINE} the squared norm of every row ({@code dot(row, row)}) is computed once here, and a row's
 * similarity is {@link DistanceKernel#cosine} of its dot product with the query: bit-identical to
 * {@link DistanceKernel#distance}, at one multiply-add per element instead of three.
 */
final class FlatScan {
    private final Metric metric;
    private final VectorData data;
    private final int dim;
    private final int rows;
    /** {@code dot(row, row)} per row for COSINE, else {@code null}. */
    private final float[] squares;
    /**
     * {@code 1 / sqrt(dot(row, row))} per row for COSINE ({@code 0} for a zero row), else {@code null}: the graph walk
     * and build score {@code -dot * (1 / |q|) * (1 / |row|)}, which orders rows as the exact cosine does without a
     * square root and a division per row (their keys are only compared; exact distances come from {@link #squares}).
     */
    private final float[] inverseNorms;

    FlatScan(Metric metric, VectorData data, int dim, int rows) {
        this.metric = metric;
        this.data = data;
        this.dim = dim;
        this.rows = rows;
        this.squares = metric == Metric.COSINE ? squares(data, dim, rows) : null;
        this.inverseNorms = squares == null ? null : inverseNorms(squares);
    }

    /** @return {@code 1 / sqrt(s)} of each squared norm, {@code 0} for {@code 0}. */
    static float[] inverseNorms(float[] squares) {
        float[] inv = new float[squares.length];
        for (int r = 0; r < squares.length; r++)
            inv[r] = squares[r] == 0 ? 0 : (float)(1 / Math.sqrt(squares[r]));
        return inv;
    }

    /** @return {@code dot(row, row)} of every row. */
    static float[] squares(VectorData data, int dim, int rows) {
        float[] s = new float[rows];
        float[] row = new float[dim];
        for (int r = 0, off = 0; r < rows; r++, off += dim) {
            // The row as the query operand: the same products in the same order as dot(row, row) on one array.
            data.copy(off, row, 0, dim);
            s[r] = DistanceKernel.dot(row, 0, data, off, dim);
        }
        return s;
    }

    /** @return the squared norms kept for COSINE, or {@code null}. */
    float[] squares() {
        return squares;
    }

    /** @return the inverse norms kept for COSINE (the walk's and the build's keys), or {@code null}. */
    float[] inverseNorms() {
        return inverseNorms;
    }

    long ramBytesUsed() {
        return squares == null ? 0 : 32L + 8L * squares.length;
    }

    /** Rank key (smaller is closer) of row {@code r} for a query at {@code q[qOff..]} with {@code dot(q, q) = qSquares}. */
    float rankKey(float[] q, int qOff, float qSquares, int r) {
        int off = r * dim;
        switch (metric) {
            case L2:
                return DistanceKernel.squareDistance(q, qOff, data, off, dim);
            case IP:
                return -DistanceKernel.dot(q, qOff, data, off, dim);
            default:
                return -DistanceKernel.cosine(DistanceKernel.dot(q, qOff, data, off, dim), qSquares, squares[r]);
        }
    }

    /** Exact distance of row {@code r} in the metric's semantics. */
    float distance(float[] q, int qOff, float qSquares, int r) {
        float key = rankKey(q, qOff, qSquares, r);
        return metric.largerIsCloser() ? -key : key;
    }

    /** @return {@code dot(q, q)} for COSINE, else 0 (unused). */
    float querySquares(float[] q) {
        return metric == Metric.COSINE ? DistanceKernel.dot(q, 0, q, 0, dim) : 0;
    }

    /** Offers every accepted row to {@code heap}. */
    void scan(float[] q, Bits accept, TopKHeap heap) {
        float qs = querySquares(q);
        switch (metric) {
            case L2:
                for (int r = 0, off = 0; r < rows; r++, off += dim) {
                    if (accept != null && !accept.get(r))
                        continue;
                    float key = DistanceKernel.squareDistance(q, 0, data, off, dim);
                    if (key <= heap.worstKey())
                        heap.offer(r, key);
                }
                break;
            case IP:
                for (int r = 0, off = 0; r < rows; r++, off += dim) {
                    if (accept != null && !accept.get(r))
                        continue;
                    float key = -DistanceKernel.dot(q, 0, data, off, dim);
                    if (key <= heap.worstKey())
                        heap.offer(r, key);
                }
                break;
            default:
                for (int r = 0, off = 0; r < rows; r++, off += dim) {
                    if (accept != null && !accept.get(r))
                        continue;
                    float key = -DistanceKernel.cosine(DistanceKernel.dot(q, 0, data, off, dim), qs, squares[r]);
                    if (key <= heap.worstKey())
                        heap.offer(r, key);
                }
        }
    }

    /**
     * Offers every accepted row to the heap of every query, in one pass over the rows: each block of rows is scored
     * by all queries while it is in cache.
     */
    void scanBatch(float[][] queries, Bits accept, TopKHeap[] heaps) {
        int nq = queries.length;
        float[] qs = new float[nq];
        for (int i = 0; i < nq; i++)
            qs[i] = querySquares(queries[i]);
        int block = DistanceKernel.blockRows(dim);
        for (int start = 0; start < rows; start += block) {
            int end = Math.min(rows, start + block);
            for (int i = 0; i < nq; i++) {
                float[] q = queries[i];
                TopKHeap heap = heaps[i];
                float qsi = qs[i];
                for (int r = start; r < end; r++) {
                    assert r < rows;
                    if (accept != null && !accept.get(r))
                        continue;
                    float key = rankKey(q, 0, qsi, r);
                    if (key <= heap.worstKey())
                        heap.offer(r, key);
                }
            }
        }
    }
}
