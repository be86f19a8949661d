package io.vecgrid.search;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
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
import io.vecgrid.dataset.Datasets;
import io.vecgrid.recall.RealDataRecall;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that stalls without leaving the topology (here: a test delay of a minute before each segment it searches,
 * standing for a long GC pause or a SIGSTOP) is cut off by its jobs' deadlines: the router hedges the work on the
 * other copies, takes whichever covers it first, and never counts a segment twice. Results stay exact (FLAT, checked
 * against an oracle) and HNSW recall on Fashion-MNIST stays what it was with every node healthy, also after the
 * stalled node is then killed. Nothing here measures wall-clock time: that a stall does not hold searches is shown
 * by who served them (never the stalled node) while its jobs would take a minute.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StalledNodeTest {
    private static final int DIM = 16;
    private static final long STALL_MS = 60_000;

    private static TestCluster cluster;
    private static UUID stalledId;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(2048))).regionBytes(256L << 20)
            .startServers(3);
        stalledId = cluster.node("s2").cluster().localNode().id();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static void stall(boolean on) {
        Vecgrid.local(cluster.node("s2")).configuration().setTestSearchDelayMillis(on ? STALL_MS : 0);
    }

    /** Waits until every segment of the collection has a serviceable copy on two nodes. */
    private static void awaitTwoCopies(String name) {
        SegmentInspector insp = new SegmentInspector(cluster.node("s0"), name);
        TestCluster.awaitTrue("two serviceable copies of every segment of " + name, () -> {
            RoutingTable t = Vecgrid.local(cluster.node("s0")).routing().refresh();
            return insp.target().segments().stream().allMatch(s -> t.copies(insp.meta().segmentsCache(), s.id()).size() == 2);
        }, 60_000);
    }

    @Test
    @Order(1)
    void stalledNodeIsHedgedAndResultsStayExact() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("stall").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 12_000, DIM);
        for (int i = 0; i < rows.size(); i += 1000)
            vg.insert("stall", rows.subList(i, i + 1000).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush("stall");
        // Growing rows too, so that shard leadership is part of what a stalled node may hold up.
        List<VectorRow> growing = TestRows.rows(90_000, 300, DIM);
        vg.insert("stall", growing.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        growing.forEach(r -> live.put(r.pk(), r.vector()));
        awaitTwoCopies("stall");
        int segments = new SegmentInspector(cluster.node("s0"), "stall").target().segments().size();
        Oracle oracle = new Oracle(Metric.L2, live);

        stall(true);
        int hedgedSearches = 0;
        for (int i = 0; i < 20; i++) {
            Ignite router = cluster.node(i % 2 == 0 ? "s0" : "s1");
            float[][] q = {TestRows.vector(555_000 + i, DIM)};
            SearchResult r = Vecgrid.of(router).search(SearchRequest.builder("stall", q, 10).diagnostics(true).build());
            oracle.assertExact(q[0], 10, r.hits(0), null, "search " + i + " with s2 stalled");
            SearchDiagnostics d = r.diagnostics();
            assertFalse(r.partial());
            assertEquals(segments, d.segmentNodes().size(), "every segment searched once: " + d);
            assertFalse(d.segmentNodes().containsValue(stalledId), "no segment answered by the stalled node: " + d);
            if (!d.hedged().isEmpty())
                hedgedSearches++;
        }
        // A router learns from a late job: after the first hedge it plans little or nothing on the stalled node.
        assertTrue(hedgedSearches >= 1, "searches met the stalled node's deadline and were hedged");
        assertTrue(hedgedSearches < 20, "routers stop planning on the stalled node once it was late: " + hedgedSearches);
        assertTrue(Vecgrid.local(cluster.node("s0")).metrics().hedges() + Vecgrid.local(cluster.node("s1")).metrics().hedges() > 0);
        // The stalled node's jobs were cancelled when their searches were answered: it drops them, it does not run them
        // to the end of the stall.
        TestCluster.awaitTrue("the stalled node dropped the jobs of answered searches",
            () -> Vecgrid.local(cluster.node("s2")).metrics().inFlightJobs() == 0, 30_000);

        // Healthy again: the routers' figures of it fade, it is tried, measured fast and planned work again.
        stall(false);
        TestCluster.awaitTrue("the router plans segments on the recovered node again", () -> {
            float[][] q = {TestRows.vector(556_000, DIM)};
            SearchResult r = Vecgrid.of(cluster.node("s0")).search(SearchRequest.builder("stall", q, 10).diagnostics(true).build());
            oracle.assertExact(q[0], 10, r.hits(0), null, "search after recovery");
            return r.diagnostics().segmentNodes().containsValue(stalledId);
        }, 60_000);
        vg.dropCollection("stall");
    }

    @Test
    @Order(2)
    void hnswRecallHoldsWhileANodeStallsAndAfterItIsKilled() {
        RealDataRecall r = new RealDataRecall(cluster, Datasets.fashionMnist(), "fstall", 10_000, 200);
        int segments = r.segments(4).size();
        awaitTwoCopies("fstall");
        double healthy = r.recall(cluster.node("s0"), 0, segments);

        stall(true);
        AtomicInteger hedged = new AtomicInteger();
        double stalled = r.recall(cluster.node("s1"), 0, segments, d -> {
            assertFalse(d.segmentNodes().containsValue(stalledId), "no segment answered by the stalled node: " + d);
            if (!d.hedged().isEmpty())
                hedged.incrementAndGet();
        });
        assertTrue(hedged.get() >= 1, "a request met the stall and was hedged");

        cluster.crash("s2");
        TestCluster.awaitTrue("the others see the crash", () -> cluster.node("s0").cluster().forServers().nodes().size() == 2, 30_000);
        double afterKill0 = r.recall(cluster.node("s0"), 0, segments);
        double afterKill1 = r.recall(cluster.node("s1"), 0, segments);
        System.out.printf("fashion-mnist HNSW recall@10: healthy %.4f, one node stalled %.4f, after killing it %.4f / %.4f%n",
            healthy, stalled, afterKill0, afterKill1);
        // Every copy of a segment is the same stored graph, so which copy serves does not change the hits.
        assertTrue(healthy >= 0.95, "healthy recall " + healthy);
        assertEquals(healthy, stalled, 1e-9, "recall with a node stalled");
        assertEquals(healthy, afterKill0, 1e-9, "recall after the kill, via s0");
        assertEquals(healthy, afterKill1, 1e-9, "recall after the kill, via s1");
    }
}
