package io.vecgrid.collection;

import java.util.Objects;

/** A sealed segment as the target names it: id, shard, affinity slot and row count. Immutable. */
public final class SegmentRef {
    private final long id;
    private final int shard;
    private final int slot;
    private final int rows;

    public SegmentRef(long id, int shard, int slot, int rows) {
        this.id = id;
        this.shard = shard;
        this.slot = slot;
        this.rows = rows;
    }

    public long id() {
        return id;
    }

    public int shard() {
        return shard;
    }

    /** @return partition of the segments cache holding the segment. */
    public int slot() {
        return slot;
    }

    public int rows() {
        return rows;
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof SegmentRef))
            return false;
        SegmentRef r = (SegmentRef)o;
        return r.id == id && r.shard == shard && r.slot == slot && r.rows == rows;
    }

    @Override public int hashCode() {
        return Objects.hash(id, shard, slot, rows);
    }

    @Override public String toString() {
        return "segment " + id + " (shard " + shard + ", slot " + slot + ", " + rows + " rows)";
    }
}
