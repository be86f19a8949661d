package io.vecgrid.coordinator;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * replicaNumber of a loaded collection goes 1 → 2 → 3 → 1 on three real nodes while two routers search without a
 * pause and a writer inserts: zero failed searches, every result equals the oracle of the rows acknowledged before it
 * began (and contains no row that was never written), no acknowledged insert is lost, and get replicas shows the
 * expected node-disjoint groups with serviceable copies after each change.
 */
class ReplicaChangeTest {
    private static final int DIM = 8;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setSealRows(500)).regionBytes(128L << 20).startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void changeReplicaNumberUnderSearchLoad() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("rc").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(1).build());
        Map<Long, float[]> acked = new ConcurrentHashMap<>();
        // Rows handed to insert (acknowledged or not yet): a search may see a row before its writer gets the ack.
        Map<Long, float[]> written = new ConcurrentHashMap<>();
        for (int i = 0; i < 3000; i += 500) {
            List<VectorRow> rows = plain(TestRows.rows(i, 500, DIM));
            vg.insert("rc", rows);
            rows.forEach(r -> acked.put(r.pk(), r.vector()));
        }
        vg.flush("rc");
        List<VectorRow> growing = plain(TestRows.rows(100_000, 200, DIM));
        vg.insert("rc", growing);
        growing.forEach(r -> acked.put(r.pk(), r.vector()));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicInteger insertAcks = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> tasks = new ArrayList<>();
        for (String router : List.of("s1", "s2")) {
            tasks.add(pool.submit(() -> {
                int i = 0;
                while (!stop.get()) {
                    float[] q = TestRows.vector(555_000 + i++ * 3L, DIM);
                    Map<Long, float[]> before = Map.copyOf(acked);
                    try {
                        SearchResult r = Vecgrid.of(cluster.node(router)).search(
                            SearchRequest.builder("rc", new float[][] {q}, 10).build());
                        // Rows inserted while the search ran may or may not be seen: check against the rows acknowledged
                        // before it began, allowing newer rows that really were written.
                        Map<Long, float[]> visible = new java.util.HashMap<>(before);
                        r.hits(0).forEach(h -> {
                            if (!visible.containsKey(h.pk()) && written.containsKey(h.pk()))
                                visible.put(h.pk(), written.get(h.pk()));
                        });
                        new Oracle(Metric.L2, visible).assertExact(q, 10, r.hits(0), null, "search via " + router);
                        searches.incrementAndGet();
                    }
                    catch (Throwable t) {
                        failures.add("search via " + router + " failed: " + t);
                    }
                }
                return null;
            }));
        }
        tasks.add(pool.submit(() -> {
            long pk = 200_000;
            while (!stop.get()) {
                List<VectorRow> rows = plain(TestRows.rows(pk, 20, DIM));
                rows.forEach(r -> written.put(r.pk(), r.vector()));
                vg.insert("rc", rows);
                rows.forEach(r -> acked.put(r.pk(), r.vector()));
                insertAcks.incrementAndGet();
                pk += 20;
                Thread.sleep(20);
            }
            return null;
        }));

        for (int replicas : new int[] {2, 3, 1}) {
            int before = searches.get();
            int acksBefore = insertAcks.get();
            assertEquals(replicas, Vecgrid.of(cluster.node("s0")).setReplicaNumber("rc", replicas).replicaNumber());
            // Writes are not blocked while the coordinator copies the collection into its new generation.
            int during = insertAcks.get() - acksBefore;
            System.out.println("[replicas] change to " + replicas + ": " + during + " insert batches acknowledged meanwhile");
            assertTrue(during > 0, "inserts were acknowledged during the change to " + replicas);
            TestCluster.awaitTrue("searches after the change to " + replicas, () -> searches.get() > before + 20, 60_000);
            ReplicaInfo info = vg.replicas("rc");
            assertEquals(replicas, info.groups().size());
            Set<UUID> seen = new HashSet<>();
            for (ReplicaGroupInfo g : info.groups()) {
                assertFalse(g.nodes().isEmpty(), "group " + g.id() + " has nodes");
                for (UUID n : g.nodes())
                    assertTrue(seen.add(n), "groups are node-disjoint: " + info);
                assertEquals(2, g.shardLeaders().size(), "a leader per shard in group " + g.id() + ": " + info);
                int segs = g.segments().values().stream().mapToInt(List::size).sum();
                assertEquals(vg.describeCollection("rc").segmentCount(), segs, "group " + g.id() + " holds every segment once");
            }
            assertFalse(info.underReplicated(), info.toString());
        }
        stop.set(true);
        for (Future<?> f : tasks)
            f.get();
        pool.shutdown();
        assertEquals(List.of(), failures);
        assertTrue(searches.get() > 60, "searches ran throughout: " + searches.get());
        assertEquals(acked.size(), vg.count("rc"), "no acknowledged insert lost");
        long[] pks = acked.keySet().stream().mapToLong(Long::longValue).toArray();
        int found = 0;
        for (int i = 0; i < pks.length; i += 1000)
            found += vg.get("rc", java.util.Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 1000)), List.of()).size();
        assertEquals(pks.length, found);
    }

    private static List<VectorRow> plain(List<VectorRow> rows) {
        return rows.stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
    }
}
