package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Index over the vectors of one sealed segment: rows {@code 0..size()-1} of one contiguous {@code float[rows * dim]},
 * or of a little-endian {@code ByteBuffer} of {@code rows * dim * 4} bytes (direct or heap), that the segment owns
 * (the index keeps a reference and never copies or writes it). See {@link VectorIndexes}.
 *
 * <p>Immutable once built or read: any number of threads may search it at once.
 *
 * <p>Search contract, for every implementation:
 * <ul>
 *   <li>Hits come best first with distances in the metric's semantics ({@link Metric}); equal distances by
 *       ascending ordinal. Distances are exact ({@link DistanceKernel#distance}), also for approximate indexes.</li>
 *   <li>{@code accept} selects the rows that may be returned ({@code null}: all rows); it must answer for every
 *       ordinal in {@code [0, size())}, and a jvector {@code BitSet} sized to the rows (as
 *       {@code ScalarFilter.acceptBits} makes) lets a graph index count them cheaply. Rows it rejects are never
 *       returned, and the search returns {@code min(k, accepted rows)} hits: rejected rows are skipped inside the
 *       search, never filtered out of a finished top-k.</li>
 *   <li>{@code ef} is the search beam width of graph indexes, raised to {@code k} when smaller; {@code ef <= 0} takes
 *       the default of the index spec. Exact indexes ignore it.</li>
 *   <li>{@code k <= 0}, a {@code null} query or a query whose length is not the dimension is rejected with
 *       {@link IllegalArgumentException} naming the value.</li>
 * </ul>
 */
public interface VectorIndex {
    /** @return FLAT or HNSW. */
    IndexType type();

    /** @return metric the distances follow. */
    Metric metric();

    /** @return vector dimension. */
    int dimension();

    /** @return number of indexed rows. */
    int size();

    /**
     * @param query query vector of length {@link #dimension()}.
     * @param k number of hits wanted, {@code > 0}.
     * @param ef search beam width (graph indexes); {@code <= 0} for the spec default.
     * @param accept rows that may be returned; {@code null} for all.
     * @return up to {@code k} hits, best first.
     */
    SearchHits search(float[] query, int k, int ef, Bits accept);

    /**
     * Searches several queries with the same parameters. The flat index scores every query against a block of rows
     * while the block is in cache (one pass over the vectors); graph indexes run the queries one after another.
     *
     * @return one result per query, in query order.
     */
    SearchHits[] search(float[][] queries, int k, int ef, Bits accept);

    /**
     * Writes the index structure, never the vectors: a header (format version, type, metric, dimension, rows) and,
     * for graph indexes, the graph, laid out so that it can be searched in place ({@link IndexFormat}). Any
     * {@link VectorIndexes} {@code read} loads it back over the same vectors, from a stream or in place from a buffer.
     */
    void write(DataOutput out) throws IOException;

    /**
     * @return bytes on the Java heap held by the index structure, excluding the vectors it searches: a graph built
     *      here or read from a stream or heap buffer counts; a graph viewed in place in a direct buffer does not.
     */
    long ramBytesUsed();

    /**
     * @return bytes outside the Java heap that the index structure reads in place (a graph viewed in a direct
     *      buffer), excluding the vectors; the caller owns that memory (it is a part of its buffer).
     */
    long offHeapBytesUsed();
}
