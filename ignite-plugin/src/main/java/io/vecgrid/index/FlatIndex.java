package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Exact index: every search scans all accepted rows through the distance kernel into a top-k heap. Results equal an
 * exact oracle built on {@link DistanceKernel#distance}, ordinals and distances. Immutable; thread-safe. Its
 * serialized form is the header alone.
 */
final class FlatIndex extends BaseIndex {
    FlatIndex(Metric metric, int dim, VectorData data, int rows) {
        super(new FlatScan(metric, data, dim, rows), metric, dim, data, rows);
    }

    @Override public IndexType type() {
        return IndexType.FLAT;
    }

    @Override public SearchHits search(float[] query, int k, int ef, Bits accept) {
        checkQuery(query);
        checkK(k);
        return exactSearch(query, k, accept);
    }

    @Override public SearchHits[] search(float[][] queries, int k, int ef, Bits accept) {
        checkQueries(queries);
        checkK(k);
        return exactSearch(queries, k, accept);
    }

    @Override public void write(DataOutput out) throws IOException {
        IndexFormat.writeHeader(out, IndexType.FLAT, metric, dim, rows);
    }

    @Override public long ramBytesUsed() {
        return 32 + 40 + flat.ramBytesUsed();
    }

    @Override public long offHeapBytesUsed() {
        return 0;
    }
}
