package io.vecgrid.search;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.Consistency;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.SearchTimeoutException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-request timeout, EVENTUALLY consistency and nq > 1 output fields, on two real nodes. */
class SearchOptionsTest {
    private static final int DIM = 8;
    /** The nodes' limit on rows (and keys) per request, lowered so that a search's hits can exceed it. */
    private static final int MAX_BATCH_ROWS = 1000;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(500).setMaxBatchRows(MAX_BATCH_ROWS)))
            .configure("s1", c -> TestCluster.noRewrites(c.setSealRows(500).setMaxBatchRows(MAX_BATCH_ROWS)
                .setTestSearchDelayMillis(1500))).startServers(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /**
     * Creates a FLAT L2 collection of 2 shards, one replica, with a scalar field {@code tag} (pk % 10), inserts
     * {@code n} rows (a multiple of {@link #MAX_BATCH_ROWS}) in requests of the nodes' limit and seals them.
     * @return the rows' vectors by key.
     */
    private static Map<Long, float[]> createSealed(VectorGrid vg, String name, int n) {
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", io.vecgrid.api.ScalarType.LONG).shards(2).replicas(1).build());
        List<VectorRow> rows = TestRows.rows(0, n, DIM).stream()
            .map(r -> new VectorRow(r.pk(), r.vector(), Map.of("tag", r.pk() % 10))).toList();
        for (int i = 0; i < n; i += MAX_BATCH_ROWS)
            vg.insert(name, rows.subList(i, i + MAX_BATCH_ROWS));
        vg.flush(name);
        Map<Long, float[]> live = new HashMap<>();
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        return live;
    }

    @Test
    void timeoutEventualConsistencyAndFields() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        Map<Long, float[]> live = createSealed(vg, "opt", 2 * MAX_BATCH_ROWS);
        float[][] qs = {TestRows.vector(77_777, DIM), TestRows.vector(88_888, DIM), TestRows.vector(99_999, DIM)};

        // With one replica every search needs the slow node: a 300 ms timeout is exceeded and said so.
        SearchTimeoutException e = assertThrows(SearchTimeoutException.class,
            () -> vg.search(SearchRequest.builder("opt", qs, 5).timeoutMillis(300).build()));
        // The message names what the search still waited for: the slow node's job.
        String slowId = cluster.node("s1").cluster().localNode().id().toString();
        assertTrue(e.getMessage().startsWith("search of collection 'opt' did not complete within 300 ms; raise the " +
            "request's timeout or look for slow nodes (waiting for [node " + slowId + ": segments ["), e.getMessage());
        // The search that gave up cancelled its job on the slow node: the node stops it instead of running it out.
        io.vecgrid.metrics.VecgridMetrics slow = Vecgrid.local(cluster.node("s1")).metrics();
        TestCluster.awaitTrue("the slow node to drop the job of the timed-out search",
            () -> slow.jobsCancelled() >= 1 && slow.inFlightJobs() == 0, 30_000);

        // A generous timeout: exact, nq = 3, with the requested field and vector.
        Oracle oracle = new Oracle(Metric.L2, live);
        SearchResult r = vg.search(SearchRequest.builder("opt", qs, 5).timeoutMillis(30_000)
            .outputFields(List.of("tag", "vector")).build());
        assertEquals(3, r.hits().size());
        for (int q = 0; q < qs.length; q++) {
            oracle.assertExact(qs[q], 5, r.hits(q), null, "query " + q);
            r.hits(q).forEach(h -> {
                assertEquals(h.pk() % 10, h.fields().get("tag"));
                assertTrue(java.util.Arrays.equals(live.get(h.pk()), h.vector()));
            });
        }

        // A job that reaches its node after its search's time ran out is dropped there, not run: it answers at once,
        // cancelled, having searched nothing. (Run directly on the node, as a router's message would run it.)
        Vecgrid node = Vecgrid.local(cluster.node("s0"));
        SearchContext ctx = node.router().validate(SearchRequest.builder("opt", qs, 5).timeoutMillis(300).build());
        long[] segs = ctx.target.segments().stream().mapToLong(io.vecgrid.collection.SegmentRef::id).toArray();
        assertTrue(segs.length > 0, "the collection has sealed segments");
        java.util.concurrent.CompletableFuture<Object> late = new java.util.concurrent.CompletableFuture<>();
        long cancelledBefore = node.metrics().jobsCancelled();
        new NodeJob(ctx, 1, 0, segs, new int[] {0, 1}, 300).run(node, System.nanoTime() - 400_000_000L, late::complete);
        NodeAnswer dropped = (NodeAnswer)late.join();
        assertTrue(dropped.cancelled, "a job past its search's timeout is cancelled");
        assertEquals(0, dropped.searchedSegments.length, "nothing searched");
        assertEquals(0, dropped.searchedShards.length, "no growing rows searched");
        assertEquals(cancelledBefore + 1, node.metrics().jobsCancelled());
        // The same job in time searches its segments.
        java.util.concurrent.CompletableFuture<Object> onTime = new java.util.concurrent.CompletableFuture<>();
        new NodeJob(ctx, 2, 0, segs, new int[0], 30_000).run(node, System.nanoTime(), onTime::complete);
        Object served = onTime.join();
        assertTrue(served instanceof NodeAnswer && !((NodeAnswer)served).cancelled, "a job in time runs: " + served);
        NodeAnswer ran = (NodeAnswer)served;
        assertEquals(segs.length, ran.searchedSegments.length + ran.unavailableSegments.length,
            "every segment searched here or named as held elsewhere");

        // EVENTUALLY sees growing rows too once they settle; STRONG sees them at once.
        List<VectorRow> fresh = TestRows.rows(50_000, 100, DIM).stream().map(x -> new VectorRow(x.pk(), x.vector())).toList();
        vg.insert("opt", fresh);
        fresh.forEach(x -> live.put(x.pk(), x.vector()));
        Oracle after = new Oracle(Metric.L2, live);
        SearchResult strong = vg.search(SearchRequest.builder("opt", qs, 5).timeoutMillis(30_000).build());
        for (int q = 0; q < qs.length; q++)
            after.assertExact(qs[q], 5, strong.hits(q), null, "STRONG query " + q);
        TestCluster.awaitTrue("EVENTUALLY to see the settled rows", () -> {
            SearchResult ev = vg.search(SearchRequest.builder("opt", qs, 5).timeoutMillis(30_000)
                .consistency(Consistency.EVENTUALLY).build());
            try {
                for (int q = 0; q < qs.length; q++)
                    after.assertExact(qs[q], 5, ev.hits(q), null, "EVENTUALLY query " + q);
                return true;
            }
            catch (AssertionError notYet) {
                return false;
            }
        }, 30_000);
    }

    /**
     * Output fields are read for the final hits after the merge, by key; nq x topK hits may be more keys than one
     * get may ask for (maxBatchRows), and the search must still answer with every hit's fields (it used to fail with
     * "batch has N primary keys, at most maxBatchRows=... are allowed", a limit the caller never asked to exceed).
     */
    @Test
    void outputFieldsOfMoreHitsThanOneGetMayAskFor() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        Map<Long, float[]> live = createSealed(vg, "wide", 3 * MAX_BATCH_ROWS);
        float[][] qs = new float[40][];
        for (int q = 0; q < qs.length; q++)
            qs[q] = TestRows.vector(700_000 + q, DIM);
        SearchResult r = vg.search(SearchRequest.builder("wide", qs, 100).timeoutMillis(60_000)
            .outputFields(List.of("tag")).build());
        Oracle oracle = new Oracle(Metric.L2, live);
        java.util.Set<Long> keys = new java.util.HashSet<>();
        for (int q = 0; q < qs.length; q++) {
            oracle.assertExact(qs[q], 100, r.hits(q), null, "query " + q);
            for (io.vecgrid.api.SearchHit h : r.hits(q)) {
                keys.add(h.pk());
                assertEquals(h.pk() % 10, h.fields().get("tag"), "tag of pk " + h.pk());
            }
        }
        assertTrue(keys.size() > MAX_BATCH_ROWS, "the hits are more keys than one get may ask for: " + keys.size());
    }
}
