package io.vecgrid.segment;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code keepLoadedSegmentChunks = false} (clusters without persistence): once every owner of a segment's slot holds a
 * loaded copy, its chunks but chunk 0's header leave the segments cache, and everything that read them reads a loaded
 * copy instead: searches stay exact, {@code get} returns sealed rows, merges read their released sources, a replica
 * change copies released segments, and a node that becomes an owner (a node joins, an owner is killed) loads its copy
 * from another node's (with one replica, from the node that gave the slot up, which keeps its copy until then). Every
 * result is checked against brute force over the live rows. {@code InMemoryKillProcessIT} kills a node process.
 */
class ReleasedChunksTest {
    private static final int DIM = 32;
    private static final int SEAL_ROWS = 1500;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> {
            c.setSealRows(SEAL_ROWS);
            c.setKeepLoadedSegmentChunks(false);
            c.setSegmentChunkBytes(64 << 10); // several chunks per segment
            c.setReplacedSegmentGraceMillis(200);
        }).startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void releasedSegmentsServeSearchesGetsMergesNewOwnersAndReplicaChanges() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("two").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build());
        vg.createCollection(CollectionSpec.builder("one").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(1).build());
        Map<String, Map<Long, float[]>> live = new HashMap<>();
        for (String c : List.of("two", "one")) {
            List<VectorRow> rows = TestRows.rows(0, 6000, DIM);
            vg.insert(c, rows);
            vg.flush(c);
            Map<Long, float[]> m = new HashMap<>();
            rows.forEach(r -> m.put(r.pk(), r.vector()));
            live.put(c, m);
        }
        for (String c : List.of("two", "one"))
            awaitReleased(c);
        checkAll(vg, live, "released");

        // Deletes and a second load: the new small segments are merged with released sources.
        Map<String, CollectionTarget> before = new HashMap<>();
        for (String c : List.of("two", "one")) {
            before.put(c, new SegmentInspector(cluster.node("s0"), c).target());
            long[] gone = new long[300];
            for (int i = 0; i < gone.length; i++)
                gone[i] = i * 17L;
            vg.delete(c, gone);
            for (long pk : gone)
                live.get(c).remove(pk);
            List<VectorRow> more = TestRows.rows(6000, 3000, DIM);
            vg.insert(c, more);
            more.forEach(r -> live.get(c).put(r.pk(), r.vector()));
            vg.flush(c);
        }
        for (String c : List.of("two", "one")) {
            // Every segment before the second load replaced (merged with the new ones).
            TestCluster.awaitTrue("a merge of '" + c + "'", () -> {
                CollectionTarget t = new SegmentInspector(cluster.node("s0"), c).target();
                return t.segments().stream().noneMatch(s -> before.get(c).segments().stream().anyMatch(b -> b.id() == s.id()));
            }, 120_000);
            awaitReleased(c);
        }
        checkAll(vg, live, "merged");

        // A node joins: slots move to it, and it loads its copies from other nodes' (with one replica, from the node
        // that gave the slot up, which keeps its copy until then).
        cluster.start("s3");
        for (String c : List.of("two", "one"))
            awaitReleased(c);
        checkAll(vg, live, "after a node joined");

        // An owner dies: with two replicas the new owners load from the survivors (with one, its rows would be gone).
        vg.dropCollection("one");
        SegmentInspector two = new SegmentInspector(cluster.node("s0"), "two");
        ClusterNode owner = cluster.node("s0").affinity(two.meta().segmentsCache())
            .mapPartitionToPrimaryAndBackups(two.target().segments().get(0).slot()).iterator().next();
        String victim = cluster.nameOf(owner.id());
        cluster.crash(victim);
        Map<String, Map<Long, float[]>> twoOnly = Map.of("two", live.get("two"));
        checkAll(Vecgrid.of(cluster.node(alive(victim))), twoOnly, "after a node died");
        awaitReleased("two");
        checkAll(Vecgrid.of(cluster.node(alive(victim))), twoOnly, "after the new owners loaded");

        // A replica change copies the released segments into the new generation's caches.
        long copiedBefore = imagesCopied();
        assertEquals(3, Vecgrid.of(cluster.node(alive(victim))).setReplicaNumber("two", 3).replicaNumber());
        awaitReleased("two");
        checkAll(Vecgrid.of(cluster.node(alive(victim))), twoOnly, "after the change to 3 replicas");
        // The new generation's chunks were written from the old generation's loaded copies (it had no chunks).
        assertTrue(imagesCopied() > copiedBefore, "segment images copied from loaded copies");
    }

    /** @return segment images the running nodes read from loaded copies. */
    private static long imagesCopied() {
        long n = 0;
        for (Ignite ig : cluster.servers())
            n += Vecgrid.local(ig).segments().imagesCopied();
        return n;
    }

    /** @return a node other than {@code dead}. */
    private static String alive(String dead) {
        return dead.equals("s0") ? "s1" : "s0";
    }

    @Test
    void aPersistentNodeRefusesToReleaseChunks() {
        try (TestCluster p = new TestCluster().persistentTemp("vecgrid-release").configure(c -> c.setKeepLoadedSegmentChunks(false))) {
            Exception e = p.startRefused("p0");
            String msg = messages(e);
            assertTrue(msg.contains("keepLoadedSegmentChunks must be true on a node with native persistence"), msg);
        }
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause())
            b.append(t.getMessage()).append(" | ");
        return b.toString();
    }

    /** Waits until every owner of every segment of the collection holds a loaded copy and its chunks are released. */
    private static void awaitReleased(String collection) {
        TestCluster.awaitTrue("the segments of '" + collection + "' loaded by every owner and released", () -> {
            Ignite any = cluster.servers().get(0);
            SegmentInspector insp = new SegmentInspector(any, collection);
            CollectionMeta meta = insp.meta();
            CollectionTarget target = insp.target();
            if (target.segments().isEmpty())
                return false;
            IgniteCache<ChunkKey, byte[]> cache = any.cache(meta.segmentsCache());
            for (SegmentRef ref : target.segments()) {
                byte[] first = cache.get(new ChunkKey(ref.id(), 0, ref.slot()));
                if (first == null || !SealedSegment.released(first))
                    return false;
                for (int c = 1; c < ref.chunks(); c++) {
                    if (cache.containsKey(new ChunkKey(ref.id(), c, ref.slot())))
                        return false;
                }
                for (ClusterNode n : any.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(ref.slot())) {
                    LoadedSegment copy = Vecgrid.local(cluster.byId(n)).segments().get(meta, ref.id());
                    if (copy == null || !copy.serviceable())
                        return false;
                }
            }
            // What the cache holds of segments is their headers alone (one entry per segment, each copy).
            long entries = cache.sizeLong(CachePeekMode.PRIMARY);
            return entries == target.segments().size();
        }, 120_000);
    }

    /** Every search exact over the live rows, and {@code get} returns sealed rows' vectors. */
    private static void checkAll(VectorGrid vg, Map<String, Map<Long, float[]>> live, String what) {
        Random rnd = new Random(what.hashCode());
        for (Map.Entry<String, Map<Long, float[]>> e : live.entrySet()) {
            Oracle oracle = new Oracle(Metric.L2, e.getValue());
            for (int i = 0; i < 15; i++) {
                float[] q = TestRows.vector(rnd.nextInt(20_000), DIM);
                oracle.assertExact(q, 10, vg.search(SearchRequest.builder(e.getKey(), new float[][] {q}, 10).build()).hits(0),
                    null, what + ": search of '" + e.getKey() + "'");
            }
            long[] pks = java.util.stream.LongStream.of(1, 2, 4500, 5999, 6001, 8999)
                .filter(pk -> e.getValue().containsKey(pk)).toArray();
            List<VectorRow> got = vg.get(e.getKey(), pks, null);
            assertEquals(pks.length, got.size(), what + ": get of '" + e.getKey() + "'");
            for (VectorRow r : got)
                assertArrayEquals(e.getValue().get(r.pk()), r.vector(), what + ": vector of pk " + r.pk());
        }
    }
}
