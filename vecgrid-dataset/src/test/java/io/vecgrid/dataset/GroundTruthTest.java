package io.vecgrid.dataset;

import io.vecgrid.api.Metric;
import java.util.Arrays;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GroundTruth} on real subsets against a plain double-precision brute force (fetches the data sets on first
 * use, see {@link Datasets}).
 */
class GroundTruthTest {
    /** Double-precision brute force: ids sorted by (rank key, id). */
    static int[][] bruteForce(Metric metric, float[] base, int n, float[] queries, int q, int dim, int k) {
        int[][] out = new int[q][];
        for (int i = 0; i < q; i++) {
            double[] key = new double[n];
            for (int r = 0; r < n; r++)
                key[r] = rankKey(metric, queries, i * dim, base, r * dim, dim);
            Integer[] ids = new Integer[n];
            for (int r = 0; r < n; r++)
                ids[r] = r;
            Arrays.sort(ids, (a, b) -> key[a] != key[b] ? Double.compare(key[a], key[b]) : Integer.compare(a, b));
            out[i] = new int[k];
            for (int j = 0; j < k; j++)
                out[i][j] = ids[j];
        }
        return out;
    }

    /** Smaller is closer, computed in double. */
    static double rankKey(Metric metric, float[] q, int qo, float[] d, int o, int dim) {
        double dot = 0;
        double nq = 0;
        double nd = 0;
        double l2 = 0;
        for (int j = 0; j < dim; j++) {
            double a = q[qo + j];
            double b = d[o + j];
            dot += a * b;
            nq += a * a;
            nd += b * b;
            l2 += (a - b) * (a - b);
        }
        switch (metric) {
            case L2: return l2;
            case IP: return -dot;
            default: return -(dot / Math.sqrt(nq * nd));
        }
    }

    @Test
    void fashionMnistSubsetEqualsDoubleBruteForceExactly() {
        Dataset ds = Datasets.fashionMnist();
        int n = 2000;
        int q = 20;
        int k = 100;
        float[] base = ds.loadBase(n);
        float[] queries = ds.loadQueries(q);
        int[][] gt = GroundTruth.compute(Metric.L2, base, n, queries, q, ds.dim(), k);
        int[][] bf = bruteForce(Metric.L2, base, n, queries, q, ds.dim(), k);
        // Integer pixels: squared L2 distances are integers below 2^24 here, exact in float whatever the summation
        // order of the kernel, so the two must agree id for id (ties by smaller id).
        for (int i = 0; i < q; i++)
            assertArrayEquals(bf[i], gt[i], "query " + i);
        assertArrayEquals(gt, ds.groundTruth(n, q, k));
    }

    @Test
    void glove100SubsetMatchesDoubleBruteForce() {
        Dataset ds = Datasets.glove100();
        int n = 5000;
        int q = 20;
        int k = 100;
        int dim = ds.dim();
        float[] base = ds.loadBase(n);
        float[] queries = ds.loadQueries(q);
        int[][] gt = GroundTruth.compute(Metric.COSINE, base, n, queries, q, dim, k);
        int[][] bf = bruteForce(Metric.COSINE, base, n, queries, q, dim, k);
        int same = 0;
        for (int i = 0; i < q; i++) {
            assertEquals(k, new HashSet<>(Arrays.stream(gt[i]).boxed().toList()).size(), "distinct ids");
            for (int r = 0; r < k; r++) {
                // Float kernel vs double: rank r's distance must match the exact one up to float rounding.
                double got = rankKey(Metric.COSINE, queries, i * dim, base, gt[i][r] * dim, dim);
                double want = rankKey(Metric.COSINE, queries, i * dim, base, bf[i][r] * dim, dim);
                assertEquals(want, got, 1e-5, "query " + i + " rank " + r);
                if (gt[i][r] == bf[i][r])
                    same++;
            }
        }
        assertTrue(same >= 0.98 * q * k, "ids equal at " + same + " of " + q * k + " ranks");
    }

    @Test
    void duplicatesAreOrderedBySmallerIdAndSingleThreadAgrees() {
        Dataset ds = Datasets.fashionMnist();
        int dim = ds.dim();
        float[] real = ds.loadBase(300);
        // Base = the 300 real images, then the same 300 again: every distance appears twice.
        float[] base = Arrays.copyOf(real, 600 * dim);
        System.arraycopy(real, 0, base, 300 * dim, 300 * dim);
        float[] queries = ds.loadQueries(5);
        int[][] gt = GroundTruth.compute(Metric.L2, base, 600, queries, 5, dim, 10);
        for (int[] row : gt) {
            for (int j = 0; j < 10; j += 2) {
                assertEquals(row[j] + 300, row[j + 1], Arrays.toString(row));
                assertTrue(row[j] < 300);
            }
        }
        assertArrayEquals(gt, GroundTruth.compute(Metric.L2, base, 600, queries, 5, dim, 10, 1, null));
        // A query that is itself a base vector finds itself first, at distance 0.
        int[][] self = GroundTruth.compute(Metric.L2, real, 300, Arrays.copyOfRange(real, 42 * dim, 43 * dim), 1, dim, 1);
        assertEquals(42, self[0][0]);
    }

    @Test
    void recallAndArgumentChecks() {
        int[][] truth = {{1, 2, 3, 4}, {5, 6, 7, 8}};
        int[][] found = {{4, 3, 9, 1}, {5, 6}};
        assertEquals((3 + 2) / 8.0, GroundTruth.recall(truth, found, 4), 1e-12);
        assertEquals(1.0, GroundTruth.recall(truth, truth, 4), 1e-12);
        assertEquals(0.5, GroundTruth.recall(truth, new int[][] {{2, 1}, {7, 7}}, 2), 1e-12);

        float[] v = new float[8];
        assertThrows(IllegalArgumentException.class, () -> GroundTruth.compute(Metric.L2, v, 2, v, 1, 4, 3));
        assertThrows(IllegalArgumentException.class, () -> GroundTruth.compute(Metric.L2, v, 3, v, 1, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> GroundTruth.compute(Metric.L2, v, 2, v, 3, 4, 1));
    }
}
