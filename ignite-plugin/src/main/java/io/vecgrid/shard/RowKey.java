package io.vecgrid.shard;

import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.affinity.AffinityKeyMapped;

/**
 * Key of a growing row in a collection's rows cache. The affinity key is the shard, so every growing row of a shard
 * lives in partition {@code shard} and every owner of that partition holds the shard's growing rows.
 */
public final class RowKey {
    /** Lock order of rows-cache keys: shard, then primary key. */
    public static final java.util.Comparator<RowKey> ORDER =
        java.util.Comparator.comparingInt(RowKey::shard).thenComparingLong(RowKey::pk);

    private final long pk;

    @AffinityKeyMapped
    private final int shard;

    public RowKey(long pk, int shard) {
        this.pk = pk;
        this.shard = shard;
    }

    /** @return the key, whether given deserialized or as a binary object (keep-binary caches and interceptors). */
    public static RowKey from(Object key) {
        if (key instanceof RowKey)
            return (RowKey)key;
        BinaryObject b = (BinaryObject)key;
        return new RowKey(b.<Long>field("pk"), b.<Integer>field("shard"));
    }

    /** @return the key of {@code pk} in a collection of {@code shards} shards. */
    public static RowKey of(long pk, int shards) {
        return new RowKey(pk, shardOf(pk, shards));
    }

    /** @return shard of a primary key: a mixed hash of the key modulo the shard count. */
    public static int shardOf(long pk, int shards) {
        long h = pk * 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        return (int)Math.floorMod(h, (long)shards);
    }

    public long pk() {
        return pk;
    }

    public int shard() {
        return shard;
    }

    @Override public boolean equals(Object o) {
        return o instanceof RowKey && ((RowKey)o).pk == pk && ((RowKey)o).shard == shard;
    }

    @Override public int hashCode() {
        return Long.hashCode(pk);
    }

    @Override public String toString() {
        return "RowKey[pk=" + pk + ", shard=" + shard + "]";
    }
}
