package io.vecgrid.sql;

import io.vecgrid.api.Metric;

/**
 * SQL's distances: for every metric a number where smaller is closer, so {@code ORDER BY ... ASC} gives the nearest
 * rows first. Derived from the API's scores ({@code SearchHit.distance()}, Milvus's semantics):
 * <ul>
 *   <li>L2: the score itself, the squared Euclidean distance;</li>
 *   <li>IP: the negative inner product, {@code -score};</li>
 *   <li>COSINE: {@code 1 - score}, the cosine distance in [0, 2] (1 when a norm is 0).</li>
 * </ul>
 */
public final class SqlDistances {
    private SqlDistances() {
    }

    /** @return the SQL distance of an API score of {@code metric}. */
    public static double ofScore(Metric metric, double score) {
        switch (metric) {
            case L2:
                return score;
            case IP:
                return -score;
            case COSINE:
                return 1.0 - score;
            default:
                throw new IllegalArgumentException("unknown metric " + metric);
        }
    }
}
