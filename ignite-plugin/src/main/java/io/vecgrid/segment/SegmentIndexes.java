package io.vecgrid.segment;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VecgridException;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Builds a segment's index once at seal or merge time, over vectors staged in direct memory, and reads it back on
 * every copy without a rebuild, in place in the copy's image.
 */
final class SegmentIndexes {
    private SegmentIndexes() {
    }

    /**
     * @param vectors {@code rows * dim} little-endian floats from index 0.
     * @return the serialized index over {@code rows} vectors (its structure only, not the vectors).
     */
    static byte[] build(CollectionSpec spec, ByteBuffer vectors, int rows) {
        return serialize(VectorIndexes.build(spec.index(), spec.metric(), spec.dimension(), vectors.duplicate().clear(), rows));
    }

    /**
     * As {@link #build(CollectionSpec, ByteBuffer, int)}, starting from the index of {@code seed}, whose row {@code i}
     * is row {@code seedRows[i]} here ({@link VectorIndexes#build(io.vecgrid.api.IndexSpec, io.vecgrid.api.Metric, int,
     * ByteBuffer, int, VectorIndex, int[])}).
     */
    static byte[] build(CollectionSpec spec, ByteBuffer vectors, int rows, SealedSegment seed, int[] seedRows) {
        return serialize(VectorIndexes.build(spec.index(), spec.metric(), spec.dimension(), vectors.duplicate().clear(), rows,
            read(seed), seedRows));
    }

    private static byte[] serialize(VectorIndex idx) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            idx.write(out);
        }
        catch (IOException e) {
            throw new VecgridException("failed to serialize the index of a segment: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /**
     * @return the index the segment's image holds, over the segment's vectors, both read in place (an HNSW graph of
     *      format version 1, written before the in-place layout, is read onto the heap). The index reads the image's
     *      memory: it must not be searched once the segment is freed.
     */
    static VectorIndex read(SealedSegment seg) {
        try {
            return VectorIndexes.read(seg.index(), seg.metric(), seg.dim(), seg.vectors(), seg.rows(), seg.indexBytes());
        }
        catch (IOException | IllegalArgumentException e) {
            throw new VecgridException("segment " + seg.id() + " holds an unreadable index: " + e.getMessage(), e);
        }
    }
}
