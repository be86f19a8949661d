package io.vecgrid.client;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A graceful stop ({@code Ignition.stop(name, false)}, as SIGTERM to a node started by the scripts) of the node a
 * {@link VecgridClient} is connected to, while four threads insert through the client: the node drains, refuses new
 * calls without starting them, and the client moves its calls to its standby connection. Every insert is acknowledged
 * (none fails, none is answered "may or may not have been applied"), the calls moved to the standby at the node's
 * first refusal rather than when its connections closed, and every acknowledged row is there afterwards.
 */
class ClientGracefulStopTest {
    private static final int DIM = 8;
    private static final int WRITERS = 4;
    private static final int BATCH = 20;

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }


    @Test
    void insertsThroughAStoppingNodeAreAllAcknowledged() throws Exception {
        String addresses = "127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 2);
        try (VecgridClient vg = VecgridClient.connect(addresses)) {
            vg.createCollection(CollectionSpec.builder("drain").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
                .shards(2).replicas(2).build());
            TestCluster.awaitTrue("a standby connection", () -> vg.standbyNode() != null, 30_000);
            UUID current = vg.status().servedBy();
            UUID standby = vg.standbyNode();

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong next = new AtomicLong();
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            List<String> errors = new CopyOnWriteArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        long first = next.getAndAdd(BATCH);
                        List<VectorRow> rows = TestRows.rows(first, BATCH, DIM).stream()
                            .map(r -> new VectorRow(r.pk(), r.vector())).toList();
                        try {
                            vg.insert("drain", rows);
                            rows.forEach(r -> acknowledged.add(r.pk()));
                        }
                        catch (RuntimeException e) {
                            errors.add(e.toString());
                        }
                    }
                }, "writer-" + w);
                t.start();
                writers.add(t);
            }
            TestCluster.awaitTrue("inserts running", () -> acknowledged.size() >= 20 * BATCH, 60_000);
            long before = acknowledged.size();
            cluster.stop(cluster.nameOf(current));
            long atStop = acknowledged.size();
            TestCluster.awaitTrue("inserts after the stop", () -> acknowledged.size() >= atStop + 20 * BATCH, 60_000);
            stop.set(true);
            for (Thread t : writers)
                t.join(60_000);

            assertEquals(List.of(), errors, "every insert was acknowledged");
            assertTrue(atStop > before, "inserts were acknowledged while the node stopped");
            // The node's first refusal moved the client's calls to its standby (before, they were resent to the
            // stopping node until it closed its connections); no call lost its connection.
            assertTrue(vg.leaves() >= 1, "calls moved to the standby when the node refused them: " + vg.leaves());
            assertEquals(0, vg.failovers(), "no call lost its connection");
            assertEquals(standby, vg.status().servedBy(), "calls went to the standby's node");
            assertEquals(acknowledged.size(), vg.count("drain"), "every acknowledged row is there");
            long[] pks = acknowledged.stream().mapToLong(Long::longValue).toArray();
            assertEquals(pks.length, vg.get("drain", pks, List.of()).size(), "and readable by key");
        }
    }
}
