package io.vecgrid.process;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.dataset.Datasets;
import io.vecgrid.recall.RealDataRecall;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full restarts of a cluster of three node processes ({@code scripts/start-node.sh}, the shipped persistent config),
 * replicaNumber 2, this JVM a thick client. Inserts, upserts and deletes — of sealed rows and of growing rows — are
 * acknowledged and, with no flush after them, every node is stopped: first with SIGTERM, then, after more changes,
 * with SIGKILL ({@code kill -9}) of all three at once. Each time the nodes start again in another order and every
 * acknowledged change is there: count, {@code get} of every key (newest vector and field), FLAT searches equal to the
 * exact oracle, the same sealed segments, and HNSW recall@10 on a Fashion-MNIST subset equal to its value before the
 * restarts, at the default ef and at a low one (the same graphs, read back, not rebuilt); no node receives a
 * partition of a collection whole over the network (each serves what it held, from its own pages). Prints the time
 * from the last node's process start until every segment of every collection is serviceable on both its copies.
 *
 * <p>The nodes are pinned to replica groups ({@code -Dvecgrid.replica.group}, as an operator pins racks). Unpinned,
 * groups are derived again from the order in which the nodes rejoin, since Ignite keeps no affinity history over a
 * full stop: a restart in another order can swap the groups, send whole partitions to the node that changed group,
 * and have the balancer re-seal segments (HNSW graphs rebuilt).
 */
class FullRestartProcessIT {
    private static final int DIM = 16;
    private static final String FLAT = "restart_flat";
    private static final String HNSW = "restart_fmnist";
    private static final List<String> NODES = List.of("fr1", "fr2", "fr3");
    /** A beam narrow enough that recall is below 1: equal recall then says the graphs are the same. */
    private static final int LOW_EF = 10;

    private static NodeProcesses nodes;
    /** The thick client; a new one after every full restart (the old one lost its cluster). */
    private static volatile Ignite client;
    private static int clients;

    /** Live rows as acknowledged: vector and {@code tag} per key. */
    private final Map<Long, float[]> expected = new HashMap<>();
    private final Map<Long, Long> tags = new HashMap<>();
    /** Every key ever written. */
    private final TreeSet<Long> keys = new TreeSet<>();

    @BeforeAll
    static void start() throws Exception {
        nodes = new NodeProcesses("vecgrid-fullrestart", "").pin("fr1", 0).pin("fr2", 1).pin("fr3", 0);
        for (String n : NODES)
            nodes.start(n);
        client = nodes.startClient("fullrestart-client-" + ++clients, 3);
        NodeProcesses.awaitBaseline(client, 3);
    }

    @AfterAll
    static void stop() {
        if (nodes != null)
            nodes.close();
    }

    @Test
    void everyAcknowledgedChangeSurvivesSigtermAndKillNineOfEveryNode() throws Exception {
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder(FLAT).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).shards(2).replicas(2).build());
        for (int i = 0; i < 6000; i += 1000)
            insert(vg, TestRows.rows(i, 1000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector(),
                Map.of("tag", r.pk() % 10))).toList());
        vg.flush(FLAT);
        RealDataRecall fmnist = new RealDataRecall(() -> client, () -> List.of(client), Datasets.fashionMnist(), HNSW,
            3000, 100);
        // The coordinator may still move a segment after the flush (balance): record what stays.
        Replication.awaitSettled(client, 2, 3000, FLAT, HNSW);
        List<SegmentRef> flatSegs = new SegmentInspector(client, FLAT).target().segments();
        List<SegmentRef> hnswSegs = fmnist.segments(2);
        double[] recallBefore = recall(fmnist, hnswSegs.size());
        System.out.printf("[full-restart] %d FLAT segments %s, %d HNSW segments, recall@10 %.4f (ef %d: %.4f) before " +
            "the restarts%n", flatSegs.size(), flatSegs, hnswSegs.size(), recallBefore[0], LOW_EF, recallBefore[1]);

        changes(vg, 1);
        restart("SIGTERM", List.of("fr3", "fr1", "fr2"), () -> nodes.sigterm(NODES.toArray(String[]::new)));
        vg = Vecgrid.of(client);
        check(vg, flatSegs, fmnist, hnswSegs, recallBefore, "after SIGTERM of every node");

        changes(vg, 2);
        restart("kill -9", List.of("fr2", "fr3", "fr1"), () -> nodes.kill(NODES.toArray(String[]::new)));
        vg = Vecgrid.of(client);
        check(vg, flatSegs, fmnist, hnswSegs, recallBefore, "after kill -9 of every node");
    }

    /**
     * Upserts and deletes of sealed rows, inserts of growing rows, upserts and deletes of growing rows (this round's
     * and, in round 2, the previous round's, still growing after the restart): about 5% of each segment changed, far
     * from a compaction, and far fewer growing rows than a seal needs.
     */
    private void changes(VectorGrid vg, int round) {
        long sealed = round * 1000L;
        List<VectorRow> ups = new ArrayList<>();
        for (long pk = sealed; pk < sealed + 150; pk++)
            ups.add(new VectorRow(pk, TestRows.vector(pk + round * 1_000_000L, DIM), Map.of("tag", 100L + round)));
        upsert(vg, ups);
        delete(vg, TestRows.pks(sealed + 500, 150));

        long growing = round * 10_000L;
        insert(vg, TestRows.rows(growing, 600, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector(),
            Map.of("tag", r.pk() % 10))).toList());
        delete(vg, TestRows.pks(growing, 50));
        ups.clear();
        for (long pk = growing + 100; pk < growing + 150; pk++)
            ups.add(new VectorRow(pk, TestRows.vector(pk + round * 1_000_000L, DIM), Map.of("tag", 100L + round)));
        upsert(vg, ups);
        if (round > 1) {
            long prev = (round - 1) * 10_000L;
            ups.clear();
            for (long pk = prev + 200; pk < prev + 250; pk++)
                ups.add(new VectorRow(pk, TestRows.vector(pk + round * 1_000_000L, DIM), Map.of("tag", 100L + round)));
            upsert(vg, ups);
            delete(vg, TestRows.pks(prev + 300, 50));
        }
        assertEquals(expected.size(), vg.count(FLAT), "count before the stop, round " + round);
    }

    private void insert(VectorGrid vg, List<VectorRow> rows) {
        vg.insert(FLAT, rows);
        applied(rows);
    }

    private void upsert(VectorGrid vg, List<VectorRow> rows) {
        vg.upsert(FLAT, rows);
        applied(rows);
    }

    private void applied(List<VectorRow> rows) {
        for (VectorRow r : rows) {
            expected.put(r.pk(), r.vector());
            tags.put(r.pk(), (Long)r.fields().get("tag"));
            keys.add(r.pk());
        }
    }

    private void delete(VectorGrid vg, long[] pks) {
        vg.delete(FLAT, pks);
        for (long pk : pks)
            expected.remove(pk);
    }

    interface Stop {
        void run() throws Exception;
    }

    /**
     * Stops the client, stops every node with {@code stop}, starts them again in {@code order} (one right after the
     * other, as a script would) and a new client; prints how long after the last process start the cluster was
     * active and every segment of both collections serviceable on both copies, and what each node logged about
     * loading its copies.
     */
    private void restart(String how, List<String> order, Stop stop) throws Exception {
        String before = Replication.placement(client, FLAT) + " | " + Replication.placement(client, HNSW);
        nodes.stopClient(client);
        long t0 = System.nanoTime();
        stop.run();
        long stopped = System.nanoTime();
        for (String n : order)
            nodes.start(n);
        long last = nodes.startedAtNanos(order.get(order.size() - 1));
        client = nodes.startClient("fullrestart-client-" + ++clients, 3);
        long active = System.nanoTime();
        Replication.awaitAll(client, 2, 180_000, FLAT, HNSW);
        long all = System.nanoTime();
        System.out.printf("[full-restart] %s: placement before: %s%n[full-restart] %s: placement after:  %s | %s%n", how,
            before, how, Replication.placement(client, FLAT), Replication.placement(client, HNSW));
        System.out.printf("[full-restart] %s: every node stopped in %d ms; started again in order %s: cluster active " +
                "(the client serves) %d ms and every segment of both collections serviceable on both copies %d ms " +
                "after the last node's process start%n", how, (stopped - t0) / 1_000_000, order,
            (active - last) / 1_000_000, (all - last) / 1_000_000);
        for (String n : order) {
            List<String> log = nodes.log(n);
            String line = log.stream().filter(l -> l.contains("segment copies (")).findFirst()
                .map(l -> l.substring(l.indexOf("vecgrid:"))).orElse("(no copy loaded)");
            List<RebalanceLog> received = RebalanceLog.ofGroups(RebalanceLog.parse(log), "vecgrid_");
            System.out.printf("[full-restart] %s: %s: %s; rebalanced in: %s%n", how, n, line, received);
            // Each node serves the copies it held from its own pages: no collection partition arrives whole.
            for (RebalanceLog r : received)
                assertEquals(0, r.fullPartitions(), n + " received whole partitions " + how + ": " + r);
        }
    }

    /** @return recall@10 at the default ef and at {@link #LOW_EF}. */
    private static double[] recall(RealDataRecall fmnist, int segments) {
        return new double[] {fmnist.recall(client, 0, segments), fmnist.recall(client, LOW_EF, segments)};
    }

    private void check(VectorGrid vg, List<SegmentRef> flatSegs, RealDataRecall fmnist, List<SegmentRef> hnswSegs,
        double[] recallBefore, String when) {
        assertEquals(flatSegs, new SegmentInspector(client, FLAT).target().segments(), "the same FLAT segments " + when);
        assertEquals(hnswSegs, new SegmentInspector(client, HNSW).target().segments(), "the same HNSW segments " + when);
        assertEquals(expected.size(), vg.count(FLAT), "count " + when);
        long[] all = keys.stream().mapToLong(Long::longValue).toArray();
        List<VectorRow> got = new ArrayList<>();
        for (int i = 0; i < all.length; i += 1000)
            got.addAll(vg.get(FLAT, Arrays.copyOfRange(all, i, Math.min(all.length, i + 1000)), null));
        assertEquals(expected.size(), got.size(), "get finds every live row and no deleted one " + when);
        for (VectorRow r : got) {
            assertTrue(expected.containsKey(r.pk()), "pk " + r.pk() + " was deleted " + when);
            assertArrayEquals(expected.get(r.pk()), r.vector(), "newest vector of pk " + r.pk() + " " + when);
            assertEquals(tags.get(r.pk()), r.fields().get("tag"), "newest tag of pk " + r.pk() + " " + when);
        }
        Oracle oracle = new Oracle(Metric.L2, expected);
        for (int q = 0; q < 30; q++) {
            float[] query = TestRows.vector(5_000_000 + q * 7L, DIM);
            SearchResult r = vg.search(SearchRequest.builder(FLAT, new float[][] {query}, 10).build());
            assertFalse(r.partial());
            oracle.assertExact(query, 10, r.hits(0), null, "query " + q + " " + when);
        }
        double[] recall = recall(fmnist, hnswSegs.size());
        System.out.printf("[full-restart] %s: %d live rows, get and 30 FLAT searches exact; fashion-mnist recall@10 " +
            "%.4f, at ef %d %.4f (before the restarts %.4f, %.4f)%n", when, expected.size(), recall[0], LOW_EF, recall[1],
            recallBefore[0], recallBefore[1]);
        assertEquals(recallBefore[0], recall[0], 1e-9, "the same HNSW graphs answer " + when);
        assertEquals(recallBefore[1], recall[1], 1e-9, "the same HNSW graphs answer at ef " + LOW_EF + " " + when);
    }
}
