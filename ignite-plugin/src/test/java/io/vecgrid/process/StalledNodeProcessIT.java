package io.vecgrid.process;

import io.vecgrid.Oracle;
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
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node process stopped with SIGSTOP (alive for the topology, answering nothing) must not hold searches hostage: with
 * replicaNumber 2, searches through a thick client go on while it is stopped, exact against the oracle, none failing,
 * and once it gets SIGCONT it serves search work again.
 *
 * <p>The stopped node is chosen as the worst case for a thick client: the primary of the collection's catalog entry
 * (and, where it is the same node, of its state cache). A thick client holds no replica of either, so a router that
 * read them from the cache on every search waited for the stopped node on every search, however well its jobs were
 * hedged. The proof that a search does not wait for the stall is an ordering, not a time bound: searches that started
 * after the SIGSTOP completed before the SIGCONT, while the stall (3 s, below the cluster's 5 s failure detection, so
 * the node stays in the topology) lasted many times the hedging deadline.
 */
class StalledNodeProcessIT {
    private static final int DIM = 16;
    private static final long STALL_MS = 3_000;
    private static NodeProcesses nodes;
    private static Ignite client;

    @BeforeAll
    static void start() throws Exception {
        nodes = new NodeProcesses("vecgrid-stall", "");
        client = nodes.startCluster("stall", 3);
    }

    @AfterAll
    static void stop() {
        if (nodes != null)
            nodes.close();
    }

    @Test
    void searchesThroughAThickClientGoOnWhileTheCatalogPrimaryIsStopped() throws Exception {
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder("stall").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> rows = new HashMap<>();
        for (int i = 0; i < 4000; i += 1000) {
            List<VectorRow> batch = TestRows.rows(i, 1000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
            vg.insert("stall", batch);
            batch.forEach(r -> rows.put(r.pk(), r.vector()));
        }
        vg.flush("stall");
        Replication.awaitSettled(client, 2, 3_000, "stall");
        Oracle oracle = new Oracle(Metric.L2, rows);

        ClusterNode catalogPrimary = client.affinity(MetaStore.COLLECTIONS_CACHE).mapKeyToNode("stall");
        CollectionMeta meta = new MetaStore(client).meta("stall");
        ClusterNode statePrimary = client.affinity(meta.stateCache()).mapPartitionToNode(0);
        String victim = Replication.names(List.of(catalogPrimary)).get(0);
        UUID victimId = catalogPrimary.id();

        // Healthy searches first: the router's measured latencies and its copy of the catalog and target.
        for (int i = 0; i < 200; i++)
            search(vg, oracle, i);

        AtomicBoolean stopped = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger duringStall = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            loops.add(pool.submit(() -> {
                int i = 1_000 + thread * 1_000_000;
                while (!done.get()) {
                    boolean startedStopped = stopped.get();
                    try {
                        search(vg, oracle, i++);
                        if (startedStopped && stopped.get())
                            duringStall.incrementAndGet();
                    }
                    catch (Throwable e) {
                        failures.add("search " + i + (startedStopped ? " (during the stall)" : "") + ": " + e);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(500);
        nodes.signal(victim, "STOP");
        stopped.set(true);
        try {
            Thread.sleep(STALL_MS);
        }
        finally {
            stopped.set(false);
            nodes.signal(victim, "CONT");
        }
        // The resumed node is used again once its figures fade (the selector tries it afresh).
        SearchResult[] last = new SearchResult[1];
        long resumed = System.currentTimeMillis();
        try {
            TestCluster.awaitTrue("the resumed node " + victim + " serves search work again", () -> {
                SearchResult r = vg.search(SearchRequest.builder("stall", new float[][] {TestRows.vector(7, DIM)}, 10)
                    .diagnostics(true).build());
                last[0] = r;
                return r.diagnostics().segmentNodes().containsValue(victimId) ||
                    r.diagnostics().growingNodes().containsValue(victimId);
            }, 60_000);
            System.out.println("StalledNodeProcessIT: " + victim + " served again " +
                (System.currentTimeMillis() - resumed) + " ms after SIGCONT");
        }
        catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; replicas: " + vg.replicas("stall") + "; last search: " +
                last[0].diagnostics(), e);
        }
        done.set(true);
        for (Future<?> f : loops)
            f.get(2, TimeUnit.MINUTES);
        pool.shutdown();

        assertEquals(List.of(), failures, "no search fails while a node is stopped (replicaNumber 2)");
        assertTrue(duringStall.get() >= 10, "searches started and completed while " + victim + " (catalog primary" +
            (statePrimary.id().equals(victimId) ? " and state-cache primary" : "") + ") was stopped for " + STALL_MS +
            " ms: " + duringStall.get());
        assertEquals(3, client.cluster().forServers().nodes().size(), "the stopped node stayed in the topology");
    }

    private static void search(VectorGrid vg, Oracle oracle, int i) {
        float[] q = TestRows.vector(900_000 + i, DIM);
        SearchResult r = vg.search(SearchRequest.builder("stall", new float[][] {q}, 10).build());
        oracle.assertExact(q, 10, r.hits(0), null, "search " + i);
    }
}
