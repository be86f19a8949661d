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
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator compacts small and delete-heavy segments while two routers search without a pause: segments leave
 * the target between a search's plan and its dispatch (stale routing), yet every result equals the exact oracle. Then
 * the collection's segments are merged down and no deleted row is held by a live segment any more.
 */
class CompactionUnderSearchTest {
    private static final int DIM = 8;
    private static final int SEAL_ROWS = 400;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        // Small segments: fewer than half of sealRows live rows; rewrite past 20% deleted.
        // Replaced segments are dropped at once and each segment job waits 250 ms before it looks its copy up, so
        // searches planned before a rewrite published meet their segments gone (a rewrite re-points its rows'
        // locations before it drops the sources, which takes a moment).
        cluster = new TestCluster().configure(c -> c.setSealRows(SEAL_ROWS).setSmallSegmentRatio(0.5).setDeletedRatio(0.2)
            .setBalanceTolerance(100).setReplacedSegmentGraceMillis(0).setTestSearchDelayMillis(250))
            .regionBytes(128L << 20).startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void searchesStayExactWhileSegmentsAreRewritten() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        SegmentInspector insp;
        vg.createCollection(CollectionSpec.builder("cmp").dimension(DIM).metric(Metric.COSINE).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        insp = new SegmentInspector(cluster.node("s1"), "cmp");
        Map<Long, float[]> live = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Long, float[]> written = new java.util.concurrent.ConcurrentHashMap<>();
        Set<Long> deletedAcked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<VectorRow> first = TestRows.rows(0, 100, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        vg.insert("cmp", first);
        first.forEach(r -> live.put(r.pk(), r.vector()));

        // One big segment per shard with a third of its rows deleted (before the searches start: a search running
        // during a delete may or may not see it; the coordinator rewrites these segments while the searches run).
        List<VectorRow> big = TestRows.rows(10_000, 2 * SEAL_ROWS, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        big.forEach(r -> written.put(r.pk(), r.vector()));
        vg.insert("cmp", big);
        big.forEach(r -> live.put(r.pk(), r.vector()));
        vg.flush("cmp");
        long[] dead = new long[SEAL_ROWS * 2 / 3];
        for (int i = 0; i < dead.length; i++)
            dead[i] = 10_000 + i * 3L;
        vg.delete("cmp", dead);
        for (long pk : dead) {
            deletedAcked.add(pk);
            live.remove(pk);
        }
        Set<Long> holey = new HashSet<>();
        for (SegmentRef s : insp.target().segments()) {
            if (s.rows() >= SEAL_ROWS - 1)
                holey.add(s.id());
        }
        assertEquals(2, holey.size(), "one full segment per shard with deleted rows: " + insp.target());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicInteger staleHits = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> streams = new ArrayList<>();
        for (String router : List.of("s0", "s2")) {
            streams.add(pool.submit(() -> {
                int i = 0;
                while (!stop.get()) {
                    float[] q = TestRows.vector(333_000 + i++ * 11L, DIM);
                    Map<Long, float[]> before = Map.copyOf(live);
                    Set<Long> goneBefore = Set.copyOf(deletedAcked);
                    try {
                        SearchResult r = Vecgrid.of(cluster.node(router)).search(
                            SearchRequest.builder("cmp", new float[][] {q}, 10).diagnostics(true).build());
                        // Rows acknowledged before the search began, plus any newer row it found that was written and
                        // whose delete had not been acknowledged before the search began.
                        Map<Long, float[]> visible = new HashMap<>(before);
                        r.hits(0).forEach(h -> {
                            if (!visible.containsKey(h.pk()) && written.containsKey(h.pk()) && !goneBefore.contains(h.pk()))
                                visible.put(h.pk(), written.get(h.pk()));
                        });
                        new Oracle(Metric.COSINE, visible).assertExact(q, 10, r.hits(0), null, "search via " + router);
                        if (r.diagnostics().events().stream().anyMatch(e -> e.contains("left the target")))
                            staleHits.incrementAndGet();
                        searches.incrementAndGet();
                    }
                    catch (Throwable t) {
                        failures.add("search via " + router + " failed: " + t);
                    }
                }
                return null;
            }));
        }
        // Many small flushes while the searches run: many small segments, merged by the coordinator as they come.
        // Whether a search meets a merge between its plan and its dispatch is a matter of timing, so the flushes go
        // on (up to 150: on a loaded machine 60 once passed without one) until at least one has.
        for (int b = 1; b < 16 || (staleHits.get() == 0 && b < 150); b++) {
            long firstPk = b < 100 ? b * 100L : 100_000 + b * 100L; // Past 10,000 the big segments' keys begin.
            List<VectorRow> rows = TestRows.rows(firstPk, 100, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
            rows.forEach(r -> written.put(r.pk(), r.vector()));
            vg.insert("cmp", rows);
            rows.forEach(r -> live.put(r.pk(), r.vector()));
            vg.flush("cmp");
        }
        CollectionTarget before = insp.target();
        Oracle oracle = new Oracle(Metric.COSINE, live);
        // Wait until the coordinator has replaced every original segment (small ones merged, the holey one rewritten).
        TestCluster.awaitTrue("compaction: holey segments rewritten, at most one small segment per shard", () -> {
            CollectionTarget t = insp.target();
            int[] small = new int[2];
            for (SegmentRef s : t.segments()) {
                if (s.rows() < SEAL_ROWS / 2)
                    small[s.shard()]++;
            }
            return small[0] <= 1 && small[1] <= 1 && holey.stream().noneMatch(t::contains);
        }, 180_000);
        int beforeStop = searches.get();
        TestCluster.awaitTrue("more searches after compaction", () -> searches.get() > beforeStop + 10, 60_000);
        stop.set(true);
        for (Future<?> f : streams)
            f.get();
        pool.shutdown();

        assertEquals(List.of(), failures);
        CollectionTarget after = insp.target();
        // The flushes made two small segments each and the big insert 2 more; compaction merges them up to half of
        // sealRows, leaving at most one small segment per shard.
        assertTrue(after.segments().size() <= 2 + live.size() / (SEAL_ROWS / 2), "small segments were merged: " + after);
        // No live segment still holds a deleted row: the holey segment was rewritten without them.
        for (int shard = 0; shard < 2; shard++) {
            Set<Long> sealed = insp.sealedLive(after, shard);
            for (long pk : dead)
                assertTrue(!sealed.contains(pk), "deleted pk " + pk + " is gone from sealed segments");
        }
        assertEquals(live.size(), vg.count("cmp"));
        for (int i = 0; i < 5; i++) {
            float[] q = TestRows.vector(444_000 + i, DIM);
            oracle.assertExact(q, 10, vg.search(SearchRequest.builder("cmp", new float[][] {q}, 10).build()).hits(0),
                null, "search after compaction " + i);
        }
        assertTrue(staleHits.get() > 0, "some searches met a segment compacted away after planning: " + staleHits);
        System.out.println("Compaction under search: " + searches.get() + " searches, " + staleHits.get() +
            " met a segment that left the target after planning; segments " + before.segments().size() + " -> " +
            after.segments().size() + ", target version " + before.version() + " -> " + after.version());
    }
}
