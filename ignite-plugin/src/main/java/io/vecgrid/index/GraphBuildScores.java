package io.vecgrid.index;

import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.vecgrid.api.Metric;

/**
 * Scores for jvector's graph builder over the segment's rows, through {@link GraphScorer}. Thread-safe:
 * the builder calls it from every build thread, and each call returns a new scorer.
 */
final class GraphBuildScores implements BuildScoreProvider {
    private final Metric metric;
    private final VectorData data;
    private final int dim;
    private final int rows;
    private final float[] squares;
    private volatile VectorFloat<?> centroid;

    GraphBuildScores(Metric metric, VectorData data, int dim, int rows, float[] squares) {
        this.metric = metric;
        this.data = data;
        this.dim = dim;
        this.rows = rows;
        this.squares = squares;
    }

    @Override public boolean isExact() {
        return true;
    }

    @Override public VectorFloat<?> approximateCentroid() {
        VectorFloat<?> c = centroid;
        if (c == null) {
            double[] sum = new double[dim];
            float[] row = new float[dim];
            for (int r = 0, off = 0; r < rows; r++, off += dim) {
                data.copy(off, row, 0, dim);
                for (int i = 0; i < dim; i++)
                    sum[i] += row[i];
            }
            float[] mean = new float[dim];
            for (int i = 0; i < dim; i++)
                mean[i] = rows == 0 ? 0 : (float)(sum[i] / rows);
            centroid = c = vts.createFloatVector(mean);
        }
        return c;
    }

    @Override public SearchScoreProvider searchProviderFor(VectorFloat<?> vector) {
        float[] q = new float[dim];
        for (int i = 0; i < dim; i++)
            q[i] = vector.get(i);
        return new GraphScorer(metric, data, dim, squares).reset(q);
    }

    @Override public SearchScoreProvider searchProviderFor(int node) {
        return new GraphScorer(metric, data, dim, squares).resetToRow(node);
    }

    @Override public SearchScoreProvider diversityProviderFor(int node) {
        return searchProviderFor(node);
    }
}
