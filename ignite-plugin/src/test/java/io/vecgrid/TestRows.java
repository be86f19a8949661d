package io.vecgrid;

import io.vecgrid.api.VectorRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Deterministic rows for write-path and failover tests (recall tests use real data sets instead): vector component
 * {@code j} of row {@code pk} is a smooth function of both, scalars derive from the key.
 */
public final class TestRows {
    private TestRows() {
    }

    public static float[] vector(long pk, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++)
            v[j] = (float)Math.sin(pk * 0.37 + j * 1.3) + (pk % 7) * 0.1f;
        return v;
    }

    /** Rows {@code from .. from+n-1} with scalar fields {@code tag} (LONG) and {@code name} (STRING). */
    public static List<VectorRow> rows(long from, int n, int dim) {
        List<VectorRow> rows = new ArrayList<>(n);
        for (long pk = from; pk < from + n; pk++)
            rows.add(new VectorRow(pk, vector(pk, dim), Map.of("tag", pk % 10, "name", "row-" + pk)));
        return rows;
    }

    public static long[] pks(long from, int n) {
        long[] res = new long[n];
        for (int i = 0; i < n; i++)
            res[i] = from + i;
        return res;
    }
}
