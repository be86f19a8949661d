package io.vecgrid.process;

import io.vecgrid.LayoutInvariants;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.ShardState;
import io.vecgrid.segment.LayoutHooks;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node driving a layout operation is killed with SIGKILL ({@code kill -9}) in the middle of it, under search,
 * insert and delete load, and the coordinator undoes or finishes the operation by itself. Three node processes
 * ({@code scripts/start-node.sh}, the shipped persistent config; pinned to replica groups 0, 1, 0), replicaNumber 2,
 * FLAT collections of three shards; the nodes read a pause control file ({@code -Dvecgrid.test.pauseFile}, see
 * {@link LayoutHooks}): the test writes {@code POINT@collection} into it, waits for the driver's "paused at" log
 * line, kills that node, then clears the file.
 * <ul>
 *   <li>{@link LayoutHooks.Point#SEAL_MARKED} (a flush's seal has marked its rows, not published): the seal is
 *   undone, its rows growing again, its chunks and delete marks gone;</li>
 *   <li>{@link LayoutHooks.Point#MERGE_PUBLISHED} (the coordinator's merge of a quiet shard's two segments has
 *   published, no location re-pointed yet): the merge is finished, locations re-pointed, forwards ended, the sources'
 *   chunks and marks gone.</li>
 * </ul>
 * In both, a live node logs the recovery, no search fails, every result equals the exact oracle ({@link SearchLoad}),
 * the killed node starts again with its work directory and catches up, and once the layout is quiet every key is in
 * exactly one served segment or growing, nothing is orphaned, count and get agree with what was acknowledged
 * ({@link LayoutInvariants}). The other step boundaries are covered in one JVM by {@code LayoutRecoveryTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LayoutKillProcessIT {
    private static final int DIM = 16;
    private static final int SHARDS = 3;
    private static final List<String> NODES = List.of("lk1", "lk2", "lk3");
    private static final Pattern STOP = Pattern.compile("collection '([^']+)' shard (\\d+), (\\w+) -> segment (\\d+) " +
        "\\(slot \\d+(?:, from \\[([0-9, ]*)\\])?");

    private static NodeProcesses nodes;
    private static Ignite client;
    private static Path pauseFile;
    private static final List<String> summary = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        pauseFile = Files.createTempFile("vecgrid-pause", ".txt");
        // Console files of earlier runs would name segments of earlier collections of the same names.
        java.io.File[] stale = new java.io.File(NodeProcesses.ROOT, "ignite-plugin/target")
            .listFiles((d, f) -> f.matches("lk\\d+-\\d+\\.out"));
        for (java.io.File f : stale == null ? new java.io.File[0] : stale)
            f.delete();
        // An offline node stays in the baseline for the whole test (it comes back with its data).
        nodes = new NodeProcesses("vecgrid-layoutkill", "-D" + LayoutHooks.PAUSE_FILE_PROPERTY + "=" + pauseFile +
            " -Dvecgrid.baseline.leave.millis=600000").pin("lk1", 0).pin("lk2", 1).pin("lk3", 0);
        for (String n : NODES)
            nodes.start(n);
        client = nodes.startClient("layoutkill-client", 3);
        NodeProcesses.awaitBaseline(client, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        summary.forEach(System.out::println);
        if (nodes != null)
            nodes.close();
        if (pauseFile != null)
            Files.deleteIfExists(pauseFile);
    }

    @Test
    @Order(1)
    void sealKilledAfterMarkingRowsIsUndone() throws Exception {
        String name = "kseal";
        Map<Long, float[]> initial = create(name);
        // Growing rows for the flush to seal.
        insert(name, 6000, 1500, initial);
        killDriverAt(name, LayoutHooks.Point.SEAL_MARKED, initial, () -> { }, () -> Vecgrid.of(client).flush(name));
    }

    @Test
    @Order(2)
    void mergeKilledAfterPublishingIsFinished() throws Exception {
        String name = "kmerge";
        Map<Long, float[]> initial = create(name);
        // A second segment per shard: each shard, quiet 3 s later, is merged by the coordinator.
        killDriverAt(name, LayoutHooks.Point.MERGE_PUBLISHED, initial, () -> {
            insert(name, 6000, 6000, initial);
            Vecgrid.of(client).flush(name);
        }, () -> { });
    }

    /** Creates a collection with 6,000 sealed rows, every node running (one an earlier case killed is started again). */
    private static Map<Long, float[]> create(String name) throws Exception {
        for (String n : NODES) {
            if (!nodes.running().contains(n)) {
                System.out.println("[layout-kill] " + n + " is not running (an earlier case failed); starting it again");
                nodes.start(n);
                TestCluster.awaitTrue(n + " serves", () -> nodes.logged(n, "vecgrid is serving"), 120_000);
            }
        }
        TestCluster.awaitTrue("3 server nodes", () -> client.cluster().forServers().nodes().size() == 3, 120_000);
        Vecgrid.of(client).createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2)
            .index(IndexSpec.flat()).shards(SHARDS).replicas(2).build());
        Map<Long, float[]> rows = new HashMap<>();
        insert(name, 0, 6000, rows);
        Vecgrid.of(client).flush(name);
        Replication.awaitAll(client, 2, 60_000, name);
        return rows;
    }

    private static void insert(String name, long from, int n, Map<Long, float[]> into) {
        for (long i = from; i < from + n; i += 1000) {
            List<VectorRow> batch = new ArrayList<>();
            for (long pk = i; pk < Math.min(from + n, i + 1000); pk++)
                batch.add(new VectorRow(pk, TestRows.vector(pk, DIM)));
            Vecgrid.of(client).insert(name, batch);
            batch.forEach(r -> into.put(r.pk(), r.vector()));
        }
    }

    /**
     * @param prepare runs once the point is armed, before the load starts (its writes must be in {@code initial}).
     * @param trigger runs in the background once the load runs.
     */
    private void killDriverAt(String name, LayoutHooks.Point point, Map<Long, float[]> initial, Runnable prepare,
        Runnable trigger) throws Exception {
        VectorGrid vg = Vecgrid.of(client);
        CollectionMeta meta = Vecgrid.local(client).metaStore().meta(name);
        String paused = LayoutHooks.LOG_PREFIX + "paused at " + point;
        Thread triggering;
        String victim = null;
        String line = null;
        Files.writeString(pauseFile, point + "@" + name + "\n", StandardCharsets.UTF_8);
        prepare.run();
        try (SearchLoad load = new SearchLoad(vg, name, DIM, initial, 1_000_000, 20)) {
            load.deletes(true);
            load.start();
            List<Throwable> triggerFailed = new ArrayList<>();
            triggering = new Thread(() -> {
                try {
                    trigger.run();
                }
                catch (Throwable t) {
                    // A flush whose seal's node is killed may give up: not what is tested here.
                    synchronized (triggerFailed) {
                        triggerFailed.add(t);
                    }
                }
            }, "trigger-" + name);
            triggering.start();
            String[] found = new String[2];
            TestCluster.awaitTrue("a driver to pause at " + point, () -> {
                for (String n : nodes.running()) {
                    try {
                        for (String l : nodes.log(n)) {
                            if (l.contains(paused) && l.contains("'" + name + "'")) {
                                found[0] = n;
                                found[1] = l;
                                return true;
                            }
                        }
                    }
                    catch (java.io.IOException ignored) {
                        // Not written yet.
                    }
                }
                return false;
            }, 120_000);
            String killedNode = found[0];
            victim = killedNode;
            line = found[1];
            Matcher m = STOP.matcher(line);
            assertTrue(m.find(), "parsable: " + line);
            int shard = Integer.parseInt(m.group(2));
            long segment = Long.parseLong(m.group(4));
            List<Long> sources = new ArrayList<>();
            if (m.group(5) != null) {
                for (String s : m.group(5).split(",\\s*"))
                    sources.add(Long.parseLong(s.trim()));
            }
            int atKill = load.searches();
            long killed = System.nanoTime();
            nodes.kill(victim);
            Files.writeString(pauseFile, "", StandardCharsets.UTF_8); // other drivers paused there go on
            TestCluster.awaitTrue("the operation making segment " + segment + " to leave shard " + shard + "'s state",
                () -> state(meta, shard).op(segment) == null, 120_000);
            long recovered = System.nanoTime();
            ShardState after = state(meta, shard);
            String did;
            if (point.beforePublish()) {
                did = "undone";
                assertNull(after.segment(segment), "undone segment is not served: " + after);
                TestCluster.awaitTrue("chunks and marks of undone segment " + segment + " to go",
                    () -> !LayoutInvariants.storedSegments(client, name).contains(segment), 60_000);
            }
            else {
                did = "finished";
                for (long src : sources)
                    assertNull(after.segment(src), "source " + src + " no longer served: " + after);
                TestCluster.awaitTrue("chunks and marks of replaced sources " + sources + " to go", () -> {
                    Set<Long> stored = LayoutInvariants.storedSegments(client, name);
                    return sources.stream().noneMatch(stored::contains);
                }, 60_000);
            }
            long cleaned = System.nanoTime();
            String logged = (point.beforePublish() ? "Undid " : "Finished ") + point.kind() + " -> segment " + segment + " ";
            TestCluster.awaitTrue("a live node to log the recovery", () ->
                nodes.running().stream().anyMatch(n -> nodes.logged(n, logged)), 30_000);
            int afterRecovery = load.searches();

            // The killed node comes back with its work directory.
            nodes.start(victim);
            long restarted = System.nanoTime();
            TestCluster.awaitTrue(victim + " serves", () -> nodes.logged(killedNode, "vecgrid is serving"), 120_000);
            Replication.awaitAll(client, 2, 120_000, name);
            long back = System.nanoTime();
            load.awaitSearches(load.searches() + 50, 120_000);
            load.deletes(false);
            load.close();
            triggering.join(180_000);

            LayoutInvariants.awaitQuiet(client, name, 4_000, 120_000);
            LayoutInvariants.Report rep = LayoutInvariants.checkLayout(client, name, null);
            assertEquals(List.of(), load.failures(), "no search failed and every result was exact");
            long live = load.verify(20, "after the recovery and the restart");
            String msg = String.format("[layout-kill] %s: %s killed (kill -9) driving %s of shard %d (segment %d%s); " +
                    "coordinator %s it %d ms after the kill (chunks and marks gone after %d ms); restarted node back " +
                    "with every copy after %d ms; %d searches during (%d from the kill to the recovery), 0 failed, all " +
                    "exact; %d insert and %d delete batches acknowledged, %d writes failed; settled: %s; %d live rows",
                point, victim, point.kind(), shard, segment, sources.isEmpty() ? "" : " from " + sources, did,
                (recovered - killed) / 1_000_000, (cleaned - killed) / 1_000_000, (back - restarted) / 1_000_000,
                load.searches(), afterRecovery - atKill, load.insertBatches(), load.deleteBatches(), load.failedWrites(),
                rep, live);
            System.out.println(msg);
            summary.add(msg);
        }
        finally {
            Files.writeString(pauseFile, "", StandardCharsets.UTF_8);
        }
        vg.dropCollection(name);
    }

    private static ShardState state(CollectionMeta meta, int shard) {
        return Vecgrid.local(client).metaStore().shardState(meta, shard);
    }
}
