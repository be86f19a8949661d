package io.vecgrid.search;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.filter.ScalarColumns;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;
import io.vecgrid.shard.GrowingRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rows a shard leader scans as growing for one target version, laid out for the flat kernel: primary keys
 * ascending, vectors contiguous, scalars per row. Built from {@code ShardRows} and reused while neither the rows nor
 * the target change. Immutable.
 */
final class GrowingSnapshot implements ScalarColumns {
    final long modCount;
    final long targetVersion;
    final long builtNanos;
    final long[] pks;
    final float[] vectors;
    final Object[][] scalars;
    final VectorIndex index;

    private GrowingSnapshot(long modCount, long targetVersion, long[] pks, float[] vectors, Object[][] scalars,
        VectorIndex index) {
        this.modCount = modCount;
        this.targetVersion = targetVersion;
        this.builtNanos = System.nanoTime();
        this.pks = pks;
        this.vectors = vectors;
        this.scalars = scalars;
        this.index = index;
    }

    static GrowingSnapshot build(CollectionSpec spec, long modCount, long targetVersion, List<GrowingRow> rows) {
        List<GrowingRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(GrowingRow::pk));
        int n = sorted.size();
        int dim = spec.dimension();
        long[] pks = new long[n];
        float[] vectors = new float[n * dim];
        Object[][] scalars = new Object[n][];
        for (int i = 0; i < n; i++) {
            GrowingRow r = sorted.get(i);
            pks[i] = r.pk();
            System.arraycopy(r.vector(), 0, vectors, i * dim, dim);
            scalars[i] = r.scalars();
        }
        VectorIndex idx = n == 0 ? null : VectorIndexes.build(IndexSpec.flat(), spec.metric(), dim, vectors, n);
        return new GrowingSnapshot(modCount, targetVersion, pks, vectors, scalars, idx);
    }

    int rows() {
        return pks.length;
    }

    @Override public long longValue(int col, int row) {
        return ((Number)scalars[row][col]).longValue();
    }

    @Override public double doubleValue(int col, int row) {
        return ((Number)scalars[row][col]).doubleValue();
    }

    @Override public boolean booleanValue(int col, int row) {
        return (Boolean)scalars[row][col];
    }

    @Override public String stringValue(int col, int row) {
        return (String)scalars[row][col];
    }

    @Override public boolean isNull(int col, int row) {
        return scalars[row][col] == null;
    }
}
