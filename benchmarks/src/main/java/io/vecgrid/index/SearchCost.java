package io.vecgrid.index;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.Metric;
import java.util.Arrays;

/**
 * Benchmark-only look inside an HNSW segment search (this package, to reach the graph and the walk's kernels): where a
 * query's time goes. It counts the rows each query's walk scores and records a replay set of rows (those jvector's own
 * searcher scores over the same graph), then times (1) the real searches, per row the walk scored, (2) the replayed
 * rows scored alone, one row at a time, and (3) the same rows four at a time with the walk's own interleaved kernel
 * ({@link GraphWalk}), which keeps four independent row streams in flight (what hnswlib gets from its software
 * prefetch, which Java lacks). A row is scored as the walk scores it: L2 its squared distance, IP its dot product,
 * COSINE its dot product combined with the query's and the row's precomputed squared norms. The difference between
 * (1) and (3) is the walk's own cost; between (2) and (3) what memory-level parallelism saves.
 */
public final class SearchCost {
    private SearchCost() {
    }

    /**
     * @return {scored rows per query, ns per scored row in the search, ns per row one at a time, ns per row four
     *     interleaved}, each the best of {@code reps} repetitions.
     */
    public static double[] measure(VectorIndex index, float[] data, int dim, float[][] queries, int k, int ef, int reps) {
        if (!(index instanceof HnswIndex))
            throw new IllegalArgumentException("an HNSW index is needed, got " + index.type());
        HnswIndex idx = (HnswIndex)index;
        Metric metric = index.metric();
        VectorData rows = VectorData.of(data);
        float[] squares = metric == Metric.COSINE ? FlatScan.squares(rows, dim, data.length / dim) : null;
        GraphSearcher searcher = new GraphSearcher(idx.graph());
        Recorder rec = new Recorder(metric, data, dim);
        int nq = queries.length;
        int[][] visits = new int[nq][];
        long total = 0;
        for (int i = 0; i < nq; i++) {
            // Rows to replay: those jvector's own searcher scores over the same graph (the same kind of rows, at
            // random places, in about the same number as the walk's).
            rec.reset(queries[i]);
            searcher.search(rec, k, Math.max(k, ef), 0f, 0f, Bits.ALL);
            visits[i] = Arrays.copyOf(rec.log, rec.n);
            total += idx.scoredRows(queries[i], k, ef);
        }
        long replayed = 0;
        for (int[] v : visits)
            replayed += v.length;
        double bestSearch = Double.MAX_VALUE;
        double bestOne = Double.MAX_VALUE;
        double bestFour = Double.MAX_VALUE;
        double sink = 0;
        float[] out = new float[4];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (float[] q : queries)
                sink += index.search(q, k, ef, null).distance(0);
            long t1 = System.nanoTime();
            for (int i = 0; i < nq; i++) {
                float[] q = queries[i];
                float qs = squares == null ? 0 : DistanceKernel.dot(q, 0, q, 0, dim);
                for (int node : visits[i])
                    sink += one(metric, q, qs, rows, node, dim, squares);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < nq; i++) {
                float[] q = queries[i];
                float qs = squares == null ? 0 : DistanceKernel.dot(q, 0, q, 0, dim);
                int[] v = visits[i];
                int j = 0;
                for (; j + 4 <= v.length; j += 4) {
                    four(metric, q, qs, rows, v, j, dim, squares, out);
                    sink += out[0] + out[1] + out[2] + out[3];
                }
                for (; j < v.length; j++)
                    sink += one(metric, q, qs, rows, v[j], dim, squares);
            }
            long t3 = System.nanoTime();
            bestSearch = Math.min(bestSearch, (t1 - t0) / (double)total);
            bestOne = Math.min(bestOne, (t2 - t1) / (double)replayed);
            bestFour = Math.min(bestFour, (t3 - t2) / (double)replayed);
        }
        if (sink == 42)
            System.out.print("");
        return new double[] {total / (double)nq, bestSearch, bestOne, bestFour};
    }

    /** One row scored as the walk scores it. */
    private static float one(Metric metric, float[] q, float qSquares, VectorData rows, int node, int dim, float[] squares) {
        switch (metric) {
            case L2:
                return DistanceKernel.squareDistance(q, 0, rows, node * dim, dim);
            case IP:
                return DistanceKernel.dot(q, 0, rows, node * dim, dim);
            default:
                return DistanceKernel.cosine(DistanceKernel.dot(q, 0, rows, node * dim, dim), qSquares, squares[node]);
        }
    }

    /** Rows {@code v[j..j+4)} scored with the walk's four-row kernel. */
    private static void four(Metric metric, float[] q, float qSquares, VectorData rows, int[] v, int j, int dim, float[] squares,
        float[] out) {
        int o0 = v[j] * dim, o1 = v[j + 1] * dim, o2 = v[j + 2] * dim, o3 = v[j + 3] * dim;
        if (metric == Metric.L2) {
            DistanceKernel.squareDistances4(q, rows, o0, o1, o2, o3, dim, out);
            return;
        }
        DistanceKernel.dots4(q, rows, o0, o1, o2, o3, dim, out);
        if (metric == Metric.COSINE) {
            for (int i = 0; i < 4; i++)
                out[i] = DistanceKernel.cosine(out[i], qSquares, squares[v[j + i]]);
        }
    }

    /** Scorer that logs the rows it scores; its similarity orders rows as the metric's distance does. */
    private static final class Recorder implements ScoreFunction.ExactScoreFunction, SearchScoreProvider {
        private final Metric metric;
        private final float[] data;
        private final int dim;
        private float[] q;
        private int[] log = new int[1024];
        private int n;

        Recorder(Metric metric, float[] data, int dim) {
            this.metric = metric;
            this.data = data;
            this.dim = dim;
        }

        void reset(float[] query) {
            q = query;
            n = 0;
        }

        @Override public float similarityTo(int node) {
            if (n == log.length)
                log = Arrays.copyOf(log, n * 2);
            log[n++] = node;
            float d = DistanceKernel.distance(metric, q, 0, data, node * dim, dim);
            // Higher is closer, as jvector expects: L2 a distance, IP and COSINE similarities already.
            return metric == Metric.L2 ? 1f / (1f + d) : (1f + d) / 2f;
        }

        @Override public ScoreFunction scoreFunction() {
            return this;
        }

        @Override public ScoreFunction.ExactScoreFunction reranker() {
            return null;
        }

        @Override public ScoreFunction.ExactScoreFunction exactScoreFunction() {
            return this;
        }
    }
}
