package io.vecgrid.search;

import io.vecgrid.collection.SegmentRef;

import java.util.List;

/**
 * What one search job returns: per query its best hits from one sealed segment or one shard's growing rows, or the
 * news that this node could not serve the work (copy not serviceable, shard not OWNING). A shard leader also
 * returns the shard's segment list as its own target names it (for reconciliation).
 */
final class PartialHits {
    /** Sealed segment searched, or -1 for growing work. */
    final long segmentId;
    /** Shard whose growing rows were searched, or -1. */
    final int shard;
    /** The node could not serve the work; nothing else is set. */
    final boolean unavailable;
    /** Hits per query. */
    final int[] counts;
    final long[] pks;
    final float[] distances;
    /** Requested scalar values per hit, in the order of the request's output fields; {@code null} if none. */
    final Object[][] fields;
    /** Vector per hit when the vector field was requested, else {@code null}. */
    final float[][] vectors;
    /** For growing work: the shard's segments in the leader's target. */
    final List<SegmentRef> leaderSegments;
    /** For growing work: version of the leader's target. */
    final long leaderTargetVersion;

    PartialHits(long segmentId, int shard, boolean unavailable, int[] counts, long[] pks, float[] distances,
        Object[][] fields, float[][] vectors, List<SegmentRef> leaderSegments, long leaderTargetVersion) {
        this.segmentId = segmentId;
        this.shard = shard;
        this.unavailable = unavailable;
        this.counts = counts;
        this.pks = pks;
        this.distances = distances;
        this.fields = fields;
        this.vectors = vectors;
        this.leaderSegments = leaderSegments;
        this.leaderTargetVersion = leaderTargetVersion;
    }

    static PartialHits unavailable(long segmentId, int shard) {
        return new PartialHits(segmentId, shard, true, null, null, null, null, null, null, 0);
    }
}
