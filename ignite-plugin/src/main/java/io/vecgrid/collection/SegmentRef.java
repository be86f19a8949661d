package io.vecgrid.collection;

import java.io.Serializable;
import java.util.Objects;

/**
 * A sealed segment as its shard's state names it: id, shard, affinity slot, row count, and how it is stored (total
 * encoded bytes in {@code chunks} entries of the segments cache). Immutable.
 */
public final class SegmentRef implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long id;
    private final int shard;
    private final int slot;
    private final int rows;
    private final long bytes;
    private final int chunks;

    public SegmentRef(long id, int shard, int slot, int rows, long bytes, int chunks) {
        this.id = id;
        this.shard = shard;
        this.slot = slot;
        this.rows = rows;
        this.bytes = bytes;
        this.chunks = chunks;
    }

    public long id() {
        return id;
    }

    public int shard() {
        return shard;
    }

    /** @return partition of the segments cache holding the segment's chunks and delete marks. */
    public int slot() {
        return slot;
    }

    public int rows() {
        return rows;
    }

    /** @return encoded size of the segment (vectors, keys, scalars, index). */
    public long bytes() {
        return bytes;
    }

    /** @return entries of the segments cache holding it. */
    public int chunks() {
        return chunks;
    }

    /** @return the same segment stored in another slot (a move keeps the content, and takes a new id). */
    public SegmentRef movedTo(long newId, int newSlot) {
        return new SegmentRef(newId, shard, newSlot, rows, bytes, chunks);
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof SegmentRef))
            return false;
        SegmentRef r = (SegmentRef)o;
        return r.id == id && r.shard == shard && r.slot == slot && r.rows == rows && r.bytes == bytes && r.chunks == chunks;
    }

    @Override public int hashCode() {
        return Objects.hash(id, shard, slot, rows);
    }

    @Override public String toString() {
        return "segment " + id + " (shard " + shard + ", slot " + slot + ", " + rows + " rows)";
    }
}
