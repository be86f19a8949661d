package io.vecgrid.segment;

import io.vecgrid.api.CollectionSpec;

/** Builds the serialized index of a segment. FLAT needs none; HNSW is built through the index package. */
final class SegmentIndexes {
    private SegmentIndexes() {
    }

    static byte[] build(CollectionSpec spec, float[] vectors, int rows) {
        return new byte[0];
    }
}
