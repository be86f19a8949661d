package io.vecgrid.index;

import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataInput;
import java.io.IOException;
import java.util.concurrent.ForkJoinPool;

/**
 * Builds and loads {@link VectorIndex}es over a segment's vectors: rows {@code 0..rows-1} of one contiguous
 * {@code float[]}, row {@code r} at offset {@code r * dim}. The index keeps a reference to the array; the caller
 * must not change it afterwards. Stateless, thread-safe.
 */
public final class VectorIndexes {
    private VectorIndexes() {
    }

    /**
     * Builds an index; graph builds run on a shared pool of one thread per processor.
     *
     * @throws IllegalArgumentException if an argument is null, {@code dim <= 0}, {@code rows < 0}, or
     *      {@code vectors} holds fewer than {@code rows * dim} floats.
     */
    public static VectorIndex build(IndexSpec spec, Metric metric, int dim, float[] vectors, int rows) {
        return build(spec, metric, dim, vectors, rows, BuildPool.get());
    }

    /** Builds an index; a graph build runs its insertions on {@code pool}. */
    public static VectorIndex build(IndexSpec spec, Metric metric, int dim, float[] vectors, int rows, ForkJoinPool pool) {
        check(spec, metric, dim, vectors, rows);
        if (pool == null)
            throw new IllegalArgumentException("build pool must not be null");
        if (spec.type() == IndexType.FLAT)
            return new FlatIndex(metric, dim, vectors, rows);
        return HnswIndex.build(spec, metric, dim, vectors, rows, pool);
    }

    /**
     * Loads an index written by {@link VectorIndex#write} over the same vectors, without rebuilding anything: the
     * result answers every search exactly as the written index did. The search-time default {@code ef} comes from
     * {@code spec}.
     *
     * @throws IOException if the bytes are not an index of {@code spec}'s type, metric, dimension and row count, or
     *      are corrupt.
     */
    public static VectorIndex read(IndexSpec spec, Metric metric, int dim, float[] vectors, int rows, DataInput in) throws IOException {
        check(spec, metric, dim, vectors, rows);
        if (in == null)
            throw new IllegalArgumentException("input must not be null");
        IndexFormat.readHeader(in, spec.type(), metric, dim, rows);
        if (spec.type() == IndexType.FLAT)
            return new FlatIndex(metric, dim, vectors, rows);
        return HnswIndex.read(spec, metric, dim, vectors, rows, in);
    }

    private static void check(IndexSpec spec, Metric metric, int dim, float[] vectors, int rows) {
        if (spec == null)
            throw new IllegalArgumentException("index spec must not be null");
        if (metric == null)
            throw new IllegalArgumentException("metric must not be null");
        if (dim <= 0)
            throw new IllegalArgumentException("dimension must be positive, got " + dim);
        if (rows < 0)
            throw new IllegalArgumentException("rows must not be negative, got " + rows);
        if (vectors == null)
            throw new IllegalArgumentException("vectors must not be null");
        if ((long)rows * dim > vectors.length)
            throw new IllegalArgumentException("vectors hold " + vectors.length + " floats, " + rows + " rows of dimension "
                + dim + " need " + (long)rows * dim);
    }
}
