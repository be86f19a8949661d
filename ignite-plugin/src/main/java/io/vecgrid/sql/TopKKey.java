package io.vecgrid.sql;

import java.io.Serializable;
import java.util.Objects;

/**
 * One router search as SQL asks for it: the arguments of the {@code TOPK_*} functions except the position. Two calls
 * with equal keys, on any nodes, within the share window are answered by one search (see {@link TopKSearches}).
 * The vector is kept as the caller's text: equal text, equal key. Immutable.
 */
final class TopKKey implements Serializable {
    private static final long serialVersionUID = 1L;

    final String collection;
    final String vector;
    final int k;
    /** Filter expression, {@code null} for none. */
    final String filter;
    /** HNSW beam width, 0 for the collection's default. */
    final int ef;
    private final int hash;

    TopKKey(String collection, String vector, int k, String filter, int ef) {
        this.collection = collection;
        this.vector = vector;
        this.k = k;
        this.filter = filter == null || filter.isBlank() ? null : filter;
        this.ef = ef;
        this.hash = Objects.hash(collection, vector, k, this.filter, ef);
    }

    @Override public boolean equals(Object o) {
        if (this == o)
            return true;
        if (!(o instanceof TopKKey))
            return false;
        TopKKey other = (TopKKey)o;
        return hash == other.hash && k == other.k && ef == other.ef && collection.equals(other.collection) &&
            vector.equals(other.vector) && Objects.equals(filter, other.filter);
    }

    @Override public int hashCode() {
        return hash;
    }

    @Override public String toString() {
        return "TopKKey[collection=" + collection + ", k=" + k + ", filter=" + filter + ", ef=" + ef + "]";
    }
}
