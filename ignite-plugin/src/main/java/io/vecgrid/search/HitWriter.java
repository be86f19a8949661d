package io.vecgrid.search;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.index.SearchHits;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/** Collects a job's hits, with the requested output fields, into a {@link PartialHits}. Not thread-safe. */
final class HitWriter {
    private final int[] scalarCols;
    private final boolean withVector;
    private final int dim;
    private final int[] counts;
    private final long[] pks;
    private final float[] distances;
    private final Object[][] fields;
    private final float[][] vectors;
    private int n;

    HitWriter(CollectionSpec spec, List<String> outputFields, int nq, SearchHits[] hits) {
        int total = 0;
        counts = new int[nq];
        for (int q = 0; q < nq; q++) {
            counts[q] = hits[q].size();
            total += counts[q];
        }
        pks = new long[total];
        distances = new float[total];
        boolean vec = false;
        int[] cols = new int[outputFields.size()];
        int c = 0;
        for (String f : outputFields) {
            if (f.equals(spec.vectorField()))
                vec = true;
            else if (spec.scalarIndex(f) >= 0)
                cols[c++] = spec.scalarIndex(f);
        }
        scalarCols = Arrays.copyOf(cols, c);
        withVector = vec;
        dim = spec.dimension();
        fields = scalarCols.length == 0 ? null : new Object[total][];
        vectors = withVector ? new float[total][] : null;
    }

    /**
     * @param scalar value of a scalar column of this hit's row, by column index.
     * @param vecs contiguous vectors the row's vector is in.
     * @param ord row's position in {@code vecs}.
     */
    void add(long pk, float distance, IntFunction<Object> scalar, float[] vecs, int ord) {
        pks[n] = pk;
        distances[n] = distance;
        if (fields != null) {
            Object[] vals = new Object[scalarCols.length];
            for (int i = 0; i < vals.length; i++)
                vals[i] = scalar.apply(scalarCols[i]);
            fields[n] = vals;
        }
        if (vectors != null)
            vectors[n] = Arrays.copyOfRange(vecs, ord * dim, ord * dim + dim);
        n++;
    }

    PartialHits build(long segmentId, int shard, List<SegmentRef> leaderSegments, long leaderTargetVersion) {
        assert n == pks.length;
        return new PartialHits(segmentId, shard, false, counts, pks, distances, fields, vectors, leaderSegments,
            leaderTargetVersion);
    }
}
