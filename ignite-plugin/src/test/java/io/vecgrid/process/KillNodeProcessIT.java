package io.vecgrid.process;

import io.vecgrid.Oracle;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three vecgrid server nodes as separate JVM processes, started by {@code scripts/start-node.sh} from
 * {@code config/default-config.xml}; this JVM joins as a thick client and also connects a thin client
 * ({@link VecgridClient}) given every node's address. With replicaNumber 2, searches and inserts run through both
 * while the node process the thin client is connected to is killed with SIGKILL ({@code kill -9}): zero searches fail
 * through either client (the thin client resends them to another node), every result equals the exact oracle, no
 * acknowledged insert is lost, and a thin-client insert that fails says that it may or may not have been applied.
 */
class KillNodeProcessIT {
    private static final int DIM = 16;
    private static final long INSERT_PAUSE_MILLIS = 10;
    private static NodeProcesses nodes;
    private static Ignite client;

    @BeforeAll
    static void start() throws Exception {
        // The nodes' data directories are fresh (the shipped config keeps data in native persistence).
        nodes = new NodeProcesses("vecgrid-kill9", "");
        // The shipped config is persistent: the cluster activates itself and takes every node into its baseline.
        client = nodes.startCluster("it", 3);
    }

    @AfterAll
    static void stop() {
        if (nodes != null)
            nodes.close();
    }

    @Test
    void killNineUnderSearchAndInsertLoad() throws Exception {
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder("kill9").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> acked = new ConcurrentHashMap<>();
        Map<Long, float[]> written = new ConcurrentHashMap<>();
        for (int i = 0; i < 6000; i += 1000) {
            List<VectorRow> rows = TestRows.rows(i, 1000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
            rows.forEach(r -> written.put(r.pk(), r.vector()));
            vg.insert("kill9", rows);
            rows.forEach(r -> acked.put(r.pk(), r.vector()));
        }
        vg.flush("kill9");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicInteger inserts = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> insertErrors = Collections.synchronizedList(new ArrayList<>());
        List<String> thinInsertFailures = Collections.synchronizedList(new ArrayList<>());
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect()) {
            // The node the thin client talks to routes its searches: that is the one to kill.
            UUID router = thin.search(SearchRequest.builder("kill9", new float[][] {TestRows.vector(1, DIM)}, 1)
                .diagnostics(true).build()).diagnostics().router();
            String victim = Replication.names(List.of(client.cluster().node(router))).get(0);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> tasks = new ArrayList<>();
            long pkBase = 1_000_000;
            for (VectorGrid g : List.of(vg, thin)) {
                String via = g == vg ? "thick client" : "thin client";
                tasks.add(pool.submit(() -> {
                    int i = 0;
                    while (!stop.get()) {
                        float[] q = TestRows.vector(808_000 + i++ * 5L + (g == vg ? 0 : 1), DIM);
                        Map<Long, float[]> before = Map.copyOf(acked);
                        try {
                            SearchResult r = g.search(SearchRequest.builder("kill9", new float[][] {q}, 10).build());
                            Map<Long, float[]> visible = new HashMap<>(before);
                            r.hits(0).forEach(h -> {
                                if (!visible.containsKey(h.pk()) && written.containsKey(h.pk()))
                                    visible.put(h.pk(), written.get(h.pk()));
                            });
                            new Oracle(Metric.L2, visible).assertExact(q, 10, r.hits(0), null, "search " + i + " via " + via);
                            searches.incrementAndGet();
                        }
                        catch (Throwable t) {
                            failures.add("search " + i + " via " + via + " failed: " + t);
                        }
                    }
                    return null;
                }));
                long first = pkBase;
                pkBase += 10_000_000;
                tasks.add(pool.submit(() -> {
                    long pk = first;
                    while (!stop.get()) {
                        List<VectorRow> rows = TestRows.rows(pk, 25, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
                        rows.forEach(r -> written.put(r.pk(), r.vector()));
                        try {
                            g.insert("kill9", rows);
                            rows.forEach(r -> acked.put(r.pk(), r.vector()));
                            inserts.incrementAndGet();
                        }
                        catch (Throwable t) {
                            // An unacknowledged insert may or may not have landed; only acknowledged ones must survive.
                            // The thin client fails it with vecgrid's error (a lost connection says "may or may not
                            // have been applied"), never with a bare thin-client exception.
                            if (g != vg)
                                (t instanceof io.vecgrid.api.VecgridException ? thinInsertFailures : insertErrors).add(String.valueOf(t));
                        }
                        pk += 25;
                        // A pause between batches keeps the rows the oracle checks every search against growing
                        // slowly, so the search rate after the kill does not depend on how fast inserts went before.
                        Thread.sleep(INSERT_PAUSE_MILLIS);
                    }
                    return null;
                }));
            }
            int atKill;
            try {
                Replication.awaitCount(searches, 100, failures);
                nodes.kill(victim); // SIGKILL, as kill -9
                atKill = searches.get();
                Replication.awaitCount(searches, atKill + 300, failures);
            }
            finally {
                // Also when a wait failed: load left running would outlive the nodes and fill this JVM's heap with
                // failures, failing the tests that run after this one in it.
                stop.set(true);
                pool.shutdown();
            }
            for (Future<?> f : tasks)
                f.get();
            System.out.println("kill -9 of " + victim + " (the thin client's node) under load: " + searches.get() +
                " searches (" + (searches.get() - atKill) + " after the kill)");
        }
        System.out.println("thin-client inserts that failed (allowed, with vecgrid's error): " + thinInsertFailures);
        assertEquals(List.of(), insertErrors, "a thin-client insert that failed did so with vecgrid's error");
        assertEquals(List.of(), failures);
        assertTrue(inserts.get() > 10, "inserts ran: " + inserts.get());
        // An insert that failed may have been applied (the thin client said so), so it may be counted too.
        long count = vg.count("kill9");
        assertTrue(count >= acked.size() && count <= written.size(), "every acknowledged row is still there: " + count +
            " rows, " + acked.size() + " acknowledged, " + written.size() + " attempted");
        long[] pks = acked.keySet().stream().mapToLong(Long::longValue).toArray();
        int found = 0;
        for (int i = 0; i < pks.length; i += 2000)
            found += vg.get("kill9", java.util.Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 2000)), List.of()).size();
        assertEquals(pks.length, found);
        System.out.println("kill -9 under load: " + searches.get() + " searches, " + inserts.get() +
            " insert batches, 0 failed searches, " + acked.size() + " rows kept");
    }
}
