package io.vecgrid.coordinator;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.placement.CacheReplicaGroups;
import io.vecgrid.placement.ReplicaGroups;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes hold a collection with two replicas; two more nodes join. The coordinator's balancer re-slots segments
 * until sealed rows per node differ by at most the tolerance inside each replica group, and searches stay exact.
 */
class BalanceTest {
    private static final int DIM = 8;
    private static final double TOLERANCE = 0.3;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setSealRows(300).setSmallSegmentRatio(0).setDeletedRatio(1)
            .setBalanceTolerance(TOLERANCE)).regionBytes(128L << 20).startServers(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void joinsAreEvenedOutInsideEveryGroup() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("bal").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 6000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        for (int i = 0; i < rows.size(); i += 1000)
            vg.insert("bal", rows.subList(i, i + 1000));
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush("bal");
        cluster.start("s2");
        cluster.start("s3");
        SegmentInspector insp = new SegmentInspector(cluster.node("s0"), "bal");
        cluster.awaitCopies(insp.meta().segmentsCache(), 2);
        TestCluster.awaitTrue("rows per node within " + TOLERANCE + " of the mean in every group",
            () -> balanced(cluster.node("s0"), insp), 120_000);
        Oracle oracle = new Oracle(Metric.L2, live);
        for (Ignite router : cluster.servers()) {
            float[] q = TestRows.vector(31_337, DIM);
            oracle.assertExact(q, 10, Vecgrid.of(router).search(SearchRequest.builder("bal", new float[][] {q}, 10).build())
                .hits(0), null, "search via " + router.name());
        }
    }

    private static boolean balanced(Ignite ig, SegmentInspector insp) {
        CollectionTarget t = insp.target();
        Affinity<Object> aff = ig.affinity(insp.meta().segmentsCache());
        Map<UUID, Long> load = new HashMap<>();
        for (SegmentRef s : t.segments()) {
            for (ClusterNode n : aff.mapPartitionToPrimaryAndBackups(s.slot()))
                load.merge(n.id(), (long)s.rows(), Long::sum);
        }
        ReplicaGroups groups = CacheReplicaGroups.of(ig, insp.meta().segmentsCache());
        for (int g = 0; g < 2; g++) {
            List<ClusterNode> nodes = groups.nodes(g);
            if (nodes.size() != 2)
                return false;
            long a = load.getOrDefault(nodes.get(0).id(), 0L), b = load.getOrDefault(nodes.get(1).id(), 0L);
            double mean = (a + b) / 2.0;
            if (Math.abs(a - b) > TOLERANCE * mean)
                return false;
        }
        return true;
    }
}
