package io.vecgrid;

import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.segment.ChunkKey;
import io.vecgrid.segment.DeleteKey;
import io.vecgrid.segment.SealedSegment;
import io.vecgrid.segment.SegmentStorage;
import io.vecgrid.shard.RowCodec;
import io.vecgrid.shard.WritePath;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a collection's caches must look like once no layout operation is in progress (after a recovery, say), read
 * straight from the caches through any node, a thick client of node processes included (plain scans: no filter or
 * transformer, whose classes the nodes would lack):
 * <ul>
 *   <li>every shard state: no operation, no forward, no retired segment;</li>
 *   <li>every live key (location entry) is in exactly one place: live in one served segment (not marked deleted
 *   there), or growing (its rows-cache entry unmarked); never in two segments, never in a segment and growing,
 *   never in neither;</li>
 *   <li>no rows-cache entry is marked by a segment the shard does not serve (it would never be sealed again);</li>
 *   <li>no retired segment left in a shard's state, and no chunk and no delete mark of a segment the shard does not
 *   serve (orphans of an undone or replaced one);</li>
 *   <li>the live keys are the expected ones (keys whose last write failed may be either way), {@code count} agrees,
 *   and {@code get} returns every expected key with its newest vector.</li>
 * </ul>
 */
public final class LayoutInvariants {
    private LayoutInvariants() {
    }

    /** Counts found by {@link #check}. */
    public static final class Report {
        public int segments;
        public int sealedLive;
        public int growing;
        /** Rows-cache entries of rows a served segment holds, not handed off yet. */
        public int notHandedOff;
        public int chunks;
        public int marks;

        @Override public String toString() {
            return segments + " segments, " + sealedLive + " live sealed rows, " + growing + " growing, " + notHandedOff +
                " sealed rows not handed off, " + chunks + " chunks, " + marks + " delete marks";
        }
    }

    /**
     * Checks the class comment's rules.
     *
     * @param expected keys that must be live, with their newest vectors.
     * @param gone keys that must not be live.
     * @param unsure keys whose last write failed: live or not, either is fine.
     */
    public static Report check(Ignite ig, String collection, Map<Long, float[]> expected, Set<Long> gone,
        Set<Long> unsure) {
        Set<Long> live = new HashSet<>();
        Report rep = checkLayout(ig, collection, live);
        String what = "collection '" + collection + "': ";
        for (long pk : expected.keySet()) {
            if (!unsure.contains(pk))
                assertTrue(live.contains(pk), what + "acknowledged pk " + pk + " is missing");
        }
        for (long pk : gone) {
            if (!unsure.contains(pk))
                assertTrue(!live.contains(pk), what + "pk " + pk + " is live although its delete was acknowledged");
        }
        for (long pk : live) {
            assertTrue(expected.containsKey(pk) || unsure.contains(pk), what + "pk " + pk + " is live but was never " +
                "acknowledged (nor tried)");
        }
        VectorGrid vg = Vecgrid.of(ig);
        assertEquals(live.size(), vg.count(collection), what + "count");
        long[] pks = expected.keySet().stream().filter(pk -> !unsure.contains(pk)).mapToLong(Long::longValue).toArray();
        int found = 0;
        for (int i = 0; i < pks.length; i += 2000) {
            for (VectorRow r : vg.get(collection, Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 2000)), null)) {
                assertArrayEquals(expected.get(r.pk()), r.vector(), what + "newest vector of pk " + r.pk());
                found++;
            }
        }
        assertEquals(pks.length, found, what + "get finds every acknowledged key");
        return rep;
    }

    /**
     * Checks the class comment's rules about the layout only (not which keys are live).
     *
     * @param liveOut receives the live keys (location entries) found, if not {@code null}.
     */
    public static Report checkLayout(Ignite ig, String collection, Set<Long> liveOut) {
        // The caches are read one after the other, not at one instant: a layout change between two reads (the
        // balancer may move a segment at any time, also once the collection was quiet) would show a half-changed
        // layout. A read is judged only when the shard states were the same before and after it.
        for (int attempt = 1; ; attempt++) {
            long before = stateVersions(ig, collection);
            Set<Long> live = new HashSet<>();
            Report rep;
            try {
                rep = checkLayoutOnce(ig, collection, live);
            }
            catch (AssertionError | RuntimeException e) {
                if (attempt < 5 && stateVersions(ig, collection) != before) {
                    System.out.println("[invariants] the layout changed while it was read (" + e.getMessage() +
                        "); reading it again");
                    continue;
                }
                throw e;
            }
            if (attempt < 5 && stateVersions(ig, collection) != before)
                continue;
            if (liveOut != null)
                liveOut.addAll(live);
            return rep;
        }
    }

    /** @return a value that changes whenever any shard state of the collection changes. */
    private static long stateVersions(Ignite ig, String collection) {
        Vecgrid vg = Vecgrid.local(ig);
        long v = 0;
        for (ShardState s : vg.metaStore().shardStates(vg.metaStore().meta(collection)))
            v = v * 31 + s.version();
        return v;
    }

    private static Report checkLayoutOnce(Ignite ig, String collection, Set<Long> liveOut) {
        Vecgrid vgLocal = Vecgrid.local(ig);
        CollectionMeta meta = vgLocal.metaStore().meta(collection);
        Report rep = new Report();
        String what = "collection '" + collection + "': ";

        // Shard states settled; served segments.
        Map<Long, SegmentRef> served = new HashMap<>();
        for (ShardState st : vgLocal.metaStore().shardStates(meta)) {
            assertEquals(List.of(), st.ops(), what + "shard " + st.shard() + " has operations in progress");
            assertEquals(Map.of(), st.forwards(), what + "shard " + st.shard() + " still forwards segments");
            assertEquals(List.of(), st.retired(), what + "shard " + st.shard() + " still has retired segments");
            for (SegmentRef s : st.segments())
                served.put(s.id(), s);
        }
        rep.segments = served.size();

        // Live rows of every served segment: a key live twice fails.
        Map<Long, List<Long>> marksBySegment = new HashMap<>();
        IgniteCache<Object, Object> deletes = ig.cache(meta.deletesCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = deletes.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur) {
                DeleteKey k = DeleteKey.from(e.getKey());
                marksBySegment.computeIfAbsent(k.segmentId(), x -> new ArrayList<>()).add(k.pk());
                rep.marks++;
            }
        }
        Map<Long, Long> sealedIn = new HashMap<>();
        for (SegmentRef ref : served.values()) {
            SealedSegment seg = SegmentStorage.read(ig, meta, ref);
            long[] pks;
            try {
                pks = seg.pks();
            }
            finally {
                seg.free(); // its image is in direct memory
            }
            Set<Long> dead = new HashSet<>(marksBySegment.getOrDefault(ref.id(), List.of()));
            for (long pk : pks) {
                if (dead.contains(pk))
                    continue;
                Long other = sealedIn.put(pk, ref.id());
                assertTrue(other == null, what + "pk " + pk + " is live in segments " + other + " and " + ref.id());
            }
        }
        rep.sealedLive = sealedIn.size();

        // Growing rows; no entry marked by a segment that is not served.
        Map<Long, Long> rowSeg = new HashMap<>();
        IgniteCache<Object, BinaryObject> rows = ig.cache(meta.rowsCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, BinaryObject>> cur = rows.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, BinaryObject> e : cur)
                rowSeg.put(WritePath.pkOf(e.getKey()), RowCodec.segment(e.getValue()));
        }
        Set<Long> growing = new HashSet<>();
        for (Map.Entry<Long, Long> e : rowSeg.entrySet()) {
            long seg = e.getValue();
            assertTrue(seg == 0 || served.containsKey(seg), what + "growing entry of pk " + e.getKey() +
                " is marked by segment " + seg + ", which the shard does not serve (the row can never be sealed again)");
            if (seg == 0)
                growing.add(e.getKey());
            else {
                rep.notHandedOff++;
                assertEquals(Long.valueOf(seg), sealedIn.get(e.getKey()), what + "pk " + e.getKey() +
                    " is marked by segment " + seg + " but not live in it");
            }
        }
        rep.growing = growing.size();

        // Locations: each live key in exactly one place.
        Map<Long, Long> locSeg = new HashMap<>();
        IgniteCache<Object, BinaryObject> locs = ig.cache(meta.locsCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, BinaryObject>> cur = locs.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, BinaryObject> e : cur)
                locSeg.put(WritePath.pkOf(e.getKey()), RowCodec.segment(e.getValue()));
        }
        for (Map.Entry<Long, Long> e : locSeg.entrySet()) {
            long pk = e.getKey();
            long seg = e.getValue();
            boolean isGrowing = growing.contains(pk);
            Long in = sealedIn.get(pk);
            assertTrue(isGrowing != (in != null), what + "pk " + pk + " (location names segment " + seg + ") is " +
                (isGrowing ? "both growing and live in segment " + in : "neither growing nor live in a served segment"));
            if (in != null)
                assertEquals(Long.valueOf(seg), in, what + "location of pk " + pk + " names another segment than the one holding it");
            else
                assertEquals(0L, seg, what + "location of growing pk " + pk + " names segment " + seg);
        }
        for (long pk : sealedIn.keySet())
            assertTrue(locSeg.containsKey(pk), what + "pk " + pk + " is live in segment " + sealedIn.get(pk) + " but has no location");
        for (long pk : growing)
            assertTrue(locSeg.containsKey(pk), what + "pk " + pk + " is growing but has no location");

        // No orphans: chunks and marks only of served segments.
        Set<Long> chunkOf = new TreeSet<>();
        IgniteCache<Object, Object> segs = ig.cache(meta.segmentsCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = segs.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur) {
                chunkOf.add(ChunkKey.from(e.getKey()).segmentId());
                rep.chunks++;
            }
        }
        chunkOf.removeAll(served.keySet());
        Set<Long> markOf = new TreeSet<>(marksBySegment.keySet());
        markOf.removeAll(served.keySet());
        assertEquals(Set.of(), chunkOf, what + "chunks of segments no shard serves (never published, or unknown)");
        assertEquals(Set.of(), markOf, what + "delete marks of segments no shard serves (never published, or unknown)");

        liveOut.addAll(locSeg.keySet());
        return rep;
    }

    /**
     * Waits until no shard of the collection has an operation in progress or a forward, and no shard state has changed
     * for {@code quietMs} (longer than the coordinator's quiet time, so that merges of quiet shards had their chance).
     */
    public static void awaitQuiet(Ignite ig, String collection, long quietMs, long timeoutMs) {
        CollectionMeta meta = Vecgrid.local(ig).metaStore().meta(collection);
        long[] last = {-1, System.currentTimeMillis()};
        List<String> busy = new ArrayList<>();
        try {
            TestCluster.awaitTrue("collection '" + collection + "' quiet for " + quietMs + " ms", () -> {
                long v = stateVersions(ig, collection);
                busy.clear();
                for (ShardState s : Vecgrid.local(ig).metaStore().shardStates(meta)) {
                    if (s.changing())
                        busy.add(s.toString());
                }
                long now = System.currentTimeMillis();
                if (!busy.isEmpty() || v != last[0]) {
                    last[0] = v;
                    last[1] = now;
                    return false;
                }
                return now - last[1] >= quietMs;
            }, timeoutMs);
        }
        catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; in progress: " + busy, e);
        }
    }

    /** @return the live keys the collection holds now (its location entries). */
    public static Set<Long> liveKeys(Ignite ig, String collection) {
        CollectionMeta meta = Vecgrid.local(ig).metaStore().meta(collection);
        Set<Long> res = new HashSet<>();
        IgniteCache<Object, BinaryObject> locs = ig.cache(meta.locsCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, BinaryObject>> cur = locs.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, BinaryObject> e : cur)
                res.add(WritePath.pkOf(e.getKey()));
        }
        return res;
    }

    /** @return ids of the segments with a chunk or a delete mark in the caches (served or not). */
    public static Set<Long> storedSegments(Ignite ig, String collection) {
        CollectionMeta meta = Vecgrid.local(ig).metaStore().meta(collection);
        Set<Long> res = new TreeSet<>();
        IgniteCache<Object, Object> segs = ig.cache(meta.segmentsCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = segs.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur)
                res.add(ChunkKey.from(e.getKey()).segmentId());
        }
        IgniteCache<Object, Object> deletes = ig.cache(meta.deletesCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = deletes.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur)
                res.add(DeleteKey.from(e.getKey()).segmentId());
        }
        return res;
    }
}
