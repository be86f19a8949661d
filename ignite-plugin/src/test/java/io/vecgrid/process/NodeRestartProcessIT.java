package io.vecgrid.process;

import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One node process at a time leaves and comes back while a thick client searches and writes, on three node processes
 * ({@code scripts/start-node.sh}, the shipped persistent config, nodes not pinned to groups), replicaNumber 2, FLAT
 * collections so that every result is compared with the exact oracle:
 * <ul>
 *   <li>a node is killed with SIGKILL and started again with its work directory while inserts and deletes go on: it
 *   rejoins, catches up from the others' write-ahead logs only what it missed (no partition sent whole) and serves
 *   its segment copies again from its own data;</li>
 *   <li>rolling restart: each node in turn is stopped with SIGTERM and started again, the next one only once it
 *   serves and every segment and shard has both copies again.</li>
 * </ul>
 * Zero searches fail in either, and no acknowledged write is lost. The tests share the cluster and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeRestartProcessIT {
    private static final int DIM = 64;
    private static final List<String> NODES = List.of("nr1", "nr2", "nr3");
    /** Pause of the writer after each round: keeps the growing rows far below a seal (8192 per shard). */
    private static final long WRITE_PAUSE_MILLIS = 50;
    private static final long CHECKPOINT_MILLIS = 5000;

    private static NodeProcesses nodes;
    private static Ignite client;
    /** Collections created so far: a node is back once all of them have both copies of everything. */
    private static final List<String> collections = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // Checkpoints every 5 s instead of 3 min, so that history to replay exists soon after a collection is made.
        nodes = new NodeProcesses("vecgrid-noderestart", "-Dvecgrid.checkpoint.millis=" + CHECKPOINT_MILLIS);
        for (String n : NODES)
            nodes.start(n);
        client = nodes.startClient("noderestart-client", 3);
        NodeProcesses.awaitBaseline(client, 3);
    }

    @AfterAll
    static void stop() {
        if (nodes != null)
            nodes.close();
    }

    /** Creates a FLAT collection, inserts {@code flushes} times 6,000 rows, flushing after each, and waits for it to settle. */
    private static Map<Long, float[]> collection(String name, int flushes) {
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        collections.add(name);
        Map<Long, float[]> rows = new HashMap<>();
        for (int f = 0; f < flushes; f++) {
            for (int i = 0; i < 6000; i += 1000) {
                List<VectorRow> batch = TestRows.rows(f * 6000L + i, 1000, DIM).stream()
                    .map(r -> new VectorRow(r.pk(), r.vector())).toList();
                vg.insert(name, batch);
                batch.forEach(r -> rows.put(r.pk(), r.vector()));
            }
            vg.flush(name);
        }
        Replication.awaitSettled(client, 2, 3000, name);
        return rows;
    }

    @Test
    @Order(1)
    void killedNodeRejoinsAndCatchesUpOnlyWhatItMissed() throws Exception {
        String name = "rejoin";
        Map<Long, float[]> initial = collection(name, 2);
        CollectionMeta meta = new SegmentInspector(client, name).meta();
        String victim = holderOfMostCopies(name);
        long heldBytes = segmentBytesHeldBy(name, victim);
        int held = copiesHeldBy(name, victim);

        try (SearchLoad load = new SearchLoad(Vecgrid.of(client), name, DIM, initial, 1_000_000, WRITE_PAUSE_MILLIS)) {
            load.deletes(true);
            load.start();
            load.awaitSearches(50, 120_000);
            // The others can replay to it only from a checkpoint that covers the collection: wait for one, as a
            // cluster that has run for a checkpoint interval since the collection was made would have.
            nodes.awaitCheckpoint(NODES, 60_000);
            int atKill = load.searches();
            // Any write not finished before the kill may be missing on the victim: the bound counts from there.
            long updates0 = load.rowUpdatesDone();
            long marks0 = load.sealedDeletesDone();
            // Seals, merges and moves go on while the victim is down: segments made meanwhile are new to it, and it
            // receives their chunks with the rest of what it missed. Note every segment seen from the kill on.
            Set<Long> before = new HashSet<>();
            // Every segment seen from the kill on: the ones that leave the target meanwhile (merged, moved) are
            // dropped, and the drop's removals of their chunks and delete marks are replayed to the victim too.
            Map<Long, SegmentRef> seen = new java.util.concurrent.ConcurrentHashMap<>();
            new SegmentInspector(client, name).target().segments().forEach(r -> {
                before.add(r.id());
                seen.put(r.id(), r);
            });
            Map<Long, SegmentRef> madeMeanwhile = new java.util.concurrent.ConcurrentHashMap<>();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    try {
                        for (SegmentRef r : new SegmentInspector(client, name).target().segments()) {
                            if (!before.contains(r.id()))
                                madeMeanwhile.put(r.id(), r);
                            seen.put(r.id(), r);
                        }
                        Thread.sleep(100);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    catch (RuntimeException e) {
                        // A read while the topology changes: the next one counts.
                    }
                }
            }, "segment-sampler");
            sampler.start();
            nodes.kill(victim);
            long killed = System.nanoTime();
            TestCluster.awaitTrue("the others see " + victim + " gone", () ->
                client.cluster().forServers().nodes().size() == 2, 30_000);
            long detected = System.nanoTime();
            // Acknowledged inserts and deletes (of sealed and of growing rows) while it is down.
            load.awaitWrites(30, 15, 120_000);
            load.awaitSearches(atKill + 100, 120_000);
            int whileDown = load.searches() - atKill;
            int downInserts = load.insertBatches();
            int downDeletes = load.deleteBatches();

            nodes.start(victim);
            long started = nodes.startedAtNanos(victim);
            TestCluster.awaitTrue(victim + " serves", () -> nodes.logged(victim, "vecgrid is serving"), 120_000);
            long serving = System.nanoTime();
            Replication.awaitAll(client, 2, 120_000, collections.toArray(String[]::new));
            long back = System.nanoTime();
            long missedUpdates = load.rowUpdates() - updates0;
            long missedMarks = load.sealedDeletes() - marks0;
            sampling.set(false);
            sampler.join();
            long newChunks = madeMeanwhile.values().stream().mapToLong(SegmentRef::chunks).sum();
            long newBytes = madeMeanwhile.values().stream().mapToLong(SegmentRef::bytes).sum();
            Set<Long> now = new HashSet<>();
            new SegmentInspector(client, name).target().segments().forEach(r -> now.add(r.id()));
            long goneChunks = seen.values().stream().filter(r -> !now.contains(r.id())).mapToLong(SegmentRef::chunks).sum();
            long allMarks = load.sealedDeletes();
            int atBack = load.searches();
            load.awaitSearches(atBack + 50, 120_000);
            load.deletes(false);
            load.close();

            System.out.printf("[rejoin] %s (held %d segment copies, %d bytes of segment entries) killed; failure " +
                    "detected after %d ms; down %d ms: %d searches, %d insert and %d delete batches acknowledged " +
                    "meanwhile; started again: serving %d ms and every segment and shard on 2 nodes %d ms after " +
                    "its process start; %d searches after; %d searches in all, %d failed, %d writes failed %s%n",
                victim, held, heldBytes, (detected - killed) / 1_000_000, (started - killed) / 1_000_000, whileDown,
                downInserts, downDeletes, (serving - started) / 1_000_000, (back - started) / 1_000_000,
                load.searches() - atBack, load.searches(), load.failures().size(), load.failedWrites(),
                load.writeErrors());
            assertEquals(List.of(), load.failures(), "no search failed and every result was exact");
            long live = load.verify(30, "after the rejoin");

            // What the restarted node received, from its log ("Completed rebalancing [grp=..]" per cache group and
            // supplier). A node that kept its data is sent only the updates it missed, replayed from the
            // suppliers' WAL (histPartitions/histEntries), never a whole partition (fullPartitions): so its segment
            // copies are its own, read from its pages, and only delete marks written meanwhile arrive.
            List<RebalanceLog> received = RebalanceLog.parse(nodes.log(victim));
            List<RebalanceLog> rows = RebalanceLog.ofGroups(received, meta.rowsCache());
            List<RebalanceLog> segs = RebalanceLog.ofGroups(received, "vecgrid_seg_" + name + "_");
            long rowEntries = rows.stream().mapToLong(RebalanceLog::entries).sum();
            long segEntries = segs.stream().mapToLong(RebalanceLog::entries).sum();
            long segBytes = segs.stream().mapToLong(RebalanceLog::bytes).sum();
            System.out.printf("[rejoin] %s received: rows %s; segments and delete marks %s; %d rows-cache updates and " +
                    "%d delete marks written from the kill until it was back, %d segments made meanwhile (%d chunks, " +
                    "%d bytes); %d live rows%n", victim, rows, segs, missedUpdates, missedMarks, madeMeanwhile.size(),
                newChunks, newBytes, live);
            for (RebalanceLog r : received) {
                if (r.group().startsWith("vecgrid_"))
                    assertEquals(0, r.fullPartitions(), victim + " received a partition whole: " + r);
            }
            assertTrue(rows.stream().mapToInt(RebalanceLog::histPartitions).sum() > 0,
                victim + " caught up the rows it missed from the WAL: " + rows);
            assertTrue(rowEntries <= missedUpdates, "rows received " + rowEntries + " <= updates missed " + missedUpdates);
            // Entries it may be sent: delete marks written meanwhile, chunks of segments made meanwhile, and the
            // removals of chunks and marks of segments that left the target meanwhile (marks: at most every mark).
            assertTrue(segEntries <= missedMarks + newChunks + goneChunks + allMarks, "segment-group entries received " +
                segEntries + " <= delete marks written meanwhile " + missedMarks + " + chunks of segments made meanwhile " +
                newChunks + " + chunk removals of segments dropped meanwhile " + goneChunks + " + removals of at most " +
                "every delete mark " + allMarks);
            // Delete marks are small: beyond the chunks of new segments, far less than the segments it holds.
            assertTrue((segBytes - Math.min(segBytes, newBytes)) * 10 < heldBytes, "segment-group bytes received " +
                segBytes + ", less " + newBytes + " of segments made meanwhile, far below the " + heldBytes +
                " bytes of the segments it holds");
            // Segments sealed and merged while it was down change which segments there are: it serves a copy of
            // every segment of the slots it owns, as before the kill (then: held).
            int owned = segmentsInSlotsOf(name, victim);
            assertTrue(held > 0 && owned > 0, "held " + held + ", owned " + owned);
            assertEquals(owned, copiesHeldBy(name, victim), victim + " serves its segment copies again");
        }
    }

    @Test
    @Order(2)
    void rollingRestartUnderSearchAndInsertLoad() throws Exception {
        String name = "rolling";
        Map<Long, float[]> initial = collection(name, 2);
        // The load runs through a thin client given every node's address, as an application would: a node that stops
        // gracefully drains first, refusing new operations with an error the client resends on, so neither a search
        // nor an insert fails.
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect();
             SearchLoad load = new SearchLoad(thin, name, DIM, initial, 1_000_000, WRITE_PAUSE_MILLIS)) {
            load.start();
            load.awaitSearches(50, 120_000);
            for (String n : NODES) {
                int s0 = load.searches();
                int f0 = load.failures().size();
                long t0 = System.nanoTime();
                nodes.sigterm(n);
                long stopped = System.nanoTime();
                nodes.start(n);
                long started = nodes.startedAtNanos(n);
                TestCluster.awaitTrue(n + " serves", () -> nodes.logged(n, "vecgrid is serving"), 120_000);
                long serving = System.nanoTime();
                Replication.awaitAll(client, 2, 120_000, collections.toArray(String[]::new));
                long back = System.nanoTime();
                List<RebalanceLog> received = RebalanceLog.ofGroups(RebalanceLog.parse(nodes.log(n)), "vecgrid_");
                System.out.printf("[rolling] %s: SIGTERM to exit %d ms; serving %d ms and every segment and shard on " +
                        "2 nodes %d ms after its process start; %d searches meanwhile, %d failed; received %s%n", n,
                    (stopped - t0) / 1_000_000, (serving - started) / 1_000_000, (back - started) / 1_000_000,
                    load.searches() - s0, load.failures().size() - f0, received);
                load.awaitSearches(load.searches() + 30, 120_000);
            }
            load.close();
            List<String> failures = load.failures();
            System.out.printf("[rolling] %d searches, %d insert batches acknowledged (%d writes failed %s), %d " +
                    "searches failed%s%n", load.searches(), load.insertBatches(), load.failedWrites(), load.writeErrors(),
                failures.size(), failures.isEmpty() ? "" : "; first: " + failures.subList(0, Math.min(5, failures.size())));
            assertEquals(List.of(), failures, "no search failed and every result was exact");
            assertEquals(List.of(), load.writeErrors(), "every insert was acknowledged");
            long live = load.verify(30, "after the rolling restart");
            System.out.printf("[rolling] every acknowledged insert present: %d live rows%n", live);
        }
    }

    /** @return name of the node reporting the most serviceable copies of the collection's segments. */
    private static String holderOfMostCopies(String collection) {
        Map<UUID, Integer> copies = copiesByNode(collection);
        UUID best = copies.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return Replication.names(List.of(client.cluster().node(best))).get(0);
    }

    /** @return how many segments of the collection's target lie in slots (partitions) that {@code node} owns. */
    private static int segmentsInSlotsOf(String collection, String node) {
        SegmentInspector insp = new SegmentInspector(client, collection);
        org.apache.ignite.cache.affinity.Affinity<Object> aff = client.affinity(insp.meta().segmentsCache());
        int n = 0;
        for (SegmentRef s : insp.target().segments()) {
            if (Replication.names(aff.mapPartitionToPrimaryAndBackups(s.slot())).contains(node))
                n++;
        }
        return n;
    }

    private static int copiesHeldBy(String collection, String node) {
        Map<UUID, Integer> copies = copiesByNode(collection);
        for (Map.Entry<UUID, Integer> e : copies.entrySet()) {
            if (Replication.names(List.of(client.cluster().node(e.getKey()))).get(0).equals(node))
                return e.getValue();
        }
        return 0;
    }

    private static Map<UUID, Integer> copiesByNode(String collection) {
        SegmentInspector insp = new SegmentInspector(client, collection);
        RoutingTable t = Vecgrid.local(client).routing().refresh();
        Map<UUID, Integer> res = new HashMap<>();
        for (SegmentRef s : insp.target().segments()) {
            for (UUID n : t.copies(insp.meta().segmentsCache(), s.id()))
                res.merge(n, 1, Integer::sum);
        }
        return res;
    }

    /** @return bytes of the segment entries in the slots the node owns (what a full rebalance would send it). */
    private static long segmentBytesHeldBy(String collection, String node) {
        SegmentInspector insp = new SegmentInspector(client, collection);
        String cache = insp.meta().segmentsCache();
        long bytes = 0;
        for (SegmentRef s : insp.target().segments()) {
            List<ClusterNode> owners = new ArrayList<>(client.affinity(cache).mapPartitionToPrimaryAndBackups(s.slot()));
            if (Replication.names(owners).contains(node))
                bytes += s.bytes();
        }
        return bytes;
    }
}
