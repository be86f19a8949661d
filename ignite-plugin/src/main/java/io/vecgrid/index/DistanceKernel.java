package io.vecgrid.index;

import io.vecgrid.api.Metric;

/**
 * Distance between float vectors with Milvus's semantics (see {@link Metric}). Stateless and thread-safe.
 *
 * <p>Placeholder scalar implementation: the SIMD kernel replaces the bodies, keeping these signatures.
 */
public final class DistanceKernel {
    private DistanceKernel() {
    }

    /**
     * @param metric metric.
     * @param q query vector array.
     * @param qOff offset of the query in {@code q}.
     * @param data vectors array.
     * @param off offset of the vector in {@code data}.
     * @param dim dimension.
     * @return distance in the metric's semantics.
     */
    public static float distance(Metric metric, float[] q, int qOff, float[] data, int off, int dim) {
        switch (metric) {
            case L2: {
                float s = 0;
                for (int i = 0; i < dim; i++) {
                    float d = q[qOff + i] - data[off + i];
                    s += d * d;
                }
                return s;
            }
            case IP: {
                float s = 0;
                for (int i = 0; i < dim; i++)
                    s += q[qOff + i] * data[off + i];
                return s;
            }
            default: {
                float dot = 0, nq = 0, nd = 0;
                for (int i = 0; i < dim; i++) {
                    dot += q[qOff + i] * data[off + i];
                    nq += q[qOff + i] * q[qOff + i];
                    nd += data[off + i] * data[off + i];
                }
                return nq == 0 || nd == 0 ? 0 : (float)(dot / Math.sqrt((double)nq * nd));
            }
        }
    }

    /** Distances of one query to each of {@code rows} contiguous vectors of {@code data}, into {@code out}. */
    public static void distances(Metric metric, float[] q, float[] data, int rows, int dim, float[] out) {
        for (int r = 0; r < rows; r++)
            out[r] = distance(metric, q, 0, data, r * dim, dim);
    }
}
