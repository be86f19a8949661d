package io.vecgrid.search;

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
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slow node (test-only delay set through its configuration) has its queued segments taken over by idle nodes that
 * hold copies, and once it is fast again it is planned work again; proven from diagnostics, never from wall-clock
 * time. Then the node's metrics, read through SQL.
 */
class SlowNodeAndMetricsTest {
    private static final int DIM = 8;

    /** Test delay per segment job on the slow node. */
    private static final long SLOW_MS = 300;

    /**
     * Rows of the collection: with 200-row segments that is 60 segments, so that the router sends them in several
     * batches per node ({@link SearchTask#BATCH} at a time) and the batches not sent yet to the slow node wait in its
     * queue for the idle nodes to take.
     */
    private static final int ROWS = 12_000;

    private static TestCluster cluster;
    private static UUID slowId;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(200)))
            .configure("s2", c -> TestCluster.noRewrites(c.setSealRows(200).setTestSearchDelayMillis(SLOW_MS))).startServers(4);
        slowId = cluster.node("s2").cluster().localNode().id();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void idleNodesTakeOverTheSlowNodesQueuedSegments() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("slow").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, ROWS, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        for (int i = 0; i < rows.size(); i += 1000)
            vg.insert("slow", rows.subList(i, i + 1000));
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush("slow");
        // Idle nodes can take work over only from copies they have loaded: wait for both copies of every segment.
        io.vecgrid.SegmentInspector insp = new io.vecgrid.SegmentInspector(cluster.node("s0"), "slow");
        TestCluster.awaitTrue("two serviceable copies of every segment", () -> {
            RoutingTable t = Vecgrid.local(cluster.node("s0")).routing().refresh();
            return insp.target().segments().stream().allMatch(s -> t.copies(insp.meta().segmentsCache(), s.id()).size() == 2);
        }, 60_000);
        Oracle oracle = new Oracle(Metric.L2, live);

        int takenFromSlow = 0;
        int servedBySlow = 0;
        int segmentsServed = 0;
        for (int i = 0; i < 5; i++) {
            // Start each search from a quiet cluster: jobs of the previous search still running on the slow node would
            // count as outstanding work there and the router would plan nothing there at all.
            TestCluster.awaitTrue("the slow node has no search jobs in flight",
                () -> Vecgrid.local(cluster.node("s2")).metrics().inFlightJobs() == 0, 30_000);
            float[][] q = {TestRows.vector(123_456 + i, DIM)};
            SearchResult r = Vecgrid.of(cluster.node("s1")).search(SearchRequest.builder("slow", q, 10).diagnostics(true).build());
            SearchDiagnostics d = r.diagnostics();
            oracle.assertExact(q[0], 10, r.hits(0), null, "search " + i + " (" + d.segmentNodes().size() + " of " +
                insp.target().segments().size() + " segments searched; " + d + ")");
            assertEquals(0, d.retries(), "nothing failed: " + d.events());
            for (String ev : d.events()) {
                if (ev.contains("took over") && ev.endsWith("from node " + slowId)) {
                    takenFromSlow++;
                    // "node X took over segment S from node Y": S was searched once, by X.
                    String[] w = ev.split(" ");
                    assertEquals(UUID.fromString(w[1]), d.segmentNodes().get(Long.parseLong(w[5])), ev);
                }
            }
            for (UUID n : d.segmentNodes().values()) {
                segmentsServed++;
                if (n.equals(slowId))
                    servedBySlow++;
            }
        }
        System.out.println("slow node: " + takenFromSlow + " segments taken over from it, served " + servedBySlow + " of " +
            segmentsServed);
        assertTrue(takenFromSlow > 0, "idle nodes took over segments queued on the slow node");
        assertTrue(servedBySlow < segmentsServed / 4, "the slow node served less than its share: " + servedBySlow +
            " of " + segmentsServed);

        // The node recovers. Its fast samples and the fading of its old figure bring its reported latency back near
        // the others', and routers plan work on it again: one slow spell must not keep it out for good.
        Vecgrid.local(cluster.node("s2")).configuration().setTestSearchDelayMillis(0);
        Ignite router = cluster.node("s1");
        float[][] probe = {TestRows.vector(654_321, DIM)};
        // The router's figures of the slow node fade once it has not been measured for a while (it is hardly planned
        // now), so it is tried again, measured fast, and given work.
        TestCluster.awaitTrue("the router plans work on the recovered node again", () -> {
            SearchResult r = Vecgrid.of(router).search(SearchRequest.builder("slow", probe, 10).diagnostics(true).build());
            return r.diagnostics().segmentNodes().containsValue(slowId);
        }, 60_000);
        // Its moving averages still carry the slow spell; searches measure it afresh.
        for (int i = 0; i < 20; i++)
            Vecgrid.of(router).search(SearchRequest.builder("slow", new float[][] {TestRows.vector(323_456 + i, DIM)}, 10).build());
        int servedAfter = 0;
        int servedTotal = 0;
        for (int i = 0; i < 5; i++) {
            float[][] q = {TestRows.vector(223_456 + i, DIM)};
            SearchResult r = Vecgrid.of(router).search(SearchRequest.builder("slow", q, 10).diagnostics(true).build());
            oracle.assertExact(q[0], 10, r.hits(0), null, "search after recovery " + i);
            for (UUID n : r.diagnostics().segmentNodes().values()) {
                servedTotal++;
                if (n.equals(slowId))
                    servedAfter++;
            }
        }
        System.out.println("recovered node: served " + servedAfter + " of " + servedTotal);
        // Four nodes, two copies of each segment: a fair share is a quarter; an eighth shows it is back in the plans.
        assertTrue(servedAfter >= servedTotal / 8, "the recovered node is planned work again: " + servedAfter + " of " +
            servedTotal);
    }

    @Test
    void metricsAreVisibleThroughSql() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("metrics").dimension(DIM).index(IndexSpec.flat()).replicas(2).build());
        vg.insert("metrics", TestRows.rows(0, 500, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        vg.flush("metrics");
        Ignite router = cluster.node("s3");
        for (int i = 0; i < 3; i++)
            Vecgrid.of(router).search(SearchRequest.builder("metrics", new float[][] {TestRows.vector(i, DIM)}, 5).build());
        Map<String, String> m = new HashMap<>();
        List<List<?>> rows = router.cache("vecgrid-collections").query(new SqlFieldsQuery(
            "SELECT NAME, VALUE FROM SYS.METRICS WHERE NAME LIKE 'custom.vecgrid.%'").setSchema("SYS")).getAll();
        for (List<?> row : rows)
            m.put((String)row.get(0), String.valueOf(row.get(1)));
        assertTrue(m.containsKey("custom.vecgrid.Searches"), "Searches in SYS.METRICS: " + m);
        assertTrue(Long.parseLong(m.get("custom.vecgrid.Searches")) >= 3, "Searches: " + m);
        for (String name : List.of("Failovers", "Reconciliations", "Takeovers", "InFlightJobs", "LoadedSegments",
            "LoadedRows", "LoadedBytes", "SearchJobsServed", "SearchJobsCancelled", "SearchFailures"))
            assertTrue(m.containsKey("custom.vecgrid." + name), name + " in SYS.METRICS: " + m.keySet());
        assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("custom.vecgrid.SearchLatency")), "latency histogram: " + m.keySet());
        long loadedRows = 0;
        for (Ignite ig : cluster.servers()) {
            List<List<?>> r = ig.cache("vecgrid-collections").query(new SqlFieldsQuery(
                "SELECT VALUE FROM SYS.METRICS WHERE NAME = 'custom.vecgrid.LoadedRows'").setSchema("SYS")).getAll();
            loadedRows += Long.parseLong(String.valueOf(r.get(0).get(0)));
        }
        assertTrue(loadedRows >= 2 * 500, "two loaded copies of every row over the cluster, got " + loadedRows);
    }
}
