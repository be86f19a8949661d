package io.vecgrid.segment;

import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.affinity.AffinityKeyMapped;

/**
 * Key of a delete mark: row {@code pk} of sealed segment {@code segmentId} is no longer live. Its affinity slot is
 * the segment's, and the deletes cache shares the segments cache's group, so the mark is held by exactly the nodes
 * that hold the segment.
 */
public final class DeleteKey {
    /** Lock order of delete marks: segment, then primary key. */
    public static final java.util.Comparator<DeleteKey> ORDER =
        java.util.Comparator.comparingLong(DeleteKey::segmentId).thenComparingLong(DeleteKey::pk);

    private final long segmentId;
    private final long pk;

    @AffinityKeyMapped
    private final int slot;

    public DeleteKey(long segmentId, long pk, int slot) {
        this.segmentId = segmentId;
        this.pk = pk;
        this.slot = slot;
    }

    /** @return the key, whether given deserialized or as a binary object (keep-binary caches and interceptors). */
    public static DeleteKey from(Object key) {
        if (key instanceof DeleteKey)
            return (DeleteKey)key;
        BinaryObject b = (BinaryObject)key;
        return new DeleteKey(b.<Long>field("segmentId"), b.<Long>field("pk"), b.<Integer>field("slot"));
    }

    public long segmentId() {
        return segmentId;
    }

    public long pk() {
        return pk;
    }

    public int slot() {
        return slot;
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof DeleteKey))
            return false;
        DeleteKey k = (DeleteKey)o;
        return k.segmentId == segmentId && k.pk == pk && k.slot == slot;
    }

    @Override public int hashCode() {
        return Long.hashCode(segmentId * 31 + pk);
    }

    @Override public String toString() {
        return "DeleteKey[segment=" + segmentId + ", pk=" + pk + ", slot=" + slot + "]";
    }
}
