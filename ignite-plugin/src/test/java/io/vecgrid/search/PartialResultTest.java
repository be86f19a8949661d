package io.vecgrid.search;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.SegmentUnavailableException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.ClusterStatus;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.segment.SealedSegment;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * replicaNumber 1 and a node crashes: its segments have no copy left. Without allowPartial the search fails with a
 * SegmentUnavailableException naming collection, shard and segment; with allowPartial it returns the exact top-k of
 * what is left, flagged partial, with the missing segments named.
 */
class PartialResultTest {
    private static final int DIM = 8;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(300))).startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void lostSegmentsFailTheSearchUnlessPartialIsAllowed() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("part").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(1).build());
        Map<Long, float[]> rows = new HashMap<>();
        List<VectorRow> all = TestRows.rows(0, 3000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        for (int i = 0; i < all.size(); i += 500)
            vg.insert("part", all.subList(i, i + 500));
        all.forEach(r -> rows.put(r.pk(), r.vector()));
        vg.flush("part");

        SegmentInspector insp = new SegmentInspector(cluster.node("s0"), "part");
        // The victim holds segments but neither shard's rows partition: only sealed data goes missing.
        Set<Long> shardOwners = new HashSet<>();
        for (int s = 0; s < 2; s++)
            insp.owners(s).forEach(n -> shardOwners.add(n.order()));
        Ignite victim = null;
        for (Ignite ig : cluster.servers()) {
            if (!ig.name().endsWith("s0") && !shardOwners.contains(ig.cluster().localNode().order()))
                victim = ig;
        }
        if (victim == null) {
            for (Ignite ig : cluster.servers()) {
                if (!ig.name().endsWith("s0"))
                    victim = ig;
            }
        }
        ClusterNode lost = victim.cluster().localNode();
        Map<Long, Integer> lostSegments = new HashMap<>();
        Map<Long, float[]> left = new HashMap<>(rows);
        for (SegmentRef ref : insp.target().segments()) {
            if (victim.affinity(insp.meta().segmentsCache()).mapPartitionToPrimaryAndBackups(ref.slot()).contains(lost)) {
                lostSegments.put(ref.id(), ref.shard());
                SealedSegment seg = insp.segment(ref);
                for (long pk : seg.pks())
                    left.remove(pk);
            }
        }
        assertFalse(lostSegments.isEmpty(), "the victim holds segments");
        String victimName = victim.name().substring(victim.name().lastIndexOf('-') + 1);
        cluster.crash(victimName);
        TestCluster.awaitTrue("the others to see the crash", () -> cluster.node("s0").cluster().forServers().nodes().size() == 2, 30_000);

        float[] q = TestRows.vector(4242, DIM);
        boolean growingLost = shardOwners.contains(lost.order());
        SegmentUnavailableException e = assertThrows(SegmentUnavailableException.class, () ->
            vg.search(SearchRequest.builder("part", new float[][] {q}, 10).build()));
        assertEquals("part", e.collection());
        assertTrue(lostSegments.containsKey(e.segmentId()), "names a lost segment: " + e.getMessage());
        assertEquals((int)lostSegments.get(e.segmentId()), e.shard());
        assertTrue(e.getMessage().startsWith("segment " + e.segmentId() + " of shard " + e.shard() +
            " of collection 'part' has no serviceable copy on any live node"), e.getMessage());

        SearchResult r = vg.search(SearchRequest.builder("part", new float[][] {q}, 10).allowPartial(true).build());
        assertTrue(r.partial());
        for (long id : lostSegments.keySet()) {
            assertTrue(r.missingSegments().contains("collection 'part' shard " + lostSegments.get(id) + " segment " + id),
                r.missingSegments().toString());
        }
        // Everything was flushed, so a lost shard partition (if the victim owned one) held no growing rows: it is
        // named as missing, and the hits are still the exact top-k of the rows left.
        int growingMissing = growingLost ? (int)r.missingSegments().stream().filter(m -> m.endsWith("growing rows")).count() : 0;
        assertEquals(lostSegments.size() + growingMissing, r.missingSegments().size(), r.missingSegments().toString());
        new Oracle(Metric.L2, left).assertExact(q, 10, r.hits(0), null, "partial result");

        // The cluster status still answers (an operator needs it most now): the collection whose location partitions
        // lost their only copy cannot be counted, and is listed with rows -1 instead of failing the whole status.
        try (VecgridClient thin = VecgridClient.connect("127.0.0.1:" + cluster.clientPort() + ".." +
            (cluster.clientPort() + 2))) {
            ClusterStatus st = thin.status();
            assertEquals(2, st.nodes().size());
            CollectionDescription d = st.collections().stream().filter(c -> c.name().equals("part")).findFirst()
                .orElseThrow();
            assertEquals(-1, d.rowCount(), "rows of a collection that cannot be counted now: " + d);
        }
    }
}
