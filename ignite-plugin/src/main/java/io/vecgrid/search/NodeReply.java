package io.vecgrid.search;

import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.binary.BinaryObjectException;
import org.apache.ignite.binary.BinaryRawReader;
import org.apache.ignite.binary.BinaryRawWriter;
import org.apache.ignite.binary.BinaryReader;
import org.apache.ignite.binary.BinaryWriter;
import org.apache.ignite.binary.Binarylizable;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's reply to one {@link NodeJob}: its answer, or why it failed.
 *
 * <p>Written field by field in Ignite's raw binary form ({@link Binarylizable}): every search gets one reply per node,
 * and the reflective form (a schema and field lookups for the reply, its answer and each of the leader's segment
 * references) was a tenth of a data node's search-thread time in a profile of the cluster benchmark.
 */
final class NodeReply implements Binarylizable {
    long searchId;
    int unit;
    /** The answer, or {@code null} if the job failed. */
    NodeAnswer answer;
    /** Why the job failed, or {@code null}. */
    String error;

    NodeReply(long searchId, int unit, NodeAnswer answer, String error) {
        this.searchId = searchId;
        this.unit = unit;
        this.answer = answer;
        this.error = error;
    }

    /** For Ignite's marshaller ({@link #readBinary}). */
    NodeReply() {
    }

    @Override public void writeBinary(BinaryWriter writer) throws BinaryObjectException {
        BinaryRawWriter w = writer.rawWriter();
        w.writeLong(searchId);
        w.writeInt(unit);
        w.writeString(error);
        NodeAnswer a = answer;
        w.writeBoolean(a != null);
        if (a == null)
            return;
        w.writeIntArray(a.counts);
        w.writeLongArray(a.pks);
        w.writeFloatArray(a.distances);
        w.writeLongArray(a.searchedSegments);
        w.writeLongArray(a.unavailableSegments);
        w.writeLongArray(a.loadingSegments);
        w.writeIntArray(a.searchedShards);
        w.writeIntArray(a.unavailableShards);
        w.writeInt(a.leaderSegments.size());
        for (List<SegmentRef> segs : a.leaderSegments) {
            w.writeInt(segs.size());
            for (SegmentRef s : segs) {
                w.writeLong(s.id());
                w.writeInt(s.shard());
                w.writeInt(s.slot());
                w.writeInt(s.rows());
                w.writeLong(s.bytes());
                w.writeInt(s.chunks());
            }
        }
        w.writeLongArray(a.leaderVersions);
        w.writeLong(a.serviceNanosPerUnit);
        w.writeInt(a.queue);
        w.writeInt(a.routers);
        w.writeBoolean(a.cancelled);
    }

    @Override public void readBinary(BinaryReader reader) throws BinaryObjectException {
        BinaryRawReader r = reader.rawReader();
        searchId = r.readLong();
        unit = r.readInt();
        error = r.readString();
        if (!r.readBoolean())
            return;
        int[] counts = r.readIntArray();
        long[] pks = r.readLongArray();
        float[] distances = r.readFloatArray();
        long[] searched = r.readLongArray();
        long[] unavailable = r.readLongArray();
        long[] loading = r.readLongArray();
        int[] searchedShards = r.readIntArray();
        int[] unavailableShards = r.readIntArray();
        int n = r.readInt();
        List<List<SegmentRef>> leaderSegments = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int m = r.readInt();
            List<SegmentRef> segs = new ArrayList<>(m);
            for (int j = 0; j < m; j++)
                segs.add(new SegmentRef(r.readLong(), r.readInt(), r.readInt(), r.readInt(), r.readLong(), r.readInt()));
            leaderSegments.add(segs);
        }
        long[] leaderVersions = r.readLongArray();
        long perUnit = r.readLong();
        int queue = r.readInt();
        int routers = r.readInt();
        boolean cancelled = r.readBoolean();
        answer = new NodeAnswer(counts, pks, distances, searched, unavailable, loading, searchedShards, unavailableShards,
            leaderSegments, leaderVersions, perUnit, queue, routers, cancelled);
    }
}
