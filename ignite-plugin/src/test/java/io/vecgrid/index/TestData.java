package io.vecgrid.index;

import io.vecgrid.api.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generated vectors and an exact oracle for the index tests. */
final class TestData {
    private TestData() {
    }

    /** Rows drawn around {@code clusters} random centres (non-uniform, like real embeddings), row-major. */
    static float[] clustered(Random rnd, int rows, int dim, int clusters, double spread) {
        float[][] centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++)
                c[i] = (float)(rnd.nextDouble() * 2 - 1);
        }
        float[] data = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            float[] c = centres[rnd.nextInt(clusters)];
            double scale = 0.5 + rnd.nextDouble();
            for (int i = 0; i < dim; i++)
                data[r * dim + i] = (float)(c[i] * scale + rnd.nextGaussian() * spread);
        }
        return data;
    }

    /** The floats little-endian in a new direct buffer (or heap buffer) at byte {@code at} of it, sliced there. */
    static java.nio.ByteBuffer buffer(float[] data, boolean direct, int at) {
        java.nio.ByteBuffer b = direct ? java.nio.ByteBuffer.allocateDirect(at + 4 * data.length) : java.nio.ByteBuffer.allocate(at + 4 * data.length);
        b.position(at);
        java.nio.ByteBuffer s = b.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        s.asFloatBuffer().put(data);
        return s;
    }

    /** Bytes copied into a new direct buffer at byte {@code at}, the returned buffer's position there. */
    static java.nio.ByteBuffer direct(byte[] bytes, int at) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(at + bytes.length + 16);
        b.position(at);
        b.put(bytes);
        b.position(at);
        return b;
    }

    static float[] row(float[] data, int r, int dim) {
        float[] v = new float[dim];
        System.arraycopy(data, r * dim, v, 0, dim);
        return v;
    }

    /** Queries: perturbed copies of random rows. */
    static float[][] queries(Random rnd, float[] data, int rows, int dim, int n, double noise) {
        float[][] q = new float[n][];
        for (int i = 0; i < n; i++) {
            q[i] = row(data, rnd.nextInt(rows), dim);
            for (int j = 0; j < dim; j++)
                q[i][j] += (float)(rnd.nextGaussian() * noise);
        }
        return q;
    }

    /** Exact top-k through DistanceKernel.distance, ordered by (rank key, ordinal). */
    static SearchHits bruteForce(Metric metric, float[] data, int rows, int dim, float[] q, int k, java.util.function.IntPredicate accept) {
        List<long[]> all = new ArrayList<>();
        float[] dist = new float[rows];
        List<Integer> ids = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            if (accept != null && !accept.test(r))
                continue;
            dist[r] = DistanceKernel.distance(metric, q, 0, data, r * dim, dim);
            ids.add(r);
        }
        ids.sort((a, b) -> {
            float ka = metric.rankKey(dist[a]), kb = metric.rankKey(dist[b]);
            return ka < kb ? -1 : ka > kb ? 1 : Integer.compare(a, b);
        });
        int n = Math.min(k, ids.size());
        int[] o = new int[n];
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            o[i] = ids.get(i);
            d[i] = dist[o[i]];
        }
        return new SearchHits(o, d, n);
    }

    static double recall(SearchHits truth, SearchHits got) {
        java.util.Set<Integer> t = new java.util.HashSet<>();
        for (int i = 0; i < truth.size(); i++)
            t.add(truth.ordinal(i));
        int hit = 0;
        for (int i = 0; i < got.size(); i++) {
            if (t.contains(got.ordinal(i)))
                hit++;
        }
        return truth.size() == 0 ? 1 : (double)hit / truth.size();
    }
}
