package io.vecgrid.segment;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.WriteLoad;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deletes, upserts and inserts from several writer threads race every layout change the coordinator makes — seals
 * (frequent flushes), merges (every segment is small, a tenth deleted is enough for a rewrite) and moves (a low
 * balance tolerance) — on a FLAT and an HNSW collection, replicaNumber 2 on three nodes. Every search is checked
 * against the exact oracle of what was acknowledged when it began ({@link WriteLoad}): no deleted key, no key twice,
 * an upserted key only with its newest vector, and (FLAT) nothing missing. Afterwards the collections settle and
 * equal the oracle exactly: count, get of every key, searches.
 */
class ExactMutationsTest {
    private static final int DIM = 16;
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setSealRows(300).setSmallSegmentRatio(0.5).setDeletedRatio(0.1)
            .setBalanceTolerance(0.1).setSegmentMaxBytes(1L << 20).setReplacedSegmentGraceMillis(200))
            .regionBytes(128L << 20).startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void deletesAndUpsertsStayExactAcrossSealsMergesAndMoves() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("xflat").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        vg.createCollection(CollectionSpec.builder("xhnsw").dimension(DIM).metric(Metric.L2)
            .index(IndexSpec.hnsw(16, 64, 64)).shards(2).replicas(2).build());
        WriteLoad flat = new WriteLoad(vg, "xflat", DIM, Metric.L2);
        WriteLoad hnsw = new WriteLoad(vg, "xhnsw", DIM, Metric.L2);
        flat.preload(0, 2000);
        hnsw.preload(0, 2000);
        vg.flush("xflat");
        vg.flush("xhnsw");

        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        List<String> searchFailures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        flat.start(3, 1_000_000);
        hnsw.start(2, 1_000_000);
        for (String router : List.of("s1", "s2")) {
            Thread t = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    boolean exact = i % 2 == 0;
                    WriteLoad load = exact ? flat : hnsw;
                    String name = exact ? "xflat" : "xhnsw";
                    float[] q = TestRows.vector(7_000_000 + i++ * 13L + router.hashCode(), DIM);
                    WriteLoad.Snapshot snap = load.snapshot();
                    try {
                        SearchResult r = Vecgrid.of(cluster.node(router)).search(
                            SearchRequest.builder(name, new float[][] {q}, 10).build());
                        for (String v : load.check(snap, q, 10, r.hits(0), exact))
                            violations.add(name + " via " + router + ": " + v);
                        searches.incrementAndGet();
                    }
                    catch (RuntimeException e) {
                        searchFailures.add(name + " via " + router + ": " + e);
                    }
                }
            }, "searcher-" + router);
            t.start();
            threads.add(t);
        }
        Thread flusher = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Thread.sleep(400);
                    vg.flush("xflat");
                    vg.flush("xhnsw");
                }
                catch (InterruptedException e) {
                    return;
                }
                catch (RuntimeException e) {
                    searchFailures.add("flush: " + e);
                }
            }
        }, "flusher");
        flusher.start();
        threads.add(flusher);

        // Run until the coordinator has sealed, merged and moved under the writers, several times.
        long deadline = System.currentTimeMillis() + 120_000;
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline &&
            (System.currentTimeMillis() - since < 25_000 || layoutChanges() < 12))
            Thread.sleep(500);
        flat.close();
        hnsw.close();
        stop.set(true);
        for (Thread t : threads)
            t.join(60_000);

        System.out.printf("[exact] %d searches; writer batches: flat %d, hnsw %d; layout changes logged %d%n",
            searches.get(), flat.batches(), hnsw.batches(), layoutChanges());
        assertEquals(List.of(), violations.subList(0, Math.min(20, violations.size())), violations.size() + " violations");
        assertEquals(List.of(), searchFailures);
        assertEquals(List.of(), flat.writeFailures());
        assertEquals(List.of(), hnsw.writeFailures());
        assertTrue(searches.get() > 100, "searches ran: " + searches.get());

        // Settled: everything sealed, the state equals the oracle exactly.
        vg.flush("xflat");
        vg.flush("xhnsw");
        for (WriteLoad load : List.of(flat, hnsw)) {
            String name = load == flat ? "xflat" : "xhnsw";
            Map<Long, float[]> expected = load.live();
            assertEquals(expected.size(), vg.count(name), name + " count");
            long[] pks = expected.keySet().stream().mapToLong(Long::longValue).toArray();
            int found = 0;
            for (int i = 0; i < pks.length; i += 2000) {
                for (VectorRow r : vg.get(name, Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 2000)), null)) {
                    assertArrayEquals(expected.get(r.pk()), r.vector(), name + " newest vector of pk " + r.pk());
                    found++;
                }
            }
            assertEquals(pks.length, found, name + ": get finds every live key");
            long[] gone = load.deleted().stream().mapToLong(Long::longValue).toArray();
            for (int i = 0; i < gone.length; i += 2000)
                assertEquals(0, vg.get(name, Arrays.copyOfRange(gone, i, Math.min(gone.length, i + 2000)), null).size());
            // Merges of the small segments sealed last go on after the flush: the segments and their delete marks are
            // read between two reads of the target, and read again if it changed meanwhile (the marks of a segment
            // that left the target are dropped with it, so a read across a merge saw its sources without marks).
            SegmentInspector insp = new SegmentInspector(cluster.any(), name);
            int waits = 0;
            for (int attempt = 0; ; attempt++) {
                // Read the layout only while no operation or forward is in progress in any shard: a merge between
                // publishing and finishing has rows in flight between its sources and the new segment.
                if (waits++ < 600 && Vecgrid.local(cluster.any()).metaStore().shardStates(insp.meta()).stream()
                    .anyMatch(st -> !st.ops().isEmpty() || !st.forwards().isEmpty())) {
                    Thread.sleep(100);
                    attempt--;
                    continue;
                }
                CollectionTarget t = insp.target();
                List<Set<Long>> sealed = new ArrayList<>();
                try {
                    for (int shard = 0; shard < 2; shard++)
                        sealed.add(insp.sealedLive(t, shard)); // Fails on a key live in two segments.
                }
                catch (RuntimeException | AssertionError e) {
                    if (insp.target().version() == t.version() || attempt >= 50)
                        throw e;
                    continue; // A segment of the target read was dropped meanwhile.
                }
                if (insp.target().version() != t.version() && attempt < 50)
                    continue;
                for (int shard = 0; shard < 2; shard++) {
                    for (long pk : gone)
                        assertTrue(!sealed.get(shard).contains(pk), name + ": deleted pk " + pk + " is live in a segment");
                }
                break;
            }
        }
        Oracle oracle = new Oracle(Metric.L2, flat.live());
        for (Ignite router : cluster.servers()) {
            for (int i = 0; i < 10; i++) {
                float[] q = TestRows.vector(9_100_000 + i, DIM);
                oracle.assertExact(q, 10, Vecgrid.of(router).search(SearchRequest.builder("xflat", new float[][] {q}, 10)
                    .build()).hits(0), null, "settled search " + i + " via " + router.name());
            }
        }
    }

    /** @return seals, merges and moves logged so far (the coordinator's own log lines, counted by the sealer and rewriter). */
    private static int layoutChanges() {
        int n = 0;
        for (Ignite ig : cluster.servers())
            n += Vecgrid.local(ig).metrics().layoutChanges();
        return n;
    }
}
