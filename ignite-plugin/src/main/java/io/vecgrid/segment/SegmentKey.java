package io.vecgrid.segment;

import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.affinity.AffinityKeyMapped;

/** Key of a sealed segment in a collection's segments cache; the affinity slot is its partition. */
public final class SegmentKey {
    private final long segmentId;

    @AffinityKeyMapped
    private final int slot;

    public SegmentKey(long segmentId, int slot) {
        this.segmentId = segmentId;
        this.slot = slot;
    }

    /** @return the key, whether given deserialized or as a binary object (keep-binary caches and interceptors). */
    public static SegmentKey from(Object key) {
        if (key instanceof SegmentKey)
            return (SegmentKey)key;
        BinaryObject b = (BinaryObject)key;
        return new SegmentKey(b.<Long>field("segmentId"), b.<Integer>field("slot"));
    }

    public long segmentId() {
        return segmentId;
    }

    public int slot() {
        return slot;
    }

    @Override public boolean equals(Object o) {
        return o instanceof SegmentKey && ((SegmentKey)o).segmentId == segmentId && ((SegmentKey)o).slot == slot;
    }

    @Override public int hashCode() {
        return Long.hashCode(segmentId);
    }

    @Override public String toString() {
        return "SegmentKey[" + segmentId + ", slot=" + slot + "]";
    }
}
