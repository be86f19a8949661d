package io.vecgrid.search;

import io.vecgrid.collection.SegmentRef;

import java.io.Serializable;
import java.util.List;

/**
 * What one {@link NodeJob} returns: per query the best hits over every segment and growing shard it searched (already
 * reduced to top-k on the node, so its size is nq × k whatever the number of segments), which segments and shards it
 * searched, which it could not serve here (copy not serviceable, shard not OWNING: the router sends them elsewhere),
 * and, for each shard it led, the shard's segments as the leader's own state names them (for reconciliation). Hits
 * carry primary key and distance only: the router fetches output fields for the final top-k alone.
 */
final class NodeAnswer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Hits per query. */
    final int[] counts;
    final long[] pks;
    final float[] distances;
    final long[] searchedSegments;
    final long[] unavailableSegments;
    /**
     * Those of {@link #unavailableSegments} whose copy the node holds but has not loaded yet (the others it no longer
     * holds at all: moved or dropped after the router's routing table was built).
     */
    final long[] loadingSegments;
    final int[] searchedShards;
    final int[] unavailableShards;
    /** Per searched shard (same order): the shard's segments in the leader's state, and that state's version. */
    final List<List<SegmentRef>> leaderSegments;
    final long[] leaderVersions;
    /** Time the node spent searching per segment or shard, ns (its service time, for replica choice). */
    final long serviceNanosPerUnit;
    /** Other search jobs running on the node when it answered (its queue, for replica choice). */
    final int queue;
    /** Routers that sent the node search work in the last few seconds (C3's number of clients, for replica choice). */
    final int routers;
    /** The job was cancelled before it finished (the search was answered elsewhere or gave up): nothing to merge. */
    final boolean cancelled;

    NodeAnswer(int[] counts, long[] pks, float[] distances, long[] searchedSegments, long[] unavailableSegments,
        long[] loadingSegments, int[] searchedShards, int[] unavailableShards, List<List<SegmentRef>> leaderSegments, long[] leaderVersions,
        long serviceNanosPerUnit, int queue, int routers, boolean cancelled) {
        this.routers = routers;
        this.counts = counts;
        this.pks = pks;
        this.distances = distances;
        this.searchedSegments = searchedSegments;
        this.unavailableSegments = unavailableSegments;
        this.loadingSegments = loadingSegments;
        this.searchedShards = searchedShards;
        this.unavailableShards = unavailableShards;
        this.leaderSegments = leaderSegments;
        this.leaderVersions = leaderVersions;
        this.serviceNanosPerUnit = serviceNanosPerUnit;
        this.queue = queue;
        this.cancelled = cancelled;
    }
}
