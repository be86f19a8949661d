package io.vecgrid.shard;

import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.segment.SealedSegment;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** insert / upsert / delete / get / count / flush and sealing, on three real nodes with replicaNumber 2. */
class WritePathTest {
    private static final int DIM = 8;
    private static final int SEAL_ROWS = 300;

    private static TestCluster cluster;
    private static VectorGrid vg;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(SEAL_ROWS))).startServers(3);
        vg = Vecgrid.of(cluster.node("s0"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static void create(String name) {
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(2).build());
    }

    private static void insert(String name, long from, int n) {
        for (int i = 0; i < n; i += 100)
            vg.insert(name, TestRows.rows(from + i, Math.min(100, n - i), DIM));
    }

    @Test
    void writesSealsAndReadsBack() {
        create("basic");
        insert("basic", 0, 700);
        SegmentInspector insp = new SegmentInspector(cluster.node("s1"), "basic");
        // 350 rows per shard on average: each shard passes the 300-row threshold and seals once by itself.
        TestCluster.awaitTrue("automatic seals", () -> insp.target().segments().size() >= 2, 30_000);
        assertEquals(700, vg.count("basic"));

        List<VectorRow> got = vg.get("basic", TestRows.pks(0, 700), null);
        assertEquals(700, got.size());
        for (VectorRow r : got) {
            assertArrayEquals(TestRows.vector(r.pk(), DIM), r.vector(), "vector of " + r.pk());
            assertEquals(r.pk() % 10, r.field("tag"));
            assertEquals("row-" + r.pk(), r.field("name"));
        }
        VectorRow onlyName = vg.get("basic", new long[] {7}, List.of("name")).get(0);
        assertEquals(null, onlyName.vector());
        assertEquals(Map.of("name", "row-7"), onlyName.fields());

        vg.flush("basic");
        CollectionTarget t = insp.target();
        assertEquals(700, t.segments().stream().mapToInt(SegmentRef::rows).sum(), "flush seals every growing row");
        for (SegmentRef ref : t.segments()) {
            SealedSegment seg = insp.segment(ref);
            assertEquals(ref.rows(), seg.rows());
            assertTrue(ref.rows() <= SEAL_ROWS);
            for (long pk : seg.pks())
                assertEquals(ref.shard(), RowKey.shardOf(pk, 2), "segment holds rows of its own shard only");
        }
        for (int shard = 0; shard < 2; shard++) {
            for (ClusterNode n : insp.owners(shard))
                assertEquals(0, insp.view(cluster.byId(n), shard).growingCount(), "nothing growing after flush");
        }

        // Upsert sealed rows: new values win, the sealed copies get delete marks.
        List<VectorRow> up = new ArrayList<>();
        for (long pk = 0; pk < 10; pk++)
            up.add(new VectorRow(pk, TestRows.vector(pk + 5000, DIM), Map.of("name", "new-" + pk)));
        assertEquals(10, vg.upsert("basic", up));
        assertEquals(700, vg.count("basic"));
        for (VectorRow r : vg.get("basic", TestRows.pks(0, 10), null)) {
            assertEquals("new-" + r.pk(), r.field("name"));
            assertArrayEquals(TestRows.vector(r.pk() + 5000, DIM), r.vector());
        }
        Set<Long> marked = new HashSet<>();
        for (SegmentRef ref : t.segments())
            marked.addAll(insp.deleted(ref.id()));
        assertEquals(Set.copyOf(box(TestRows.pks(0, 10))), marked);

        // Delete sealed rows (10..19) and growing ones (0..4 are growing again after the upsert).
        assertEquals(15, vg.delete("basic", concat(TestRows.pks(10, 10), TestRows.pks(0, 5), new long[] {99_999})));
        assertEquals(685, vg.count("basic"));
        assertEquals(0, vg.get("basic", concat(TestRows.pks(10, 10), TestRows.pks(0, 5)), null).size());
        for (int shard = 0; shard < 2; shard++) {
            Set<Long> live = insp.sealedLive(insp.target(), shard);
            for (long pk = 0; pk < 20; pk++)
                assertTrue(!live.contains(pk), "pk " + pk + " must not be live in a sealed segment");
        }

        // Every owner of a shard keeps the same growing rows: 5..9 (upserted) and 1000..1099 (new).
        insert("basic", 1000, 100);
        for (int shard = 0; shard < 2; shard++) {
            Set<Long> expected = new HashSet<>();
            for (long pk : concat(TestRows.pks(5, 5), TestRows.pks(1000, 100))) {
                if (RowKey.shardOf(pk, 2) == shard)
                    expected.add(pk);
            }
            List<ClusterNode> owners = insp.owners(shard);
            assertEquals(2, owners.size());
            for (ClusterNode n : owners) {
                Ignite ig = cluster.byId(n);
                assertEquals(expected, insp.growingFor(ig, insp.target(), shard), "growing rows on " + ig.name());
            }
        }
        vg.dropCollection("basic");
    }

    /**
     * Writers insert new rows while shards seal every 300 rows. Meanwhile, over and over, the test reads a target
     * version and an owner's rows: every row acknowledged before the check is in a segment of that target or among
     * the rows searched as growing for it, and never in both.
     */
    @Test
    void noRowInBothOrNeitherWhileSealing() throws Exception {
        create("conc");
        SegmentInspector insp = new SegmentInspector(cluster.node("s2"), "conc");
        Set<Long> acked = new ConcurrentSkipListSet<>();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            long base = w * 1_000_000L;
            writers.add(pool.submit(() -> {
                for (int b = 0; b < 60; b++) {
                    List<VectorRow> rows = TestRows.rows(base + b * 50L, 50, DIM);
                    vg.insert("conc", rows);
                    rows.forEach(r -> acked.add(r.pk()));
                }
                return null;
            }));
        }
        long firstVersion = insp.target().version();
        int checks = 0;
        Set<Long> versionsSeen = new HashSet<>();
        while (!writers.stream().allMatch(Future::isDone) || checks < 5) {
            for (int shard = 0; shard < 2; shard++) {
                Set<Long> ackedBefore = new HashSet<>(acked);
                Ignite owner = cluster.byId(insp.owners(shard).get(checks % 2));
                CollectionTarget target = Vecgrid.local(owner).metaStore().target("conc");
                versionsSeen.add(target.version());
                Set<Long> growing = insp.growingFor(owner, target, shard);
                Set<Long> sealed = insp.sealedLive(target, shard);
                for (long pk : growing)
                    assertTrue(!sealed.contains(pk), "pk " + pk + " is both growing and sealed in target " + target.version());
                for (long pk : ackedBefore) {
                    if (RowKey.shardOf(pk, 2) == shard)
                        assertTrue(growing.contains(pk) || sealed.contains(pk),
                            "acknowledged pk " + pk + " is neither growing nor sealed in target " + target.version());
                }
            }
            checks++;
        }
        for (Future<?> f : writers)
            f.get();
        pool.shutdown();
        done.set(true);
        assertTrue(insp.target().version() > firstVersion + 4, "shards sealed repeatedly while the writers ran");
        assertTrue(versionsSeen.size() > 2, "checks ran against several target versions: " + versionsSeen);

        vg.flush("conc");
        assertEquals(6000, vg.count("conc"));
        Set<Long> all = new HashSet<>();
        for (int shard = 0; shard < 2; shard++) {
            Set<Long> live = insp.sealedLive(insp.target(), shard);
            for (long pk : live)
                assertTrue(all.add(pk));
        }
        assertEquals(acked, all, "after flush every acknowledged row is in exactly one sealed segment");
        vg.dropCollection("conc");
    }

    private static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts)
            n += p.length;
        long[] res = new long[n];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, res, i, p.length);
            i += p.length;
        }
        return res;
    }

    private static List<Long> box(long[] a) {
        List<Long> res = new ArrayList<>();
        for (long v : a)
            res.add(v);
        return res;
    }
}
