package io.vecgrid.index;

import io.vecgrid.api.Metric;

/**
 * Distance between float vectors with Milvus's semantics (see {@link Metric}): {@code L2} is the squared Euclidean
 * distance, {@code IP} the inner product, {@code COSINE} the cosine similarity ({@code 0} when either norm is 0,
 * clamped to {@code [-1, 1]}). Stateless and thread-safe.
 *
 * <p>The arithmetic runs on {@code jdk.incubator.vector} when the JVM was started with
 * {@code --add-modules=jdk.incubator.vector}, and on a plain Java loop otherwise; the choice is made once, when this
 * class initializes ({@link #implementation()} names it). Every caller in this JVM gets the same bits for the same
 * pair of vectors: the single-pair, one-query and batched forms all run the same per-pair reduction, which is what
 * lets the flat index equal an exact oracle built on {@link #distance} value for value.
 *
 * <p>Offsets and lengths are checked by assertions only: these methods sit inside scan loops. Callers validate
 * at their public entry points.
 */
public final class DistanceKernel {
    /** Rows per block of the batched form: about 64 KB of vector data, which stays in L2 while every query passes. */
    private static final int BLOCK_FLOATS = 16 * 1024;

    private static final VectorKernel IMPL = pick();

    private DistanceKernel() {
    }

    private static VectorKernel pick() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && !Boolean.getBoolean("vecgrid.kernel.scalar")) {
            try {
                // Reflection keeps PanamaVectorKernel (and with it jdk.incubator.vector) unlinked when absent.
                return (VectorKernel)Class.forName("io.vecgrid.index.PanamaVectorKernel").getDeclaredConstructor().newInstance();
            }
            catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarVectorKernel();
            }
        }
        return new ScalarVectorKernel();
    }

    /** @return the kernel in use: {@code "panama-<bits>"} or {@code "scalar"}. */
    public static String implementation() {
        return IMPL.name();
    }

    /**
     * @param metric metric.
     * @param q query vector array.
     * @param qOff offset of the query in {@code q}.
     * @param data vectors array.
     * @param off offset of the vector in {@code data}.
     * @param dim dimension.
     * @return distance in the metric's semantics.
     */
    public static float distance(Metric metric, float[] q, int qOff, float[] data, int off, int dim) {
        assert qOff >= 0 && qOff + dim <= q.length && off >= 0 && off + dim <= data.length;
        return distance(metric, q, qOff, VectorData.of(data), off, dim);
    }

    /** As {@link #distance(Metric, float[], int, float[], int, int)}, the row read from {@code data} (array or buffer). */
    static float distance(Metric metric, float[] q, int qOff, VectorData data, int off, int dim) {
        assert qOff >= 0 && qOff + dim <= q.length && off >= 0 && off + (long)dim <= data.length;
        switch (metric) {
            case L2:
                return IMPL.squareDistance(q, qOff, data, off, dim);
            case IP:
                return IMPL.dot(q, qOff, data, off, dim);
            default:
                return IMPL.cosine(q, qOff, data, off, dim);
        }
    }

    /** Distances of one query to each of {@code rows} contiguous vectors of {@code data}, into {@code out}. */
    public static void distances(Metric metric, float[] q, float[] data, int rows, int dim, float[] out) {
        assert q.length >= dim && (long)rows * dim <= data.length && out.length >= rows;
        VectorData d = VectorData.of(data);
        switch (metric) {
            case L2:
                for (int r = 0, off = 0; r < rows; r++, off += dim)
                    out[r] = IMPL.squareDistance(q, 0, d, off, dim);
                break;
            case IP:
                for (int r = 0, off = 0; r < rows; r++, off += dim)
                    out[r] = IMPL.dot(q, 0, d, off, dim);
                break;
            default:
                for (int r = 0, off = 0; r < rows; r++, off += dim)
                    out[r] = IMPL.cosine(q, 0, d, off, dim);
        }
    }

    /**
     * Distances of {@code nq} queries to each of {@code rows} contiguous vectors: one pass over {@code data}, block
     * by block, every query scoring a block while it is in cache.
     *
     * @param metric metric.
     * @param queries {@code nq * dim} floats, query {@code i} at offset {@code i * dim}.
     * @param nq number of queries.
     * @param data {@code rows * dim} floats.
     * @param rows number of vectors.
     * @param dim dimension.
     * @param out {@code nq * rows} floats: the distance of query {@code i} to row {@code r} at {@code i * rows + r}.
     */
    public static void distances(Metric metric, float[] queries, int nq, float[] data, int rows, int dim, float[] out) {
        assert (long)nq * dim <= queries.length && (long)rows * dim <= data.length && (long)nq * rows <= out.length;
        VectorData d = VectorData.of(data);
        int block = blockRows(dim);
        for (int start = 0; start < rows; start += block) {
            int end = Math.min(rows, start + block);
            for (int qi = 0; qi < nq; qi++) {
                int qOff = qi * dim;
                int outOff = qi * rows;
                for (int r = start; r < end; r++)
                    out[outOff + r] = distance(metric, queries, qOff, d, r * dim, dim);
            }
        }
    }

    /** @return rows per cache block of the batched scans, at least 1. */
    static int blockRows(int dim) {
        return Math.max(1, BLOCK_FLOATS / Math.max(1, dim));
    }

    /** @return dot product; the {@code IP} distance. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
        return IMPL.dot(a, aOff, VectorData.of(b), bOff, dim);
    }

    /** @return squared Euclidean distance; the {@code L2} distance. */
    public static float squareDistance(float[] a, int aOff, float[] b, int bOff, int dim) {
        return IMPL.squareDistance(a, aOff, VectorData.of(b), bOff, dim);
    }

    /** Dot product of {@code a[aOff..]} with floats {@code [bOff, bOff + dim)} of {@code b}. */
    static float dot(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return IMPL.dot(a, aOff, b, bOff, dim);
    }

    /** Squared Euclidean distance of {@code a[aOff..]} to floats {@code [bOff, bOff + dim)} of {@code b}. */
    static float squareDistance(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return IMPL.squareDistance(a, aOff, b, bOff, dim);
    }

    /** Dot product for the graph walk and build, which only compare it; see {@link VectorKernel#dotWalk}. */
    static float dotWalk(float[] a, VectorData b, int bOff, int dim) {
        return IMPL.dotWalk(a, 0, b, bOff, dim);
    }

    /** Squared L2 distance for the graph walk and build; see {@link VectorKernel#squareDistanceWalk}. */
    static float squareDistanceWalk(float[] a, VectorData b, int bOff, int dim) {
        return IMPL.squareDistanceWalk(a, 0, b, bOff, dim);
    }

    /** Squared L2 distances to four rows at once (graph walk); see {@link VectorKernel#squareDistances4}. */
    static void squareDistances4(float[] q, VectorData d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        IMPL.squareDistances4(q, d, o0, o1, o2, o3, dim, out);
    }

    /** Dot products with four rows at once (graph walk); see {@link VectorKernel#dots4}. */
    static void dots4(float[] q, VectorData d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        IMPL.dots4(q, d, o0, o1, o2, o3, dim, out);
    }

    /**
     * Combines precomputed sums into the cosine similarity; {@code distance(COSINE, a, b)} equals
     * {@code cosine(dot(a, b), dot(a, a), dot(b, b))} exactly, so a scan may keep the norms of its rows.
     *
     * @param dot dot product of the two vectors.
     * @param aSquares dot product of the first vector with itself.
     * @param bSquares dot product of the second vector with itself.
     * @return cosine similarity in {@code [-1, 1]}; {@code 0} when a norm is 0.
     */
    public static float cosine(float dot, float aSquares, float bSquares) {
        if (aSquares == 0 || bSquares == 0)
            return 0;
        float c = (float)(dot / Math.sqrt((double)aSquares * bSquares));
        return c > 1 ? 1 : c < -1 ? -1 : c;
    }
}
