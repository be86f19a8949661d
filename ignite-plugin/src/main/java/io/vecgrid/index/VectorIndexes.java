package io.vecgrid.index;

import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ForkJoinPool;

/**
 * Builds and loads {@link VectorIndex}es over a segment's vectors: rows {@code 0..rows-1}, row {@code r} at float
 * {@code r * dim}, held either in one contiguous {@code float[]} or in a {@link ByteBuffer} of little-endian floats.
 * The index keeps a reference to the array or a view of the buffer and never copies or writes it; the caller must
 * not change the vectors afterwards (nor the index bytes a graph was viewed in place from, nor free their memory while
 * the index is in use). Stateless, thread-safe.
 *
 * <p>Vector buffers: direct or heap; the vectors are the {@code rows * dim * 4} bytes from the buffer's position
 * (a slice whose position 0 is row 0), whatever the buffer's own byte order; its position, limit and order are never
 * changed. They must start at a 4-byte aligned address; rows that start on 64-byte boundaries (the buffer 64-byte
 * aligned and {@code dim * 4} a multiple of 64, as for 784-d vectors) are read in the fewest cache lines. Searches
 * over a direct buffer run as fast as over a {@code float[]} (docs/benchmarks.md) and keep the vectors off the Java
 * heap.
 *
 * <p>Index buffers ({@link #read(IndexSpec, Metric, int, ByteBuffer, int, ByteBuffer)}): the bytes
 * {@link VectorIndex#write} wrote, from the buffer's position; the graph is searched in place (a direct buffer keeps
 * it off the heap; the index then holds only small objects, {@link VectorIndex#ramBytesUsed()}).
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
        check(spec, metric, dim, rows);
        return build(spec, metric, dim, array(vectors, rows, dim), rows, pool);
    }

    /**
     * Builds an index over little-endian vectors in a buffer (see the class comment); graph builds run on a shared
     * pool of one thread per processor. The build reads the rows where they are: no copy of the vectors is made.
     *
     * @throws IllegalArgumentException if an argument is null, {@code dim <= 0}, {@code rows < 0}, or
     *      {@code vectors} holds fewer than {@code rows * dim * 4} bytes from its position or is not 4-byte aligned
     *      (the message names the expected size).
     */
    public static VectorIndex build(IndexSpec spec, Metric metric, int dim, ByteBuffer vectors, int rows) {
        return build(spec, metric, dim, vectors, rows, BuildPool.get());
    }

    /** As {@link #build(IndexSpec, Metric, int, ByteBuffer, int)}; a graph build runs its insertions on {@code pool}. */
    public static VectorIndex build(IndexSpec spec, Metric metric, int dim, ByteBuffer vectors, int rows, ForkJoinPool pool) {
        check(spec, metric, dim, rows);
        return build(spec, metric, dim, VectorData.ofVectors(vectors, rows, dim), rows, pool);
    }

    /**
     * As {@link #build(IndexSpec, Metric, int, ByteBuffer, int)}, starting from the graph of {@code seed}, an index over
     * some of the same rows: row {@code i} of {@code seed} is row {@code seedRows[i]} of {@code vectors} (the same
     * vector), or is dropped where that is -1 (a deleted row: the lists that named it are chosen again around it).
     * Its rows keep their places in its graph and only the others are inserted, so a merge of segments costs the
     * insertion of the rows its largest source lacks, not a build of every row. Without a usable seed (not an
     * HNSW index of the same M, metric and dimension, or {@code spec} not HNSW) it builds from nothing.
     *
     * @throws IllegalArgumentException as {@link #build(IndexSpec, Metric, int, ByteBuffer, int)}, or if
     *      {@code seedRows} does not hold {@code seed.size()} entries, each -1 or a row below {@code rows} named once.
     */
    public static VectorIndex build(IndexSpec spec, Metric metric, int dim, ByteBuffer vectors, int rows, VectorIndex seed,
        int[] seedRows) {
        check(spec, metric, dim, rows);
        VectorData data = VectorData.ofVectors(vectors, rows, dim);
        if (spec.type() == IndexType.FLAT || !(seed instanceof HnswIndex) || ((HnswIndex)seed).m() != spec.m()
            || seed.metric() != metric || seed.dimension() != dim)
            return build(spec, metric, dim, data, rows, BuildPool.get());
        if (seedRows == null || seedRows.length != seed.size())
            throw new IllegalArgumentException("seedRows: " + (seedRows == null ? "null" : seedRows.length + " rows")
                + " for a seed index of " + seed.size() + " rows");
        boolean[] seen = new boolean[rows];
        for (int r : seedRows) {
            if (r < -1 || r >= rows || (r >= 0 && seen[r]))
                throw new IllegalArgumentException("seedRows: row " + r + " is out of [-1, " + rows + ") or named twice");
            if (r >= 0)
                seen[r] = true;
        }
        return HnswIndex.build(spec, metric, dim, data, rows, BuildPool.get(), (HnswIndex)seed, seedRows);
    }

    private static VectorIndex build(IndexSpec spec, Metric metric, int dim, VectorData vectors, int rows, ForkJoinPool pool) {
        if (pool == null)
            throw new IllegalArgumentException("build pool must not be null");
        if (spec.type() == IndexType.FLAT)
            return new FlatIndex(metric, dim, vectors, rows);
        return HnswIndex.build(spec, metric, dim, vectors, rows, pool);
    }

    /**
     * Loads an index written by {@link VectorIndex#write} over the same vectors, without rebuilding anything: the
     * result answers every search exactly as the written index did. The search-time default {@code ef} comes from
     * {@code spec}. The graph is read onto the heap.
     *
     * @throws IOException if the bytes are not an index of {@code spec}'s type, metric, dimension and row count, or
     *      are corrupt.
     */
    public static VectorIndex read(IndexSpec spec, Metric metric, int dim, float[] vectors, int rows, DataInput in) throws IOException {
        check(spec, metric, dim, rows);
        return read(spec, metric, dim, array(vectors, rows, dim), rows, in);
    }

    /** As {@link #read(IndexSpec, Metric, int, float[], int, DataInput)}, over little-endian vectors in a buffer. */
    public static VectorIndex read(IndexSpec spec, Metric metric, int dim, ByteBuffer vectors, int rows, DataInput in) throws IOException {
        check(spec, metric, dim, rows);
        return read(spec, metric, dim, VectorData.ofVectors(vectors, rows, dim), rows, in);
    }

    /**
     * Loads an index from the bytes {@link VectorIndex#write} wrote, found at {@code index}'s position (its position,
     * limit and order are not changed; bytes after the index are ignored), over little-endian vectors in a buffer.
     * Nothing is copied: the graph is searched in place in {@code index}, so with direct buffers the loaded index
     * holds only small objects on the heap. Every bound in the graph is checked here (one pass over it), so corrupt
     * bytes fail here, never inside a search.
     *
     * @throws IllegalArgumentException for bad arguments, as {@link #build(IndexSpec, Metric, int, ByteBuffer, int)}.
     * @throws IOException if the bytes are not an index of {@code spec}'s type, metric, dimension and row count, or
     *      are corrupt or truncated.
     */
    public static VectorIndex read(IndexSpec spec, Metric metric, int dim, ByteBuffer vectors, int rows, ByteBuffer index) throws IOException {
        check(spec, metric, dim, rows);
        return read(spec, metric, dim, VectorData.ofVectors(vectors, rows, dim), rows, index);
    }

    /** As {@link #read(IndexSpec, Metric, int, ByteBuffer, int, ByteBuffer)}, over vectors in an array. */
    public static VectorIndex read(IndexSpec spec, Metric metric, int dim, float[] vectors, int rows, ByteBuffer index) throws IOException {
        check(spec, metric, dim, rows);
        return read(spec, metric, dim, array(vectors, rows, dim), rows, index);
    }

    private static VectorIndex read(IndexSpec spec, Metric metric, int dim, VectorData vectors, int rows, DataInput in) throws IOException {
        if (in == null)
            throw new IllegalArgumentException("input must not be null");
        int version = IndexFormat.readHeader(in, spec.type(), metric, dim, rows);
        if (spec.type() == IndexType.FLAT)
            return new FlatIndex(metric, dim, vectors, rows);
        return HnswIndex.read(spec, metric, dim, vectors, rows, in, version);
    }

    private static VectorIndex read(IndexSpec spec, Metric metric, int dim, VectorData vectors, int rows, ByteBuffer index) throws IOException {
        if (index == null)
            throw new IllegalArgumentException("index buffer must not be null");
        int version = IndexFormat.readHeader(index, spec.type(), metric, dim, rows);
        if (spec.type() == IndexType.FLAT)
            return new FlatIndex(metric, dim, vectors, rows);
        if (version == IndexFormat.VERSION_1) {
            // Written before the in-place layout: read onto the heap as from a stream.
            ByteBuffer b = index.duplicate();
            b.position(b.position() + IndexFormat.HEADER_BYTES);
            return HnswIndex.read(spec, metric, dim, vectors, rows, new DataInputStream(new ByteBufferInputStream(b)), version);
        }
        return HnswIndex.read(spec, metric, dim, vectors, rows, index);
    }

    /** Reads a buffer from its position on without moving the caller's position (the buffer is a duplicate). */
    private static final class ByteBufferInputStream extends java.io.InputStream {
        private final ByteBuffer b;

        ByteBufferInputStream(ByteBuffer b) {
            this.b = b;
        }

        @Override public int read() {
            return b.hasRemaining() ? b.get() & 0xff : -1;
        }

        @Override public int read(byte[] dst, int off, int len) {
            if (len == 0)
                return 0;
            if (!b.hasRemaining())
                return -1;
            int n = Math.min(len, b.remaining());
            b.get(dst, off, n);
            return n;
        }
    }

    private static VectorData array(float[] vectors, int rows, int dim) {
        if (vectors == null)
            throw new IllegalArgumentException("vectors must not be null");
        if ((long)rows * dim > vectors.length)
            throw new IllegalArgumentException("vectors hold " + vectors.length + " floats, " + rows + " rows of dimension "
                + dim + " need " + (long)rows * dim);
        return VectorData.of(vectors);
    }

    private static void check(IndexSpec spec, Metric metric, int dim, int rows) {
        if (spec == null)
            throw new IllegalArgumentException("index spec must not be null");
        if (metric == null)
            throw new IllegalArgumentException("metric must not be null");
        if (dim <= 0)
            throw new IllegalArgumentException("dimension must be positive, got " + dim);
        if (rows < 0)
            throw new IllegalArgumentException("rows must not be negative, got " + rows);
    }
}
