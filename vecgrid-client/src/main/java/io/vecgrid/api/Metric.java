package io.vecgrid.api;

/**
 * Distance metric of a collection, with Milvus's semantics.
 * <ul>
 *   <li>{@link #L2}: squared Euclidean distance; smaller is closer.</li>
 *   <li>{@link #IP}: inner product; larger is closer.</li>
 *   <li>{@link #COSINE}: cosine similarity in [-1, 1]; larger is closer.</li>
 * </ul>
 */
public enum Metric {
    L2(false),
    IP(true),
    COSINE(true);

    private final boolean largerIsCloser;

    Metric(boolean largerIsCloser) {
        this.largerIsCloser = largerIsCloser;
    }

    /** @return {@code true} when a larger distance value means a closer vector (IP, COSINE). */
    public boolean largerIsCloser() {
        return largerIsCloser;
    }

    /**
     * Maps a distance onto a key where smaller always means closer, so one ordering serves every metric.
     *
     * @param distance distance in this metric's semantics.
     * @return rank key, smaller is closer.
     */
    public float rankKey(float distance) {
        return largerIsCloser ? -distance : distance;
    }

    /** Parses a metric name case-insensitively, naming the accepted values on error. */
    public static Metric parse(String name) {
        if (name == null)
            throw new InvalidRequestException("metric must be one of L2, IP, COSINE, got null");
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new InvalidRequestException("metric must be one of L2, IP, COSINE, got '" + name + "'");
        }
    }
}
