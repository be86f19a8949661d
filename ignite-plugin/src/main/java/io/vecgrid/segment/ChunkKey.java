package io.vecgrid.segment;

import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.affinity.AffinityKeyMapped;

/**
 * Key of one chunk of a sealed segment in a collection's segments cache: a segment of {@code n} encoded bytes is
 * stored as {@code ceil(n / chunkBytes)} entries, chunk 0 first, all with the segment's affinity slot, so that every
 * owner of the slot holds the whole segment.
 */
public final class ChunkKey {
    private final long segmentId;
    private final int chunk;

    @AffinityKeyMapped
    private final int slot;

    public ChunkKey(long segmentId, int chunk, int slot) {
        this.segmentId = segmentId;
        this.chunk = chunk;
        this.slot = slot;
    }

    /** @return the key, whether given deserialized or as a binary object (keep-binary caches and interceptors). */
    public static ChunkKey from(Object key) {
        if (key instanceof ChunkKey)
            return (ChunkKey)key;
        BinaryObject b = (BinaryObject)key;
        return new ChunkKey(b.<Long>field("segmentId"), b.<Integer>field("chunk"), b.<Integer>field("slot"));
    }

    public long segmentId() {
        return segmentId;
    }

    public int chunk() {
        return chunk;
    }

    public int slot() {
        return slot;
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof ChunkKey))
            return false;
        ChunkKey k = (ChunkKey)o;
        return k.segmentId == segmentId && k.chunk == chunk && k.slot == slot;
    }

    @Override public int hashCode() {
        return Long.hashCode(segmentId) * 31 + chunk;
    }

    @Override public String toString() {
        return "ChunkKey[" + segmentId + "#" + chunk + ", slot=" + slot + "]";
    }
}
