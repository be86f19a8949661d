package io.vecgrid.shard;

import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.affinity.AffinityKeyMapped;

/**
 * Key of a row's location entry in a collection's locations cache. The affinity key is the primary key (hashed by
 * the cache's affinity function), so location entries spread over every partition and node whatever the shard
 * count; the shard is kept in the key so that SQL can name it.
 */
public final class LocKey {
    @AffinityKeyMapped
    private final long pk;

    private final int shard;

    public LocKey(long pk, int shard) {
        this.pk = pk;
        this.shard = shard;
    }

    /** @return the key, whether given deserialized or as a binary object (keep-binary caches and interceptors). */
    public static LocKey from(Object key) {
        if (key instanceof LocKey)
            return (LocKey)key;
        BinaryObject b = (BinaryObject)key;
        return new LocKey(b.<Long>field("pk"), b.<Integer>field("shard"));
    }

    /** @return the key of {@code pk} in a collection of {@code shards} shards. */
    public static LocKey of(long pk, int shards) {
        return new LocKey(pk, RowKey.shardOf(pk, shards));
    }

    public long pk() {
        return pk;
    }

    public int shard() {
        return shard;
    }

    @Override public boolean equals(Object o) {
        return o instanceof LocKey && ((LocKey)o).pk == pk && ((LocKey)o).shard == shard;
    }

    @Override public int hashCode() {
        return Long.hashCode(pk);
    }

    @Override public String toString() {
        return "LocKey[pk=" + pk + ", shard=" + shard + "]";
    }
}
