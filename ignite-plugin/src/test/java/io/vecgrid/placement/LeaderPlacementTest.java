package io.vecgrid.placement;

import io.vecgrid.LayoutInvariants;
import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchDiagnostics;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once a collection settles, its segments move onto nodes holding growing rows of the collection (shard leaders) when
 * that leaves the layout no less even: every search asks each shard's leader for its growing rows anyway, so a segment
 * there rides in a job sent regardless. Three servers, two shards, one copy (each shard's rows on one node): settled
 * at one segment per shard, a search touches two nodes, not three, whichever nodes lead the shards, and stays exact.
 */
class LeaderPlacementTest {
    private static final int DIM = 8;
    private static final int SHARDS = 2;
    private static TestCluster cluster;
    private static Ignite client;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setSealRows(300)).regionBytes(96L << 20).startServers(3);
        client = cluster.startClient("c");
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void aSettledSearchTouchesOnlyTheShardsLeadersAndTheNodesTheBalanceNeeds() {
        String name = "near_leaders";
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(SHARDS).replicas(1).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 3000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        for (int i = 0; i < rows.size(); i += 1000)
            vg.insert(name, rows.subList(i, i + 1000));
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush(name);
        CollectionMeta meta = Vecgrid.local(client).metaStore().meta(name);
        TestCluster.awaitTrue("one segment per shard", () -> {
            for (ShardState st : Vecgrid.local(client).metaStore().shardStates(meta)) {
                if (st.segments().size() != 1)
                    return false;
            }
            return true;
        }, 120_000);
        Map<Integer, Set<UUID>> leaders = new HashMap<>();
        for (int sh = 0; sh < SHARDS; sh++) {
            leaders.put(sh, client.affinity(meta.rowsCache()).mapPartitionToPrimaryAndBackups(sh).stream()
                .map(ClusterNode::id).collect(Collectors.toSet()));
        }
        Set<UUID> leading = new HashSet<>();
        leaders.values().forEach(leading::addAll);
        // Both segments on leaders, unless one node leads both shards: then one there and one elsewhere (both on it
        // would double its load).
        long expected = leading.size() == 1 ? 1 : 2;
        Map<Integer, UUID> holder = new HashMap<>();
        awaitOnLeaders(meta, leading, expected, holder);
        System.out.println("[leader placement] settled: leaders " + leaders + ", segment holders " + holder);

        // Wherever the merges put them, a segment moved off its leader onto the node holding nothing comes back:
        // the balance is the same either way (one node empty), so only the co-location moves it.
        int shard = holder.entrySet().stream().filter(e -> leading.contains(e.getValue())).findFirst().orElseThrow()
            .getKey();
        Set<UUID> empty = cluster.servers().stream().map(ig -> ig.cluster().localNode().id())
            .filter(id -> !holder.containsValue(id)).collect(Collectors.toSet());
        assertEquals(1, empty.size(), "one server holds no segment: " + holder);
        UUID to = empty.iterator().next();
        int slot = -1;
        for (int p = 0; p < meta.segmentSlots() && slot < 0; p++) {
            if (client.affinity(meta.segmentsCache()).mapPartitionToNode(p).id().equals(to))
                slot = p;
        }
        UUID primary = client.affinity(meta.rowsCache()).mapPartitionToNode(shard).id();
        Ignite driver = cluster.servers().stream().filter(ig -> ig.cluster().localNode().id().equals(primary))
            .findFirst().orElseThrow();
        long seg = Vecgrid.local(client).metaStore().shardState(meta, shard).segments().get(0).id();
        assertTrue(Vecgrid.local(driver).rewriter().move(meta, shard, seg, slot) != null, "moved segment " + seg);
        System.out.println("[leader placement] moved shard " + shard + "'s segment onto node " + to);
        awaitOnLeaders(meta, leading, expected, holder);
        String layout = "leaders " + leaders + ", segment holders " + holder;
        System.out.println("[leader placement] again: " + layout);
        LayoutInvariants.awaitQuiet(client, name, 3_000, 120_000);

        Oracle oracle = new Oracle(Metric.L2, live);
        for (Ignite router : List.of(client, cluster.node("s0"))) {
            for (int i = 0; i < 10; i++) {
                float[] q = TestRows.vector(7_000_000 + i, DIM);
                SearchResult r = Vecgrid.of(router).search(SearchRequest.builder(name, new float[][] {q}, 10)
                    .diagnostics(true).build());
                oracle.assertExact(q, 10, r.hits(0), null, "search " + i + " via " + router.name());
                SearchDiagnostics d = r.diagnostics();
                Set<UUID> touched = new HashSet<>(d.segmentNodes().values());
                touched.addAll(d.growingNodes().values());
                assertEquals(2, touched.size(), "nodes a search touches (" + layout + "): " + d);
            }
        }
        vg.dropCollection(name);
    }

    /** Waits until each shard has one segment and {@code expected} of them are on nodes in {@code leading}. */
    private static void awaitOnLeaders(CollectionMeta meta, Set<UUID> leading, long expected, Map<Integer, UUID> holder) {
        TestCluster.awaitTrue(expected == 1 ? "one segment on the node leading both shards, one elsewhere" :
            "each leader of a shard holding one segment", () -> {
            holder.clear();
            for (ShardState st : Vecgrid.local(client).metaStore().shardStates(meta)) {
                if (st.segments().size() != 1 || !st.ops().isEmpty())
                    return false;
                SegmentRef seg = st.segments().get(0);
                holder.put(st.shard(), client.affinity(meta.segmentsCache()).mapPartitionToNode(seg.slot()).id());
            }
            // Both on leaders but on the same one is not settled yet: a balance move takes one off it (both segments
            // on one node was seen passing this wait once, in a full build, with two nodes then holding none).
            return expected == 1 ? holder.values().stream().filter(leading::contains).count() == 1
                : new HashSet<>(holder.values()).equals(leading);
        }, 120_000);
    }
}
