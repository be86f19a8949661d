package io.vecgrid.index;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Benchmark-only look inside an L2 HNSW segment search (this package, to reach the graph): where a query's time goes.
 * It counts the rows each query's walk scores and records a replay set of rows (those jvector's own searcher scores
 * over the same graph), then times (1) the real searches, per row the walk scored, (2) the replayed distances alone,
 * one row at a time with the production kernel, and (3) the same distances four rows at a time with an interleaved
 * kernel as the walk does ({@link GraphWalk}), which keeps four independent row streams in flight (what hnswlib gets
 * from its software prefetch, which Java lacks). The difference between (1) and (3) is the walk's own cost; between
 * (2) and (3) what memory-level parallelism saves.
 */
public final class SearchCost {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private SearchCost() {
    }

    /**
     * @return {scored rows per query, ns per scored row in the search, ns per row one at a time, ns per row four
     *     interleaved}, each the best of {@code reps} repetitions.
     */
    public static double[] measure(VectorIndex index, float[] data, int dim, float[][] queries, int k, int ef, int reps) {
        if (!(index instanceof HnswIndex) || index.metric() != io.vecgrid.api.Metric.L2)
            throw new IllegalArgumentException("an L2 HNSW index is needed, got " + index.type() + " " + index.metric());
        HnswIndex idx = (HnswIndex)index;
        GraphSearcher searcher = new GraphSearcher(idx.graph());
        Recorder rec = new Recorder(data, dim);
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
                for (int node : visits[i])
                    sink += DistanceKernel.squareDistance(q, 0, data, node * dim, dim);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < nq; i++) {
                float[] q = queries[i];
                int[] v = visits[i];
                int j = 0;
                for (; j + 4 <= v.length; j += 4) {
                    l2x4(q, data, v[j] * dim, v[j + 1] * dim, v[j + 2] * dim, v[j + 3] * dim, dim, out);
                    sink += out[0] + out[1] + out[2] + out[3];
                }
                for (; j < v.length; j++)
                    sink += DistanceKernel.squareDistance(q, 0, data, v[j] * dim, dim);
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

    /** Squared L2 distances of {@code q} to four rows at once: four independent row streams in flight. */
    static void l2x4(float[] q, float[] d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S);
        int l = S.length();
        int i = 0;
        for (; i <= dim - l; i += l) {
            FloatVector qv = FloatVector.fromArray(S, q, i);
            FloatVector d0 = qv.sub(FloatVector.fromArray(S, d, o0 + i));
            FloatVector d1 = qv.sub(FloatVector.fromArray(S, d, o1 + i));
            FloatVector d2 = qv.sub(FloatVector.fromArray(S, d, o2 + i));
            FloatVector d3 = qv.sub(FloatVector.fromArray(S, d, o3 + i));
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD);
        float s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD);
        float s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            float x0 = q[i] - d[o0 + i];
            float x1 = q[i] - d[o1 + i];
            float x2 = q[i] - d[o2 + i];
            float x3 = q[i] - d[o3 + i];
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    /** L2 scorer that logs the rows it scores. */
    private static final class Recorder implements ScoreFunction.ExactScoreFunction, SearchScoreProvider {
        private final float[] data;
        private final int dim;
        private float[] q;
        private int[] log = new int[1024];
        private int n;

        Recorder(float[] data, int dim) {
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
            return 1f / (1f + DistanceKernel.squareDistance(q, 0, data, node * dim, dim));
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
