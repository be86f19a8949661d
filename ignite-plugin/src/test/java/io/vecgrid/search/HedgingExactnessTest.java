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
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hedging, takeover and re-planning at their busiest: a deadline floor of 1 ms makes routers hedge jobs all the time
 * (every job slower than three times its node's recent p95), one node turns slow and fast again all the time (a test
 * delay per segment, toggled), and several routers search at once. Every result must still be the exact top-k, with every segment searched exactly once:
 * whichever copy's answer wins, no segment is missed and none is counted twice.
 */
class HedgingExactnessTest {
    private static final int DIM = 8;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> TestCluster.noRewrites(c.setSealRows(250).setSearchDeadlineFloorMillis(1)))
            .configure("s2", c -> TestCluster.noRewrites(c.setSealRows(250).setSearchDeadlineFloorMillis(1)
))
            .startServers(4);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void everyResultExactWhileJobsAreHedgedAllTheTime() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("hedge").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 6000, DIM);
        for (int i = 0; i < rows.size(); i += 1000)
            vg.insert("hedge", rows.subList(i, i + 1000).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush("hedge");
        List<VectorRow> growing = TestRows.rows(70_000, 120, DIM);
        vg.insert("hedge", growing.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList());
        growing.forEach(r -> live.put(r.pk(), r.vector()));
        SegmentInspector insp = new SegmentInspector(cluster.node("s0"), "hedge");
        TestCluster.awaitTrue("two serviceable copies of every segment", () -> {
            RoutingTable t = Vecgrid.local(cluster.node("s0")).routing().refresh();
            return insp.target().segments().stream().allMatch(s -> t.copies(insp.meta().segmentsCache(), s.id()).size() == 2);
        }, 60_000);
        int segments = insp.target().segments().size();
        Oracle oracle = new Oracle(Metric.L2, live);

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger hedgedSearches = new AtomicInteger();
        AtomicInteger searches = new AtomicInteger();
        // s2 turns slow and fast again every few hundred ms: the routers' figures lag behind, so its jobs keep passing
        // deadlines set from its fast spells.
        java.util.concurrent.atomic.AtomicBoolean run = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread toggler = new Thread(() -> {
            boolean slow = false;
            while (run.get()) {
                slow = !slow;
                // Slow spells outlast even the first deadline a router gives a node it knows little of (1 s).
                Vecgrid.local(cluster.node("s2")).configuration().setTestSearchDelayMillis(slow ? 1_500 : 0);
                try {
                    Thread.sleep(slow ? 1_500 : 2_500);
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        }, "slow-toggler");
        toggler.start();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> streams = new ArrayList<>();
        for (String name : List.of("s0", "s1", "s3")) {
            Ignite router = cluster.node(name);
            streams.add(pool.submit(() -> {
                // Long enough for several slow spells, and for the routers to try s2 again after each.
                long end = System.nanoTime() + 12_000_000_000L;
                for (int i = 0; System.nanoTime() < end; i++) {
                    float[][] q = {TestRows.vector(900_000 + i * 31L + name.hashCode(), DIM)};
                    try {
                        SearchResult r = Vecgrid.of(router).search(SearchRequest.builder("hedge", q, 10).diagnostics(true).build());
                        SearchDiagnostics d = r.diagnostics();
                        oracle.assertExact(q[0], 10, r.hits(0), null, "search " + i + " via " + name + ": " + d);
                        assertEquals(segments, d.segmentNodes().size(), "every segment searched once: " + d);
                        if (!d.hedged().isEmpty())
                            hedgedSearches.incrementAndGet();
                        searches.incrementAndGet();
                    }
                    catch (Throwable t) {
                        failures.add(String.valueOf(t));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : streams)
            f.get();
        pool.shutdown();
        run.set(false);
        toggler.join();
        System.out.println("hedging exactness: " + hedgedSearches.get() + " of " + searches.get() + " searches hedged");
        assertEquals(List.of(), failures);
        assertTrue(hedgedSearches.get() > 0, "jobs were hedged");
    }
}
