package io.vecgrid.process;

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
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CachePeekMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three node processes started by {@code scripts/start-node.sh} from {@code config/in-memory-config.xml}, which
 * releases a segment's chunks once every owner of its slot has loaded it (only a header stays in the segments cache).
 * With replicaNumber 2, one node process is killed with SIGKILL under search and insert load: no search fails and
 * every result equals the exact oracle, no acknowledged insert is lost, and the node that becomes a segment's second
 * owner copies the segment from the survivor's loaded copy, as there are no chunks to load it from.
 */
class InMemoryKillProcessIT {
    private static final int DIM = 16;
    private static final String NAME = "memkill";
    private static NodeProcesses nodes;
    private static Ignite client;

    @BeforeAll
    static void start() throws Exception {
        nodes = new NodeProcesses("vecgrid-memkill", "", "config/in-memory-config.xml", Map.of());
        for (int i = 1; i <= 3; i++)
            nodes.start("mem" + i);
        client = nodes.startClient("mem-client", 3);
    }

    @AfterAll
    static void stop() {
        if (nodes != null)
            nodes.close();
    }

    @Test
    void killNineWithReleasedChunks() throws Exception {
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder(NAME).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> acked = new ConcurrentHashMap<>();
        Map<Long, float[]> written = new ConcurrentHashMap<>();
        for (int i = 0; i < 20_000; i += 2000) {
            List<VectorRow> rows = TestRows.rows(i, 2000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
            rows.forEach(r -> written.put(r.pk(), r.vector()));
            vg.insert(NAME, rows);
            rows.forEach(r -> acked.put(r.pk(), r.vector()));
        }
        vg.flush(NAME);
        Replication.awaitSettled(client, 2, 3000, NAME);
        awaitReleased();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicInteger inserts = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            tasks.add(pool.submit(() -> {
                int i = 0;
                while (!stop.get()) {
                    float[] q = TestRows.vector(909_000 + i++ * 2L + thread, DIM);
                    Map<Long, float[]> before = Map.copyOf(acked);
                    try {
                        SearchResult r = vg.search(SearchRequest.builder(NAME, new float[][] {q}, 10).build());
                        Map<Long, float[]> visible = new HashMap<>(before);
                        r.hits(0).forEach(h -> {
                            if (!visible.containsKey(h.pk()) && written.containsKey(h.pk()))
                                visible.put(h.pk(), written.get(h.pk()));
                        });
                        new Oracle(Metric.L2, visible).assertExact(q, 10, r.hits(0), null, "search " + i);
                        searches.incrementAndGet();
                    }
                    catch (Throwable e) {
                        failures.add("search " + i + " failed: " + e);
                    }
                }
                return null;
            }));
        }
        tasks.add(pool.submit(() -> {
            long pk = 1_000_000;
            while (!stop.get()) {
                List<VectorRow> rows = TestRows.rows(pk, 25, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
                rows.forEach(r -> written.put(r.pk(), r.vector()));
                try {
                    vg.insert(NAME, rows);
                    rows.forEach(r -> acked.put(r.pk(), r.vector()));
                    inserts.incrementAndGet();
                }
                catch (Throwable e) {
                    // Not acknowledged: it may or may not have landed; only acknowledged rows must survive.
                }
                pk += 25;
                Thread.sleep(20);
            }
            return null;
        }));
        // The victim holds a copy of a segment and shares its replica group with another node (three nodes, two
        // copies: groups of two and one): afterwards that node becomes the segment's owner and must copy it from the
        // other group's copy. A victim alone in its group would leave the collection with one copy until it is back.
        SegmentInspector insp = new SegmentInspector(client, NAME);
        List<io.vecgrid.api.ReplicaGroupInfo> groups = vg.replicas(NAME).groups();
        String victim = null;
        for (org.apache.ignite.cluster.ClusterNode n : client.affinity(insp.meta().segmentsCache())
            .mapPartitionToPrimaryAndBackups(insp.target().segments().get(0).slot())) {
            for (io.vecgrid.api.ReplicaGroupInfo g : groups) {
                if (g.nodes().contains(n.id()) && g.nodes().size() >= 2)
                    victim = Replication.names(List.of(n)).get(0);
            }
        }
        assertTrue(victim != null, "an owner of segment 0 in a group of two: " + groups);
        int atKill;
        try {
            Replication.awaitCount(searches, 100, failures);
            nodes.kill(victim); // SIGKILL, as kill -9
            atKill = searches.get();
            Replication.awaitCount(searches, atKill + 300, failures);
        }
        finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<?> f : tasks)
            f.get();
        assertEquals(List.of(), failures);
        System.out.println("kill -9 with released chunks: " + searches.get() + " searches (" + (searches.get() - atKill) +
            " after the kill), " + inserts.get() + " insert batches, 0 failed");

        // Two nodes left, two replicas: each holds a copy of every segment, the one that lacked it copied it from the
        // other's loaded copy; the chunks are released again.
        Replication.awaitAll(client, 2, 120_000, NAME);
        awaitReleased();
        String logs = "";
        for (int i = 1; i <= 3; i++) {
            File log = new File(NodeProcesses.ROOT, "logs/vecgrid-mem" + i + ".log");
            if (!("mem" + i).equals(victim) && log.exists())
                logs += Files.readString(log.toPath());
        }
        assertTrue(logs.contains("vecgrid: copied segment"), "a survivor copied a segment from the other's loaded copy");
        long count = vg.count(NAME);
        assertTrue(count >= acked.size() && count <= written.size(), "every acknowledged row is still there: " + count +
            " rows, " + acked.size() + " acknowledged, " + written.size() + " attempted");
        for (int i = 0; i < 20; i++) {
            float[] q = TestRows.vector(707_000 + i, DIM);
            SearchResult r = vg.search(SearchRequest.builder(NAME, new float[][] {q}, 10).build());
            Map<Long, float[]> visible = new HashMap<>(acked);
            r.hits(0).forEach(h -> visible.put(h.pk(), written.get(h.pk())));
            new Oracle(Metric.L2, visible).assertExact(q, 10, r.hits(0), null, "search after the copies were restored");
        }
    }

    /** Waits until the segments cache holds only each target segment's chunk 0 (one entry per segment per copy). */
    private static void awaitReleased() {
        TestCluster.awaitTrue("the chunks of '" + NAME + "' released", () -> {
            SegmentInspector insp = new SegmentInspector(client, NAME);
            long entries = client.cache(insp.meta().segmentsCache()).sizeLong(CachePeekMode.PRIMARY);
            return Replication.lacking(client, NAME, 2).isEmpty() && entries == insp.target().segments().size();
        }, 120_000);
    }
}
