package io.vecgrid.index;

import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.vecgrid.api.Metric;

/**
 * jvector's view of our distances: a similarity (larger is closer, never negative) of one query to any row, computed
 * by {@link DistanceKernel} straight on the segment's rows. Also its own {@link SearchScoreProvider}:
 * scores are exact, so there is no reranker.
 *
 * <p>Similarities, all monotone in the Milvus distance and {@code >= 0} (jvector drops candidates scored below its
 * threshold of 0 while building):
 * <ul>
 *   <li>L2: {@code 1 / (1 + d)}, as jvector's EUCLIDEAN;</li>
 *   <li>IP: {@code 1 + dot} for {@code dot >= 0}, {@code 1 / (1 - dot)} below (jvector's {@code (1 + dot) / 2}
 *       turns negative for unnormalized vectors);</li>
 *   <li>COSINE: {@code (1 + cos) / 2}, as jvector's COSINE, with the row norms precomputed.</li>
 * </ul>
 *
 * <p>Not thread-safe: it holds the current query. One per searcher, reset per query; the builder makes one per
 * inserted node.
 */
final class GraphScorer implements ScoreFunction.ExactScoreFunction, SearchScoreProvider {
    private static final int L2 = 0;
    private static final int IP = 1;
    private static final int COSINE = 2;

    private final int kind;
    private final VectorData data;
    private final int dim;
    /** {@code dot(row, row)} per row for COSINE, else {@code null}. */
    private final float[] squares;

    private float[] q;
    private int qOff;
    private float qSquares;
    /** The query row copied out of a buffer (graph construction over buffer rows). */
    private float[] rowCopy;

    GraphScorer(Metric metric, VectorData data, int dim, float[] squares) {
        this.kind = metric == Metric.L2 ? L2 : metric == Metric.IP ? IP : COSINE;
        this.data = data;
        this.dim = dim;
        this.squares = squares;
        assert kind != COSINE || squares != null;
    }

    /** Scores against {@code query[0..dim)} from now on. */
    GraphScorer reset(float[] query) {
        this.q = query;
        this.qOff = 0;
        this.qSquares = kind == COSINE ? DistanceKernel.dot(query, 0, query, 0, dim) : 0;
        return this;
    }

    /**
     * Scores against row {@code node} of the data from now on (graph construction). The kernels take the query as an
     * array: rows of an array are used in place, rows of a buffer are copied into one (no bit of any score changes).
     */
    GraphScorer resetToRow(int node) {
        if (data.array != null) {
            q = data.array;
            qOff = node * dim;
        }
        else {
            if (rowCopy == null)
                rowCopy = new float[dim];
            data.copy((long)node * dim, rowCopy, 0, dim);
            q = rowCopy;
            qOff = 0;
        }
        this.qSquares = kind == COSINE ? squares[node] : 0;
        return this;
    }

    @Override public float similarityTo(int node) {
        int off = node * dim;
        switch (kind) {
            case L2:
                return 1f / (1f + DistanceKernel.squareDistance(q, qOff, data, off, dim));
            case IP: {
                float dot = DistanceKernel.dot(q, qOff, data, off, dim);
                return dot >= 0 ? 1f + dot : 1f / (1f - dot);
            }
            default:
                return (1f + DistanceKernel.cosine(DistanceKernel.dot(q, qOff, data, off, dim), qSquares, squares[node])) * 0.5f;
        }
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
