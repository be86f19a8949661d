package io.vecgrid.segment;

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
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.ShardState;
import org.apache.ignite.Ignite;
import org.apache.ignite.spi.metric.LongMetric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A layout operation left in a shard's state by a driver that is still alive but no longer drives it (it gave up and
 * its own undo failed) is recovered by the coordinator on the driver's node, once it is older than
 * {@link io.vecgrid.coordinator.RecoveryChecker}'s threshold; an operation a thread of its node still drives is not.
 * The left-behind operation is written into the shard's state as such a driver would leave it.
 */
class OrphanedOperationTest {
    private static final int DIM = 8;
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setSealRows(200)).startServers(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void anOperationItsLiveDriverGaveUpIsUndoneByTheCoordinator() {
        // Two copies: the driver (s1) holds the shard's rows and undoes the operation itself.
        leaveOperationAndAwaitUndo("orphan", 2, 0, meta -> cluster.node("s1"));
    }

    /**
     * The same, when the driver no longer holds the shard's rows (a node left and the partition moved while it drove
     * the operation): undoing needs them, so the driver's node hands the recovery to the shard's primary. Before, the
     * recovery failed on the driver's node ("not OWNING ... cannot undo segment here") every time the coordinator
     * tried it, and the operation stayed for good (`LayoutRecoveryTest` met it once in a full build).
     */
    @Test
    void anOperationGivenUpByADriverThatNoLongerHoldsTheShardIsUndoneOnItsPrimary() {
        // One copy: of the two servers, the one that does not hold the shard's rows is made the driver.
        leaveOperationAndAwaitUndo("orphan1", 1, 1_000_000, meta -> {
            java.util.Collection<org.apache.ignite.cluster.ClusterNode> owners =
                cluster.node("s0").affinity(meta.rowsCache()).mapPartitionToPrimaryAndBackups(0);
            for (Ignite ig : cluster.servers()) {
                if (owners.stream().noneMatch(n -> n.id().equals(ig.cluster().localNode().id())))
                    return ig;
            }
            return null;
        });
    }

    /**
     * A merge or move may be finished on a node the shard's partition left while it ran; its hand-off must still take
     * out the growing entries of rows a published seal left marked (its driver died between publishing and handing
     * off), because the sources stop being forwarded right after. Before, the hand-off did nothing on a node without
     * the shard's rows, and such rows stayed marked by a segment the shard no longer knew (`LayoutRecoveryTest` met it
     * once in a full build: "growing entry ... is marked by segment 258, which the shard does not serve").
     */
    @Test
    void rowsAPublishedSealLeftMarkedAreHandedOffFromANodeWithoutTheShard() throws Exception {
        String name = "handoff_elsewhere";
        Ignite s0 = cluster.node("s0");
        VectorGrid vg = Vecgrid.of(s0);
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(1).replicas(1).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(2_000_000, 150, DIM); // under sealRows: only the flush seals them
        vg.insert(name, rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        CollectionMeta meta = Vecgrid.local(s0).metaStore().meta(name);
        Ignite elsewhere = null;
        java.util.Collection<org.apache.ignite.cluster.ClusterNode> owners =
            s0.affinity(meta.rowsCache()).mapPartitionToPrimaryAndBackups(0);
        for (Ignite ig : cluster.servers()) {
            if (owners.stream().noneMatch(n -> n.id().equals(ig.cluster().localNode().id())))
                elsewhere = ig;
        }
        assertNotNull(elsewhere, "a server without the shard's rows");
        Thread flush;
        try (LayoutPause pause = LayoutPause.at(LayoutHooks.Point.SEAL_PUBLISHED, name, 1)) {
            flush = new Thread(() -> vg.flush(name), "flush-" + name);
            flush.start();
            LayoutHooks.Stop stop = pause.awaitWaiting(1, 60_000).get(0);
            assertEquals(150, s0.cache(meta.rowsCache()).size(), "the sealed rows are still in the rows cache");
            Vecgrid other = Vecgrid.local(elsewhere);
            LayoutSteps steps = new LayoutSteps(elsewhere, other.metaStore(), other.growing(), other.routing());
            assertNull(steps.shardRows(meta, 0), elsewhere.name() + " holds no view of the shard");
            assertEquals(150, steps.handOff(meta, 0), "rows of segment " + stop.op().segment() + " handed off");
            assertEquals(0, s0.cache(meta.rowsCache()).size(), "the rows cache holds no sealed row");
        }
        flush.join(60_000);
        Oracle oracle = new Oracle(Metric.L2, live);
        for (int i = 0; i < 10; i++) {
            float[] q = TestRows.vector(3_000_000 + i, DIM);
            oracle.assertExact(q, 10, vg.search(SearchRequest.builder(name, new float[][] {q}, 10).build()).hits(0),
                pk -> true, "search " + i);
        }
        vg.dropCollection(name);
    }

    /**
     * Loads a one-shard collection, writes into its shard's state a seal of {@code driverOf}'s node that began a
     * minute ago and whose undo failed (BUILDING, driver alive), and checks that the coordinator undoes it exactly once
     * and that searches stay exact.
     */
    private static void leaveOperationAndAwaitUndo(String name, int replicas, long querySeed,
        java.util.function.Function<CollectionMeta, Ignite> driverOf) {
        Ignite s0 = cluster.node("s0");
        VectorGrid vg = Vecgrid.of(s0);
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(1).replicas(replicas).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 500, DIM);
        vg.insert(name, rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush(name);
        MetaStore store = Vecgrid.local(s0).metaStore();
        CollectionMeta meta = store.meta(name);
        Ignite driver = driverOf.apply(meta);
        assertNotNull(driver, "a driver node to leave the operation behind");
        ShardState st = store.shardState(meta, 0);
        LayoutOp left = new LayoutOp(LayoutOp.Kind.SEAL, st.nextSegmentId(), 0, List.of(), LayoutOp.Phase.BUILDING,
            driver.cluster().localNode().id(), System.currentTimeMillis() - 60_000);
        long before = recoveries();
        store.putShardState(meta, st.withOp(left));

        TestCluster.awaitTrue("the left-behind operation to be undone", () ->
            store.shardState(meta, 0).op(left.segment()) == null, 60_000);
        assertNull(store.shardState(meta, 0).segment(left.segment()), "its segment is not served");
        assertEquals(before + 1, recoveries(), "recovered once (Recoveries metric)");

        Oracle oracle = new Oracle(Metric.L2, live);
        for (int i = 0; i < 20; i++) {
            float[] q = TestRows.vector(1_000_000 + querySeed + i, DIM);
            SearchResult r = vg.search(SearchRequest.builder(name, new float[][] {q}, 10).build());
            oracle.assertExact(q, 10, r.hits(0), pk -> true, "search " + i);
        }
    }

    private static long recoveries() {
        long n = 0;
        for (Ignite ig : cluster.servers())
            n += ((LongMetric)ig.metrics().getOrCreate("vecgrid").findMetric("Recoveries")).value();
        return n;
    }
}
