package io.vecgrid.collection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The target of a collection: the sealed segments it must serve, with a version that grows on every change, and the
 * next free segment id. Immutable; changed only by copy in a transaction on {@link MetaStore}'s targets cache.
 *
 * <p>A row is searched in exactly one place for a given target: in its sealed segment if that segment is in the
 * target, otherwise among the growing rows of its shard.
 */
public final class CollectionTarget {
    private final long version;
    private final long nextSegmentId;
    private final ArrayList<SegmentRef> segments;

    public CollectionTarget(long version, long nextSegmentId, List<SegmentRef> segments) {
        this.version = version;
        this.nextSegmentId = nextSegmentId;
        this.segments = new ArrayList<>(segments);
    }

    public static CollectionTarget empty() {
        return new CollectionTarget(1, 1, Collections.emptyList());
    }

    public long version() {
        return version;
    }

    public long nextSegmentId() {
        return nextSegmentId;
    }

    public List<SegmentRef> segments() {
        return Collections.unmodifiableList(segments);
    }

    /** @return the segment with that id, or {@code null}. */
    public SegmentRef segment(long id) {
        for (SegmentRef s : segments) {
            if (s.id() == id)
                return s;
        }
        return null;
    }

    /** @return ids of the target's segments. */
    public java.util.Set<Long> segmentIds() {
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (SegmentRef s : segments)
            ids.add(s.id());
        return ids;
    }

    public boolean contains(long segmentId) {
        return segment(segmentId) != null;
    }

    /** @return segments of one shard. */
    public List<SegmentRef> segmentsOfShard(int shard) {
        List<SegmentRef> res = new ArrayList<>();
        for (SegmentRef s : segments) {
            if (s.shard() == shard)
                res.add(s);
        }
        return res;
    }

    /** @return a copy with one more segment id reserved. */
    public CollectionTarget withReservedId() {
        return new CollectionTarget(version, nextSegmentId + 1, segments);
    }

    /** @return a copy with {@code added} in and {@code removed} out, and the version advanced. */
    public CollectionTarget withChange(List<SegmentRef> added, List<Long> removed) {
        List<SegmentRef> res = new ArrayList<>(segments.size() + added.size());
        for (SegmentRef s : segments) {
            if (!removed.contains(s.id()))
                res.add(s);
        }
        res.addAll(added);
        return new CollectionTarget(version + 1, nextSegmentId, res);
    }

    /** @return sum of the rows of the segments in each slot. */
    public long[] rowsPerSlot(int slots) {
        long[] res = new long[slots];
        for (SegmentRef s : segments)
            res[s.slot()] += s.rows();
        return res;
    }

    @Override public String toString() {
        return "CollectionTarget[version=" + version + ", segments=" + segments + "]";
    }
}
