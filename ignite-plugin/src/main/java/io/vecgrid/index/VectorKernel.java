package io.vecgrid.index;

/**
 * The two primitive reductions every distance is made of. Implementations are stateless and thread-safe.
 *
 * <p>Each reduction has one fixed summation order per implementation, so the same pair of vectors always gives the
 * same bits, whichever caller asks ({@link DistanceKernel#distance}, the flat scan, the graph scorer). The cosine
 * form computes its three sums with exactly the operations {@link #dot} would, in one pass.
 */
interface VectorKernel {
    /** @return sum of {@code a[aOff + i] * b[bOff + i]} for {@code i < dim}. */
    float dot(float[] a, int aOff, float[] b, int bOff, int dim);

    /** @return sum of {@code (a[aOff + i] - b[bOff + i])^2} for {@code i < dim}. */
    float squareDistance(float[] a, int aOff, float[] b, int bOff, int dim);

    /**
     * Cosine similarity in one pass; bit-identical to
     * {@code DistanceKernel.cosine(dot(a, b), dot(a, a), dot(b, b))}.
     */
    float cosine(float[] a, int aOff, float[] b, int bOff, int dim);

    /** @return a short name for logs ("panama-512", "scalar"). */
    String name();
}
