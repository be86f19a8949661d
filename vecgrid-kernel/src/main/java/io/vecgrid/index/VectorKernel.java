package io.vecgrid.index;

/**
 * The primitive reductions every distance is made of: a query {@code float[]} against floats of a {@link VectorData}
 * (a segment's rows, or another {@code float[]} wrapped). Implementations are stateless and thread-safe.
 *
 * <p>Each reduction has one fixed summation order per implementation, whatever holds the second operand (array or
 * buffer), so the same pair of vectors always gives the same bits, whichever caller asks
 * ({@link DistanceKernel#distance}, the flat scan, the graph scorer). The cosine form computes its three sums with
 * exactly the operations {@link #dot} would, in one pass.
 *
 * <p>Offsets count floats: {@code b}'s float {@code bOff + i} is the {@code i}-th element.
 */
interface VectorKernel {
    /** @return sum of {@code a[aOff + i] * b[bOff + i]} for {@code i < dim}. */
    float dot(float[] a, int aOff, VectorData b, int bOff, int dim);

    /** @return sum of {@code (a[aOff + i] - b[bOff + i])^2} for {@code i < dim}. */
    float squareDistance(float[] a, int aOff, VectorData b, int bOff, int dim);

    /**
     * Cosine similarity in one pass; bit-identical to
     * {@code DistanceKernel.cosine(dot(a, b), dot(a, a), dot(b, b))}.
     */
    float cosine(float[] a, int aOff, VectorData b, int bOff, int dim);

    /**
     * {@link #dot} for the graph walk and build, which only compare the result: its lanes may be summed in another
     * fixed order (the four-row kernels' order), so the last bits may differ from {@link #dot}'s.
     */
    default float dotWalk(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return dot(a, aOff, b, bOff, dim);
    }

    /** {@link #squareDistance} for the graph walk and build; as {@link #dotWalk}. */
    default float squareDistanceWalk(float[] a, int aOff, VectorData b, int bOff, int dim) {
        return squareDistance(a, aOff, b, bOff, dim);
    }

    /**
     * Squared L2 distances of {@code q[0..dim)} to four rows of {@code d} at once, into {@code out[0..4)}. For the
     * graph walk, which only compares them: the four row streams are read side by side, so their memory misses
     * overlap (Java has no software prefetch). The summation order may differ from {@link #squareDistance}'s, so the
     * last bits may too; exact distances of results come from the single-row reductions.
     */
    default void squareDistances4(float[] q, VectorData d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        out[0] = squareDistance(q, 0, d, o0, dim);
        out[1] = squareDistance(q, 0, d, o1, dim);
        out[2] = squareDistance(q, 0, d, o2, dim);
        out[3] = squareDistance(q, 0, d, o3, dim);
    }

    /** Dot products of {@code q[0..dim)} with four rows at once; as {@link #squareDistances4}. */
    default void dots4(float[] q, VectorData d, int o0, int o1, int o2, int o3, int dim, float[] out) {
        out[0] = dot(q, 0, d, o0, dim);
        out[1] = dot(q, 0, d, o1, dim);
        out[2] = dot(q, 0, d, o2, dim);
        out[3] = dot(q, 0, d, o3, dim);
    }

    /** @return a short name for logs ("panama-512", "scalar"). */
    String name();
}
