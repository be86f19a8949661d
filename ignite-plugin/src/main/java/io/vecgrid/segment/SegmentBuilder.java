package io.vecgrid.segment;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ScalarField;
import io.vecgrid.shard.GrowingRow;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Builds a {@link SealedSegment} (columns and index) from a snapshot of growing rows. Stateless. */
public final class SegmentBuilder {
    private SegmentBuilder() {
    }

    /**
     * @return the segment, owning its direct memory: the caller frees it ({@link SealedSegment#free()}) once written.
     */
    public static SealedSegment build(long id, int shard, CollectionSpec spec, List<GrowingRow> snapshot, int chunkBytes) {
        List<GrowingRow> rows = new ArrayList<>(snapshot);
        rows.sort(Comparator.comparingLong(GrowingRow::pk));
        int n = rows.size();
        int dim = spec.dimension();
        long[] pks = new long[n];
        List<ScalarField> fields = spec.scalarFields();
        Object[][] cols = new Object[fields.size()][n];
        // The vectors are staged in direct memory (64-byte aligned, as in the image) and the index is built over them
        // there: no heap array of the whole segment's vectors.
        long vecBytes = 4L * n * dim;
        ByteBuffer owner = DirectBuffers.allocateAligned(vecBytes);
        try {
            ByteBuffer vectors = DirectBuffers.aligned(owner, vecBytes);
            FloatBuffer floats = vectors.asFloatBuffer();
            for (int i = 0; i < n; i++) {
                GrowingRow r = rows.get(i);
                pks[i] = r.pk();
                floats.put(i * dim, r.vector());
                for (int c = 0; c < cols.length; c++)
                    cols[c][i] = r.scalars()[c];
            }
            ScalarColumn[] scalars = new ScalarColumn[fields.size()];
            for (int c = 0; c < scalars.length; c++)
                scalars[c] = ScalarColumn.of(fields.get(c).type(), cols[c]);
            byte[] index = SegmentIndexes.build(spec, vectors, n);
            return SealedSegment.assemble(id, shard, dim, spec.metric(), spec.index(), pks, vectors, scalars, index, chunkBytes);
        }
        finally {
            DirectBuffers.free(owner);
        }
    }
}
