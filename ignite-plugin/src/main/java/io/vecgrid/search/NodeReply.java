package io.vecgrid.search;

import io.vecgrid.collection.SegmentRef;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's reply to one {@link NodeJob}: its answer, or why it failed. A direct message ({@link WireMessage}); the
 * leader's segment references travel as flat arrays.
 */
final class NodeReply extends WireMessage {
    private static final long serialVersionUID = 1L;

    long searchId;
    int unit;
    /** The answer, or {@code null} if the job failed. */
    NodeAnswer answer;
    /** Why the job failed, or {@code null}. */
    String error;

    /** The answer's fields as they travel (set on the sending side by the constructor, on the receiving side read). */
    private transient int[] counts;
    private transient long[] pks;
    private transient float[] distances;
    private transient long[] searched;
    private transient long[] unavailable;
    private transient long[] loading;
    private transient int[] searchedShards;
    private transient int[] unavailableShards;
    /** Per led shard, its number of segments; then per segment id and bytes, and shard, slot, rows and chunks. */
    private transient int[] leaderCounts;
    private transient long[] leaderLongs;
    private transient int[] leaderInts;
    private transient long[] leaderVersions;
    /** Service time per unit (ns), queue, routers, and 1 if cancelled. */
    private transient long[] load;

    private static final Field<WireMessage>[] FIELDS = fieldsOf(
        new Field<NodeReply>((m, w) -> w.writeLong("searchId", m.searchId), (m, r) -> m.searchId = r.readLong("searchId")),
        new Field<NodeReply>((m, w) -> w.writeInt("unit", m.unit), (m, r) -> m.unit = r.readInt("unit")),
        new Field<NodeReply>((m, w) -> w.writeString("error", m.error), (m, r) -> m.error = r.readString("error")),
        new Field<NodeReply>((m, w) -> w.writeIntArray("counts", m.counts), (m, r) -> m.counts = r.readIntArray("counts")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("pks", m.pks), (m, r) -> m.pks = r.readLongArray("pks")),
        new Field<NodeReply>((m, w) -> w.writeFloatArray("distances", m.distances), (m, r) -> m.distances = r.readFloatArray("distances")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("searched", m.searched), (m, r) -> m.searched = r.readLongArray("searched")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("unavailable", m.unavailable), (m, r) -> m.unavailable = r.readLongArray("unavailable")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("loading", m.loading), (m, r) -> m.loading = r.readLongArray("loading")),
        new Field<NodeReply>((m, w) -> w.writeIntArray("searchedShards", m.searchedShards), (m, r) -> m.searchedShards = r.readIntArray("searchedShards")),
        new Field<NodeReply>((m, w) -> w.writeIntArray("unavailableShards", m.unavailableShards), (m, r) -> m.unavailableShards = r.readIntArray("unavailableShards")),
        new Field<NodeReply>((m, w) -> w.writeIntArray("leaderCounts", m.leaderCounts), (m, r) -> m.leaderCounts = r.readIntArray("leaderCounts")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("leaderLongs", m.leaderLongs), (m, r) -> m.leaderLongs = r.readLongArray("leaderLongs")),
        new Field<NodeReply>((m, w) -> w.writeIntArray("leaderInts", m.leaderInts), (m, r) -> m.leaderInts = r.readIntArray("leaderInts")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("leaderVersions", m.leaderVersions), (m, r) -> m.leaderVersions = r.readLongArray("leaderVersions")),
        new Field<NodeReply>((m, w) -> w.writeLongArray("load", m.load), (m, r) -> m.load = r.readLongArray("load")));

    NodeReply(long searchId, int unit, NodeAnswer answer, String error) {
        this.searchId = searchId;
        this.unit = unit;
        this.answer = answer;
        this.error = error;
        NodeAnswer a = answer;
        if (a == null)
            return;
        counts = a.counts;
        pks = a.pks;
        distances = a.distances;
        searched = a.searchedSegments;
        unavailable = a.unavailableSegments;
        loading = a.loadingSegments;
        searchedShards = a.searchedShards;
        unavailableShards = a.unavailableShards;
        leaderCounts = new int[a.leaderSegments.size()];
        int n = 0;
        for (int i = 0; i < leaderCounts.length; i++) {
            leaderCounts[i] = a.leaderSegments.get(i).size();
            n += leaderCounts[i];
        }
        leaderLongs = new long[2 * n];
        leaderInts = new int[4 * n];
        int j = 0;
        for (List<SegmentRef> segs : a.leaderSegments) {
            for (SegmentRef s : segs) {
                leaderLongs[2 * j] = s.id();
                leaderLongs[2 * j + 1] = s.bytes();
                leaderInts[4 * j] = s.shard();
                leaderInts[4 * j + 1] = s.slot();
                leaderInts[4 * j + 2] = s.rows();
                leaderInts[4 * j + 3] = s.chunks();
                j++;
            }
        }
        leaderVersions = a.leaderVersions;
        load = new long[] {a.serviceNanosPerUnit, a.queue, a.routers, a.cancelled ? 1 : 0};
    }

    /** For Ignite's message factory: the fields are read from the wire. */
    NodeReply() {
    }

    @Override Field<WireMessage>[] fields() {
        return FIELDS;
    }

    @Override public short directType() {
        return REPLY_TYPE;
    }

    @Override void onRead() {
        if (counts == null)
            return; // No answer: the job failed.
        List<List<SegmentRef>> leaderSegments = new ArrayList<>(leaderCounts.length);
        int j = 0;
        for (int c : leaderCounts) {
            List<SegmentRef> segs = new ArrayList<>(c);
            for (int i = 0; i < c; i++, j++)
                segs.add(new SegmentRef(leaderLongs[2 * j], leaderInts[4 * j], leaderInts[4 * j + 1],
                    leaderInts[4 * j + 2], leaderLongs[2 * j + 1], leaderInts[4 * j + 3]));
            leaderSegments.add(segs);
        }
        answer = new NodeAnswer(counts, pks, distances, searched, unavailable, loading, searchedShards,
            unavailableShards, leaderSegments, leaderVersions, load[0], (int)load[1], (int)load[2], load[3] != 0);
    }
}
