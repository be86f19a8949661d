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
import io.vecgrid.client.VecgridClient;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node process stopped with SIGSTOP (alive for the topology, answering nothing) must not hold searches hostage: with
 * replicaNumber 2, searches through a thick client go on while it is stopped, exact against the oracle, none failing,
 * and once it gets SIGCONT it serves search work again. The same holds for a thin client whose own node (the router of
 * its calls) is stopped.
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
        Oracle oracle = load(vg, "stall");
        ClusterNode catalogPrimary = client.affinity(MetaStore.COLLECTIONS_CACHE).mapKeyToNode("stall");
        CollectionMeta meta = new MetaStore(client).meta("stall");
        ClusterNode statePrimary = client.affinity(meta.stateCache()).mapPartitionToNode(0);
        String victim = Replication.names(List.of(catalogPrimary)).get(0);
        UUID victimId = catalogPrimary.id();

        // Healthy searches first: the router's measured latencies and its copy of the catalog and target.
        for (int i = 0; i < 200; i++)
            search(vg, "stall", oracle, i);

        int during = stallWhileSearching(vg, "stall", oracle, victim, victimId);
        assertTrue(during >= 10, "searches started and completed while " + victim + " (catalog primary" +
            (statePrimary.id().equals(victimId) ? " and state-cache primary" : "") + ") was stopped for " + STALL_MS +
            " ms: " + during);
    }

    /**
     * A thin client's calls are routed by the server node it is connected to: when that node is stopped, its searches
     * are sent again through the client's standby connection after a delay learned from its recent searches (hedged),
     * and the standby becomes the client's connection. Searches that start after the SIGSTOP complete, exact, before
     * the SIGCONT; none fails; and later calls go through another node. Then the node of the new standby is stopped:
     * searches go on as well (a hedge sent to it does not hold its caller).
     */
    @Test
    void searchesThroughAThinClientGoOnWhileItsNodeIsStopped() throws Exception {
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect()) {
            Oracle oracle = load(thin, "stallthin");
            TestCluster.awaitTrue("a standby connection", () -> thin.standbyNode() != null, 30_000);
            // Healthy searches first: the client's hedging delay comes from their latencies.
            for (int i = 0; i < 200; i++)
                search(thin, "stallthin", oracle, i);
            UUID routerId = thin.status().servedBy();
            String victim = Replication.names(List.of(client.cluster().node(routerId))).get(0);

            int during = stallWhileSearching(thin, "stallthin", oracle, victim, null);
            System.out.println("StalledNodeProcessIT: thin client, " + during + " searches during the stall of " +
                victim + ", " + thin.hedgedCalls() + " hedged, " + thin.hedgeWins() + " won by the standby");
            assertTrue(during >= 10, "searches started and completed while the thin client's node " + victim +
                " was stopped for " + STALL_MS + " ms: " + during);
            assertTrue(thin.hedgeWins() >= 1, "the standby answered a hedged search: " + thin.hedgedCalls() +
                " hedged, " + thin.hedgeWins() + " won by the standby");
            assertNotEquals(routerId, thin.status().servedBy(), "calls go through another node than the stopped one");

            // Now the node of the standby is stopped: a hedge sent there must not hold the search it hedges (sending
            // is done off the caller's thread, and the standby registered its types when it opened).
            // (After the swap the stopped node's connection became the standby; resumed, it may stay so.)
            UUID current = thin.status().servedBy();
            TestCluster.awaitTrue("a standby", () -> thin.standbyNode() != null &&
                !thin.standbyNode().equals(current), 30_000);
            String standbyVictim = Replication.names(List.of(client.cluster().node(thin.standbyNode()))).get(0);
            int duringStandby = stallWhileSearching(thin, "stallthin", oracle, standbyVictim, null);
            System.out.println("StalledNodeProcessIT: thin client, " + duringStandby + " searches during the stall of " +
                "its standby's node " + standbyVictim + ", " + thin.hedgedCalls() + " hedged in all");
            assertTrue(duringStandby >= 10, "searches started and completed while the node of the thin client's " +
                "standby connection, " + standbyVictim + ", was stopped: " + duringStandby);
        }
    }

    /**
     * A client that has not sent anything through its standby yet sees the standby's node stopped with SIGSTOP while
     * searching, and from then on hedges every search its budget allows at once ({@link VecgridClient#hedgeDelay}
     * zero: whether the router's own searches touch the stopped node, and so whether a learned delay would pass, depends
     * on where the copies are). A hedge is sent from a thread of its own and the standby registered its types when it
     * opened, so no search waits for the stall: searches started after the SIGSTOP complete, exact, before the SIGCONT.
     */
    @Test
    void aHedgeToAFreshStandbyOnAStoppedNodeDoesNotHoldItsSearch() throws Exception {
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect()) {
            Oracle oracle = load(thin, "stallfresh");
            TestCluster.awaitTrue("a standby connection", () -> thin.standbyNode() != null, 30_000);
            for (int i = 0; i < 100; i++)
                search(thin, "stallfresh", oracle, i);
            UUID standby = thin.standbyNode();
            // A pause of this machine could have hedged one of them already; then the standby is not fresh, which
            // the output says (the assertions below hold either way).
            long hedgedBefore = thin.hedgedCalls();
            String victim = Replication.names(List.of(client.cluster().node(standby))).get(0);
            int during = stallWhileSearching(thin, "stallfresh", oracle, victim, null,
                () -> thin.hedgeDelay(Duration.ZERO));
            thin.hedgeDelay(null);
            System.out.println("StalledNodeProcessIT: fresh thin client, " + during + " searches during the stall of " +
                "its standby's node " + victim + ", " + thin.hedgedCalls() + " hedged (" + hedgedBefore + " before it)");
            assertTrue(thin.hedgedCalls() > hedgedBefore, "searches were hedged through the stopped node's standby connection");
            assertTrue(during >= 10, "searches started and completed while the standby's node " + victim +
                " was stopped for " + STALL_MS + " ms: " + during);
        }
    }

    /**
     * Searches {@code name} from two threads, stops {@code victim} with SIGSTOP for {@value #STALL_MS} ms, resumes
     * it, and (if {@code victimId} is given) waits until it serves search work again.
     *
     * @return the searches that started after the SIGSTOP and completed before the SIGCONT.
     */
    private static int stallWhileSearching(VectorGrid vg, String name, Oracle oracle, String victim, UUID victimId)
        throws Exception {
        return stallWhileSearching(vg, name, oracle, victim, victimId, () -> { });
    }

    /** {@link #stallWhileSearching(VectorGrid, String, Oracle, String, UUID)}, running {@code afterStop} after the SIGSTOP. */
    private static int stallWhileSearching(VectorGrid vg, String name, Oracle oracle, String victim, UUID victimId,
        Runnable afterStop) throws Exception {
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
                        search(vg, name, oracle, i++);
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
        try {
            Thread.sleep(500);
            nodes.signal(victim, "STOP");
            stopped.set(true);
            afterStop.run();
            try {
                Thread.sleep(STALL_MS);
            }
            finally {
                stopped.set(false);
                nodes.signal(victim, "CONT");
            }
            if (victimId != null)
                awaitServing(vg, name, victim, victimId);
        }
        finally {
            done.set(true);
            for (Future<?> f : loops)
                f.get(2, TimeUnit.MINUTES);
            pool.shutdown();
        }
        assertEquals(List.of(), failures, "no search fails while a node is stopped (replicaNumber 2)");
        assertEquals(3, client.cluster().forServers().nodes().size(), "the stopped node stayed in the topology");
        return duringStall.get();
    }

    /** Waits until the resumed node is used again (once its figures fade, the selector tries it afresh). */
    private static void awaitServing(VectorGrid vg, String name, String victim, UUID victimId) {
        SearchResult[] last = new SearchResult[1];
        long resumed = System.currentTimeMillis();
        try {
            TestCluster.awaitTrue("the resumed node " + victim + " serves search work again", () -> {
                SearchResult r = vg.search(SearchRequest.builder(name, new float[][] {TestRows.vector(7, DIM)}, 10)
                    .diagnostics(true).build());
                last[0] = r;
                return r.diagnostics().segmentNodes().containsValue(victimId) ||
                    r.diagnostics().growingNodes().containsValue(victimId);
            }, 60_000);
            System.out.println("StalledNodeProcessIT: " + victim + " served again " +
                (System.currentTimeMillis() - resumed) + " ms after SIGCONT");
        }
        catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; replicas: " + vg.replicas(name) + "; last search: " +
                (last[0] == null ? null : last[0].diagnostics()), e);
        }
    }

    /** Creates collection {@code name} (2 shards, replicaNumber 2), loads 4,000 rows and waits until it settled. */
    private static Oracle load(VectorGrid vg, String name) {
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> rows = new HashMap<>();
        for (int i = 0; i < 4000; i += 1000) {
            List<VectorRow> batch = TestRows.rows(i, 1000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
            vg.insert(name, batch);
            batch.forEach(r -> rows.put(r.pk(), r.vector()));
        }
        vg.flush(name);
        Replication.awaitSettled(client, 2, 3_000, name);
        return new Oracle(Metric.L2, rows);
    }

    private static void search(VectorGrid vg, String name, Oracle oracle, int i) {
        float[] q = TestRows.vector(900_000 + i, DIM);
        SearchResult r = vg.search(SearchRequest.builder(name, new float[][] {q}, 10).build());
        oracle.assertExact(q, 10, r.hits(0), null, "search " + i);
    }
}
