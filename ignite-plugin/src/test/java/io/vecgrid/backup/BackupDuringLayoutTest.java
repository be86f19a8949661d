package io.vecgrid.backup;

import io.vecgrid.LayoutInvariants;
import io.vecgrid.LayoutPause;
import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.ShardState;
import io.vecgrid.segment.LayoutHooks;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup taken while a seal or a merge is held between two of its steps ({@link LayoutPause}), on three persistent
 * nodes with no write in flight, so the state the backup must hold is known exactly: sealed rows upserted and deleted
 * (delete marks), growing rows upserted and deleted. The operation then finishes on the live collection, which is
 * dropped and restored. The restored shard states hold the operation as it was at the backup (a seal still building,
 * a merge published but not finished); a copy nobody drives, which the coordinator recovers once it is old enough.
 * Before that recovery and after it, count and get return exactly the rows of the backup and every search through
 * every node is exact against them; after it, the layout is clean ({@link LayoutInvariants}: every key in one place,
 * no orphaned chunk or mark). Then the restored collection takes inserts, upserts and deletes, searched exactly at once
 * and after a flush seals them (Ignite's snapshot restore alone starts the caches without their interceptors, which
 * lost those writes to searches: see {@code NodeSnapshotConfigs}).
 */
class BackupDuringLayoutTest {
    private static final int DIM = 8;
    private static final int SHARDS = 2;
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        assertTrue(LayoutPause.armed(), "layout hooks armed");
        // Seals by flush only (a seal size no test reaches); small segments merge; no rewrite for deletes; no moves.
        cluster = new TestCluster().persistentTemp("vecgrid-backup-layout").configure(c -> c.setSealRows(100_000)
            .setSmallSegmentRatio(0.5).setDeletedRatio(1).setBalanceTolerance(100).setSegmentMaxBytes(1L << 20)
            .setReplacedSegmentGraceMillis(200)).regionBytes(96L << 20).startServers(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @ParameterizedTest
    @EnumSource(value = LayoutHooks.Point.class, names = {"SEAL_MARKED", "SEAL_PUBLISHED", "MERGE_PUBLISHED"})
    void restoreOfABackupTakenMidOperationIsExact(LayoutHooks.Point point) throws Exception {
        String name = "mid_" + point.name().toLowerCase();
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(SHARDS).replicas(2).build());
        CollectionMeta meta = Vecgrid.local(cluster.any()).metaStore().meta(name);
        Map<Long, float[]> expected = new HashMap<>();
        insert(vg, name, expected, 0, 600);
        vg.flush(name);
        // Sealed rows upserted (their old versions get delete marks) and deleted.
        upsert(vg, name, expected, 0, 60, 1);
        delete(vg, name, expected, 60, 40);

        AtomicReference<Throwable> flushFailure = new AtomicReference<>();
        Thread flusher;
        LayoutHooks.Stop stop;
        try (LayoutPause pause = LayoutPause.at(point, name, 1)) {
            if (point.kind() == LayoutOp.Kind.MERGE) {
                // A second small segment per shard: the coordinator merges them with the first ones.
                insert(vg, name, expected, 1000, 600);
                vg.flush(name);
                flusher = null;
            }
            else {
                // Growing rows, some upserted and deleted, and a flush that seals them (held at the point).
                insert(vg, name, expected, 2000, 400);
                upsert(vg, name, expected, 2000, 30, 2);
                delete(vg, name, expected, 2030, 20);
                flusher = new Thread(() -> {
                    try {
                        vg.flush(name);
                    }
                    catch (Throwable t) {
                        flushFailure.set(t);
                    }
                }, "flush-" + name);
                flusher.start();
            }
            stop = pause.awaitWaiting(1, 120_000).get(0);
            LayoutOp held = state(meta, stop.shard()).op(stop.op().segment());
            if (point == LayoutHooks.Point.SEAL_PUBLISHED)
                assertNull(held, "a published seal is over in the shard's state");
            else
                assertNotNull(held, "the operation is in the shard's state while held at " + point);
            Vecgrid.local(cluster.node("s1")).backups().create(name);
        }
        if (flusher != null) {
            flusher.join(120_000);
            assertFalse(flusher.isAlive(), "the flush returned once the seal went on");
            assertNull(flushFailure.get(), () -> "flush failed: " + flushFailure.get());
        }
        // Changes after the backup, which the restore must not bring back.
        upsert(vg, name, new HashMap<>(), 100, 50, 3);
        vg.delete(name, TestRows.pks(150, 50));
        LayoutInvariants.awaitQuiet(cluster.any(), name, 500, 120_000);

        vg.dropCollection(name);
        Vecgrid.local(cluster.node("s2")).backups().restore(name, List.of(name));
        CollectionMeta restored = Vecgrid.local(cluster.any()).metaStore().meta(name);
        List<LayoutOp> ops = new ArrayList<>();
        for (ShardState s : Vecgrid.local(cluster.any()).metaStore().shardStates(restored))
            ops.addAll(s.ops());
        System.out.printf("[backup-mid-layout] %s: restored with operations %s%n", point, ops);
        if (point != LayoutHooks.Point.SEAL_PUBLISHED)
            assertTrue(ops.stream().anyMatch(op -> op.segment() == stop.op().segment()),
                "the restored shard state holds the operation held at the backup: " + ops);

        assertExact(name, expected, "restored, operation " + point + " not recovered yet");
        TestCluster.awaitTrue("the restored operations recovered", () -> {
            for (ShardState s : Vecgrid.local(cluster.any()).metaStore().shardStates(restored)) {
                if (!s.ops().isEmpty())
                    return false;
            }
            return true;
        }, 120_000);
        LayoutInvariants.awaitQuiet(cluster.any(), name, 500, 120_000);
        assertExact(name, expected, "restored, after recovery");
        LayoutInvariants.check(cluster.any(), name, expected, gone(expected), Set.of());

        // The restored collection takes writes: new rows, upserts and deletes of sealed rows are seen by searches at
        // once (the restored caches have their interceptors), and a flush seals exactly the new rows.
        insert(vg, name, expected, 5000, 200);
        upsert(vg, name, expected, 0, 20, 4);
        delete(vg, name, expected, 200, 20);
        assertExact(name, expected, "restored, then written");
        vg.flush(name);
        LayoutInvariants.awaitQuiet(cluster.any(), name, 500, 120_000);
        assertExact(name, expected, "restored, then written and sealed");
        LayoutInvariants.check(cluster.any(), name, expected, gone(expected), Set.of());
        vg.dropCollection(name);
    }

    /** count and get equal {@code expected}; searches through every node are exact against it. */
    private static void assertExact(String name, Map<Long, float[]> expected, String when) {
        Set<Long> probe = new HashSet<>(expected.keySet());
        for (long pk = 0; pk < 6000; pk += 7)
            probe.add(pk);
        long[] pks = probe.stream().mapToLong(Long::longValue).toArray();
        for (Ignite ig : cluster.servers()) {
            VectorGrid vg = Vecgrid.of(ig);
            assertEquals(expected.size(), vg.count(name), when + ": count via " + ig.name());
            Map<Long, float[]> got = new HashMap<>();
            for (VectorRow r : vg.get(name, pks, null))
                got.put(r.pk(), r.vector());
            assertEquals(expected.keySet(), got.keySet(), when + ": keys get finds via " + ig.name());
            for (Map.Entry<Long, float[]> e : expected.entrySet())
                assertTrue(Arrays.equals(e.getValue(), got.get(e.getKey())), when + ": vector of pk " + e.getKey());
            Oracle oracle = new Oracle(Metric.L2, expected);
            for (int q = 0; q < 8; q++) {
                float[] query = TestRows.vector(90_000_000 + q * 13L, DIM);
                SearchResult res = vg.search(SearchRequest.builder(name, new float[][] {query}, 30).build());
                assertFalse(res.partial(), when);
                oracle.assertExact(query, 30, res.hits(0), null, when + ": query " + q + " via " + ig.name());
            }
        }
    }

    /** @return the keys this test may have written that are not live in {@code expected}. */
    private static Set<Long> gone(Map<Long, float[]> expected) {
        Set<Long> gone = new HashSet<>();
        for (long pk = 0; pk < 6000; pk++) {
            if (!expected.containsKey(pk))
                gone.add(pk);
        }
        return gone;
    }

    private static ShardState state(CollectionMeta meta, int shard) {
        return Vecgrid.local(cluster.any()).metaStore().shardState(meta, shard);
    }

    private static void insert(VectorGrid vg, String name, Map<Long, float[]> expected, long from, int n) {
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = from; pk < from + n; pk++)
            rows.add(new VectorRow(pk, TestRows.vector(pk, DIM), Map.of()));
        vg.insert(name, rows);
        rows.forEach(r -> expected.put(r.pk(), r.vector()));
    }

    /** Upserts {@code from .. from+n-1} with vectors of another {@code version}. */
    private static void upsert(VectorGrid vg, String name, Map<Long, float[]> expected, long from, int n, int version) {
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = from; pk < from + n; pk++)
            rows.add(new VectorRow(pk, TestRows.vector(pk + version * 10_000_000L, DIM), Map.of()));
        vg.upsert(name, rows);
        rows.forEach(r -> expected.put(r.pk(), r.vector()));
    }

    private static void delete(VectorGrid vg, String name, Map<Long, float[]> expected, long from, int n) {
        vg.delete(name, TestRows.pks(from, n));
        for (long pk = from; pk < from + n; pk++)
            expected.remove(pk);
    }
}
