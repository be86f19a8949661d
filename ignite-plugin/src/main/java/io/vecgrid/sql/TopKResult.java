package io.vecgrid.sql;

import java.io.Serializable;

/**
 * The hits of one search, nearest first, as parallel arrays: primary keys, SQL distances (smaller is closer,
 * {@link SqlDistances}) and the shard of each key; and how old the search was when this copy left the node that ran it. Immutable after construction
 * (the arrays are not copied: do not modify them).
 */
final class TopKResult implements Serializable {
    private static final long serialVersionUID = 1L;

    final long[] ids;
    final float[] distances;
    final int[] shards;
    /** Nanoseconds between the start of the search and the moment this copy was sent. */
    final long ageNanos;

    TopKResult(long[] ids, float[] distances, int[] shards, long ageNanos) {
        this.ids = ids;
        this.distances = distances;
        this.shards = shards;
        this.ageNanos = ageNanos;
    }

    /** @return this result stamped with its age. */
    TopKResult withAge(long ageNanos) {
        return new TopKResult(ids, distances, shards, ageNanos);
    }

    int size() {
        return ids.length;
    }
}
