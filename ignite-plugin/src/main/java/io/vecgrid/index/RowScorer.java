package io.vecgrid.index;

import io.vecgrid.api.Metric;

/**
 * Scores a segment's rows against one query vector as HNSW keys: smaller is closer. L2: squared distance; IP:
 * {@code -dot}; COSINE: {@code -cos}, as {@code -dot * (1 / |q|) * (1 / |row|)} with the rows' inverse norms
 * precomputed ({@link FlatScan#inverseNorms}): the same order as the exact cosine, within the last bits, without a
 * square root and a division per row. Keys are only compared (the walk's order, the build's choice of neighbours),
 * never returned, so their last bits may differ with the kernel that scored them: a lone row (an entry point, a
 * diversity check) goes through {@link DistanceKernel#dotWalk}, which sums lanes as a tree as the four-row kernels
 * do, without the lane-by-lane reduction the exact distances need. Rows are scored four at a time where
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
    private final float[] inverseNorms;
    private final float[] four = new float[4];

    private float[] q;
    /** {@code -1 / |q|} for COSINE ({@code 0} for a zero query, whose cosine with every row is 0). */
    private float qFactor;

    /** @param inverseNorms the rows' inverse norms for COSINE ({@code null} otherwise). */
    RowScorer(Metric metric, VectorData data, int dim, float[] inverseNorms) {
        this.kind = metric == Metric.L2 ? L2 : metric == Metric.IP ? IP : COSINE;
        this.data = data;
        this.dim = dim;
        this.inverseNorms = inverseNorms;
    }

    /** Makes {@code query} (held, not copied) the vector rows are scored against. */
    void reset(float[] query) {
        q = query;
        if (kind == COSINE) {
            float qq = DistanceKernel.dot(query, 0, query, 0, dim);
            qFactor = qq == 0 ? 0 : (float)(-1 / Math.sqrt(qq));
        }
    }

    /** @return the key of row {@code r}. */
    float key(int r) {
        switch (kind) {
            case L2:
                return DistanceKernel.squareDistanceWalk(q, data, r * dim, dim);
            case IP:
                return -DistanceKernel.dotWalk(q, data, r * dim, dim);
            default:
                return DistanceKernel.dotWalk(q, data, r * dim, dim) * qFactor * inverseNorms[r];
        }
    }

    /** Scores rows {@code rows[0..n)} into {@code keys[0..n)}, four at a time. */
    void keys(int[] rows, int n, float[] keys) {
        int i = 0;
        for (; i + 4 <= n; i += 4)
            keys4(rows[i], rows[i + 1], rows[i + 2], rows[i + 3], keys, i, 4);
        // The last one to three rows through the four-row kernel too, the last one repeated: their memory misses
        // overlap as the others' do (one row at a time, each waits for its own), and the repeats hit the cache.
        int t = n - i;
        if (t > 0) {
            int r0 = rows[i], r1 = rows[i + Math.min(1, t - 1)], r2 = rows[i + t - 1];
            keys4(r0, r1, r2, r2, keys, i, t);
        }
    }

    /** Scores four rows; writes the first {@code count} keys to {@code keys[at..]}. */
    private void keys4(int r0, int r1, int r2, int r3, float[] keys, int at, int count) {
        float[] f = four;
        if (kind == L2)
            DistanceKernel.squareDistances4(q, data, r0 * dim, r1 * dim, r2 * dim, r3 * dim, dim, f);
        else {
            DistanceKernel.dots4(q, data, r0 * dim, r1 * dim, r2 * dim, r3 * dim, dim, f);
            if (kind == IP) {
                f[0] = -f[0];
                f[1] = -f[1];
                f[2] = -f[2];
                f[3] = -f[3];
            }
            else {
                f[0] *= qFactor * inverseNorms[r0];
                f[1] *= qFactor * inverseNorms[r1];
                f[2] *= qFactor * inverseNorms[r2];
                f[3] *= qFactor * inverseNorms[r3];
            }
        }
        System.arraycopy(f, 0, keys, at, count);
    }
}
