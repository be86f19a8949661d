package io.vecgrid.segment;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ScalarField;
import io.vecgrid.shard.GrowingRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Builds a {@link SealedSegment} (columns and index) from a snapshot of growing rows. Stateless. */
public final class SegmentBuilder {
    private SegmentBuilder() {
    }

    public static SealedSegment build(long id, int shard, CollectionSpec spec, List<GrowingRow> snapshot) {
        List<GrowingRow> rows = new ArrayList<>(snapshot);
        rows.sort(Comparator.comparingLong(GrowingRow::pk));
        int n = rows.size();
        int dim = spec.dimension();
        long[] pks = new long[n];
        float[] vectors = new float[n * dim];
        List<ScalarField> fields = spec.scalarFields();
        Object[][] cols = new Object[fields.size()][n];
        for (int i = 0; i < n; i++) {
            GrowingRow r = rows.get(i);
            pks[i] = r.pk();
            System.arraycopy(r.vector(), 0, vectors, i * dim, dim);
            for (int c = 0; c < cols.length; c++)
                cols[c][i] = r.scalars()[c];
        }
        ScalarColumn[] scalars = new ScalarColumn[fields.size()];
        for (int c = 0; c < scalars.length; c++)
            scalars[c] = ScalarColumn.of(fields.get(c).type(), cols[c]);
        byte[] index = SegmentIndexes.build(spec, vectors, n);
        return new SealedSegment(id, shard, dim, spec.metric(), spec.index(), pks, vectors, scalars, index);
    }
}
