package io.vecgrid.client;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A {@link VecgridClient} given the addresses of three real nodes keeps a standby connection to a node other than the
 * one its calls go through. The node of the calls crashes while a search is in flight through it (every node delays
 * its search jobs by {@value #DELAY_MILLIS} ms, so the search is still running): the search is resent through the
 * standby and returns the exact result, later calls go through the standby's node, and a new standby appears on the
 * remaining node.
 */
class ClientStandbyTest {
    private static final int DIM = 8;
    private static final long DELAY_MILLIS = 1500;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setTestSearchDelayMillis(DELAY_MILLIS)).startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String allAddresses() {
        return "127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 2);
    }


    @Test
    void crashOfTheConnectedNodeMovesCallsToTheStandby() throws Exception {
        try (VecgridClient vg = VecgridClient.connect(allAddresses());
             VecgridClient single = VecgridClient.connect("127.0.0.1:" + cluster.clientPort())) {
            vg.createCollection(CollectionSpec.builder("standby").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
                .shards(2).replicas(2).build());
            List<VectorRow> rows = TestRows.rows(0, 2000, DIM);
            vg.insert("standby", rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
            vg.flush("standby");
            Map<Long, float[]> live = new HashMap<>();
            rows.forEach(r -> live.put(r.pk(), r.vector()));
            Oracle oracle = new Oracle(Metric.L2, live);

            TestCluster.awaitTrue("a standby connection", () -> vg.standbyNode() != null, 30_000);
            UUID current = vg.status().servedBy();
            UUID standby = vg.standbyNode();
            assertNotEquals(current, standby, "the standby is on another node than the calls' connection");
            // One address means one node: nothing to stand by on.
            assertNull(single.standbyNode());

            float[] q = TestRows.vector(123_456, DIM);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<SearchResult> inFlight = pool.submit(() -> vg.search("standby", new float[][] {q}, 10));
            Thread.sleep(DELAY_MILLIS / 3);
            assertFalse(inFlight.isDone(), "the search is still running when its node crashes");
            cluster.crash(cluster.nameOf(current));
            SearchResult r = inFlight.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            oracle.assertExact(q, 10, r.hits(0), null, "the search in flight at the crash");
            assertEquals(1, vg.failovers(), "the search was resent through the standby");
            assertEquals(standby, vg.status().servedBy(), "calls go through the standby's node now");

            TestCluster.awaitTrue("a new standby", () -> vg.standbyNode() != null, 30_000);
            assertEquals(1, vg.failovers());
            UUID next = vg.standbyNode();
            assertNotNull(next);
            assertNotEquals(standby, next, "the new standby is on the remaining node, not the calls' node");
            assertNotEquals(current, next, "nor on the crashed one");
        }
    }
}
