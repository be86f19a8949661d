package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.Metric;

/**
 * What every index shares: the vectors it searches, argument checks, and the exact scan (the flat index's only
 * path, the graph index's path for very selective filters). Immutable; thread-safe.
 */
abstract class BaseIndex implements VectorIndex {
    final Metric metric;
    final int dim;
    final int rows;
    final VectorData data;
    final FlatScan flat;

    BaseIndex(FlatScan flat, Metric metric, int dim, VectorData data, int rows) {
        this.metric = metric;
        this.dim = dim;
        this.rows = rows;
        this.data = data;
        this.flat = flat;
    }

    @Override public Metric metric() {
        return metric;
    }

    @Override public int dimension() {
        return dim;
    }

    @Override public int size() {
        return rows;
    }

    final void checkQuery(float[] query) {
        if (query == null)
            throw new IllegalArgumentException("query vector must not be null");
        if (query.length != dim)
            throw new IllegalArgumentException("query vector length " + query.length + " differs from the index dimension " + dim);
    }

    static void checkK(int k) {
        if (k <= 0)
            throw new IllegalArgumentException("k must be positive, got " + k);
    }

    final void checkQueries(float[][] queries) {
        if (queries == null)
            throw new IllegalArgumentException("queries must not be null");
        for (int i = 0; i < queries.length; i++) {
            if (queries[i] == null)
                throw new IllegalArgumentException("query " + i + " must not be null");
            if (queries[i].length != dim)
                throw new IllegalArgumentException("query " + i + " vector length " + queries[i].length + " differs from the index dimension " + dim);
        }
    }

    /** Exact top-k of the accepted rows. */
    final SearchHits exactSearch(float[] query, int k, Bits accept) {
        if (rows == 0)
            return SearchHits.EMPTY;
        TopKHeap heap = new TopKHeap(Math.min(k, rows));
        flat.scan(query, accept, heap);
        return heap.drain(metric);
    }

    /** Exact top-k of the accepted rows for every query, one pass over the vectors. */
    final SearchHits[] exactSearch(float[][] queries, int k, Bits accept) {
        SearchHits[] res = new SearchHits[queries.length];
        if (rows == 0) {
            java.util.Arrays.fill(res, SearchHits.EMPTY);
            return res;
        }
        TopKHeap[] heaps = new TopKHeap[queries.length];
        for (int i = 0; i < heaps.length; i++)
            heaps[i] = new TopKHeap(Math.min(k, rows));
        flat.scanBatch(queries, accept, heaps);
        for (int i = 0; i < heaps.length; i++)
            res[i] = heaps[i].drain(metric);
        return res;
    }

    @Override public String toString() {
        return getClass().getSimpleName() + "(metric=" + metric + ", dim=" + dim + ", rows=" + rows
            + (data.isDirect() ? ", vectors off-heap" : "") + ")";
    }
}
