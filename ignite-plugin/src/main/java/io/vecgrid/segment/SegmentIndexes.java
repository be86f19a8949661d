package io.vecgrid.segment;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VecgridException;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Builds a segment's index once at seal time, and reads it back on every copy without a rebuild. */
final class SegmentIndexes {
    private SegmentIndexes() {
    }

    /** @return the serialized index over {@code rows} vectors (its structure only, not the vectors). */
    static byte[] build(CollectionSpec spec, float[] vectors, int rows) {
        VectorIndex idx = VectorIndexes.build(spec.index(), spec.metric(), spec.dimension(), vectors, rows);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            idx.write(out);
        }
        catch (IOException e) {
            throw new VecgridException("failed to serialize the index of a segment: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** @return the index the segment's bytes hold, over the segment's vectors. */
    static VectorIndex read(SealedSegment seg) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(seg.indexBytes()))) {
            return VectorIndexes.read(seg.index(), seg.metric(), seg.dim(), seg.vectors(), seg.rows(), in);
        }
        catch (IOException e) {
            throw new VecgridException("segment " + seg.id() + " holds an unreadable index: " + e.getMessage(), e);
        }
    }
}
