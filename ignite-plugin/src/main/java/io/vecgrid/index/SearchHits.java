package io.vecgrid.index;

import java.util.Arrays;

/**
 * Top-k result of one query against one index: row ordinals best first, with their distances in the metric's
 * semantics (ascending for {@code L2}, descending for {@code IP} and {@code COSINE}); equal distances are ordered
 * by ascending ordinal. Immutable; safe to share between threads.
 */
public final class SearchHits {
    /** No hits. */
    public static final SearchHits EMPTY = new SearchHits(new int[0], new float[0], 0);

    private final int[] ordinals;
    private final float[] distances;
    private final int size;

    /**
     * Takes ownership of the arrays (the caller must not change them afterwards).
     *
     * @param ordinals row ordinals; the first {@code size} are the hits, best first.
     * @param distances their distances in the metric's semantics.
     * @param size number of hits.
     */
    public SearchHits(int[] ordinals, float[] distances, int size) {
        if (ordinals == null || distances == null)
            throw new IllegalArgumentException("ordinals and distances must not be null");
        if (size < 0 || size > ordinals.length || size > distances.length)
            throw new IllegalArgumentException("size " + size + " outside [0, min(" + ordinals.length + ", " + distances.length + ")]");
        this.ordinals = ordinals;
        this.distances = distances;
        this.size = size;
    }

    /** @return number of hits, at most k. */
    public int size() {
        return size;
    }

    /** @return row ordinal (position in the index's vectors) of hit {@code i}, {@code 0 <= i < size()}. */
    public int ordinal(int i) {
        if (i < 0 || i >= size)
            throw new IndexOutOfBoundsException("hit " + i + " of " + size);
        return ordinals[i];
    }

    /** @return distance of hit {@code i} in the metric's semantics. */
    public float distance(int i) {
        if (i < 0 || i >= size)
            throw new IndexOutOfBoundsException("hit " + i + " of " + size);
        return distances[i];
    }

    /** @return a copy of the ordinals, best first. */
    public int[] ordinals() {
        return Arrays.copyOf(ordinals, size);
    }

    /** @return a copy of the distances, best first. */
    public float[] distances() {
        return Arrays.copyOf(distances, size);
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof SearchHits))
            return false;
        SearchHits h = (SearchHits)o;
        return size == h.size && Arrays.equals(ordinals, 0, size, h.ordinals, 0, size)
            && Arrays.equals(distances, 0, size, h.distances, 0, size);
    }

    @Override public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++)
            h = h * 31 + ordinals[i] * 17 + Float.floatToIntBits(distances[i]);
        return h;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("SearchHits[");
        for (int i = 0; i < size; i++)
            sb.append(i == 0 ? "" : ", ").append(ordinals[i]).append(':').append(distances[i]);
        return sb.append(']').toString();
    }
}
