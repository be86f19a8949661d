package io.vecgrid.collection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The target of a collection: the sealed segments it must serve, as its shards' states name them at one moment, with
 * a version that grows whenever any shard's state changes. Immutable; built from the {@link ShardState}s (each shard
 * changes on its own, so a target is a consistent view per shard, which is all a search needs: a row belongs to one
 * shard).
 *
 * <p>A row is searched in exactly one place for a given shard state: in its sealed segment if that state names the
 * segment, otherwise among the growing rows of its shard.
 */
public final class CollectionTarget implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final long version;
    private final long[] shardVersions;
    private final ArrayList<SegmentRef> segments;

    private CollectionTarget(long version, long[] shardVersions, List<SegmentRef> segments) {
        this.version = version;
        this.shardVersions = shardVersions;
        this.segments = new ArrayList<>(segments);
    }

    /** @return the target of shards in these states, in shard order. */
    public static CollectionTarget of(List<ShardState> shards) {
        long v = 0;
        long[] versions = new long[shards.size()];
        List<SegmentRef> segs = new ArrayList<>();
        for (int i = 0; i < versions.length; i++) {
            ShardState s = shards.get(i);
            versions[i] = s.version();
            v += s.version();
            segs.addAll(s.segments());
        }
        return new CollectionTarget(v, versions, segs);
    }

    /** @return an empty target (no shard states known). */
    public static CollectionTarget empty() {
        return new CollectionTarget(0, new long[0], Collections.emptyList());
    }

    /** @return a number that grows with every change of any shard's state. */
    public long version() {
        return version;
    }

    /** @return version of one shard's state (0 if unknown). */
    public long shardVersion(int shard) {
        return shard < shardVersions.length ? shardVersions[shard] : 0;
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
    public Set<Long> segmentIds() {
        Set<Long> ids = new HashSet<>();
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
