package io.vecgrid.index;

import io.vecgrid.api.Metric;

/**
 * Scores a segment's rows against one query vector as HNSW keys: smaller is closer. L2: squared distance; IP:
 * {@code -dot}; COSINE: {@code -cos}, with the rows' squared norms precomputed. Rows are scored four at a time where
 * possible, with a kernel that reads the four rows side by side so their memory misses overlap (see
 * {@link GraphWalk}). Not thread-safe: one per walking or building thread, {@link #reset} per query.
 */
final class RowScorer {
    private static final int L2 = 0;
    private static final int IP = 1;
    private static final int COSINE = 2;

    private final int kind;
    private final VectorData data;
    private final int dim;
    private final float[] squares;
    private final float[] four = new float[4];

    private float[] q;
    private float qSquares;

    /** @param squares the rows' squared norms for COSINE ({@code null} otherwise). */
    RowScorer(Metric metric, VectorData data, int dim, float[] squares) {
        this.kind = metric == Metric.L2 ? L2 : metric == Metric.IP ? IP : COSINE;
        this.data = data;
        this.dim = dim;
        this.squares = squares;
    }

    /** Makes {@code query} (held, not copied) the vector rows are scored against. */
    void reset(float[] query) {
        q = query;
        qSquares = kind == COSINE ? DistanceKernel.dot(query, 0, query, 0, dim) : 0;
    }

    /** @return the key of row {@code r}. */
    float key(int r) {
        switch (kind) {
            case L2:
                return DistanceKernel.squareDistance(q, 0, data, r * dim, dim);
            case IP:
                return -DistanceKernel.dot(q, 0, data, r * dim, dim);
            default:
                return -DistanceKernel.cosine(DistanceKernel.dot(q, 0, data, r * dim, dim), qSquares, squares[r]);
        }
    }

    /** Scores rows {@code rows[0..n)} into {@code keys[0..n)}, four at a time. */
    void keys(int[] rows, int n, float[] keys) {
        int i = 0;
        for (; i + 4 <= n; i += 4)
            keys4(rows, i, keys);
        for (; i < n; i++)
            keys[i] = key(rows[i]);
    }

    private void keys4(int[] rows, int i, float[] keys) {
        int r0 = rows[i], r1 = rows[i + 1], r2 = rows[i + 2], r3 = rows[i + 3];
        if (kind == L2) {
            DistanceKernel.squareDistances4(q, data, r0 * dim, r1 * dim, r2 * dim, r3 * dim, dim, four);
            keys[i] = four[0];
            keys[i + 1] = four[1];
            keys[i + 2] = four[2];
            keys[i + 3] = four[3];
            return;
        }
        DistanceKernel.dots4(q, data, r0 * dim, r1 * dim, r2 * dim, r3 * dim, dim, four);
        if (kind == IP) {
            keys[i] = -four[0];
            keys[i + 1] = -four[1];
            keys[i + 2] = -four[2];
            keys[i + 3] = -four[3];
        }
        else {
            keys[i] = -DistanceKernel.cosine(four[0], qSquares, squares[r0]);
            keys[i + 1] = -DistanceKernel.cosine(four[1], qSquares, squares[r1]);
            keys[i + 2] = -DistanceKernel.cosine(four[2], qSquares, squares[r2]);
            keys[i + 3] = -DistanceKernel.cosine(four[3], qSquares, squares[r3]);
        }
    }
}
