package io.vecgrid.backup;

import io.vecgrid.Oracle;
import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
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
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup taken while four writer threads insert, upsert and delete (each owning its keys, so each key's writes are
 * sequential and timed: started, acknowledged) and the coordinator seals and compacts, on three persistent nodes.
 * After a drop and a restore, every key is in a state its own history allows: no earlier than its last write
 * acknowledged before the backup started, no later than its last write started before the backup returned. Nothing
 * appears that was never written, and the restored collection is self-consistent: count equals the rows that get
 * finds, through every node, and every search equals the exact oracle built from those rows.
 */
class BackupUnderWritesTest {
    private static final int DIM = 8;
    private static final int WRITERS = 4;
    private static final String COLL = "live";
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster().persistentTemp("vecgrid-backup-writes").configure(c -> c.setSealRows(300)).regionBytes(128L << 20)
            .startServers(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    /** One acknowledged write of one key: the key's state after it ({@code version} 0: deleted) and its timing. */
    private static final class Write {
        final int version;
        final long startNanos;
        final long ackNanos;

        Write(int version, long startNanos, long ackNanos) {
            this.version = version;
            this.startNanos = startNanos;
            this.ackNanos = ackNanos;
        }
    }

    private static float[] vector(long pk, int version) {
        return TestRows.vector(pk * 1000 + version, DIM);
    }

    /** Writes to its own keys until told to stop, recording each key's history. */
    private static final class Writer implements Runnable {
        final Map<Long, List<Write>> history = new HashMap<>();
        private final VectorGrid vg;
        private final long base;
        private final Random rnd;
        private final AtomicBoolean stop;
        private final AtomicLong acked;
        private final List<Throwable> failures;
        private final List<Long> live = new ArrayList<>();
        private final List<Long> written = new ArrayList<>();
        private long next;

        Writer(VectorGrid vg, int id, AtomicBoolean stop, AtomicLong acked, List<Throwable> failures) {
            this.vg = vg;
            this.base = (id + 1) * 1_000_000L;
            this.next = base;
            this.rnd = new Random(id);
            this.stop = stop;
            this.acked = acked;
            this.failures = failures;
        }

        private int version(long pk) {
            List<Write> h = history.get(pk);
            return h == null ? 0 : h.size() + 1;
        }

        @Override public void run() {
            try {
                while (!stop.get()) {
                    int op = rnd.nextInt(10);
                    if (op < 5 || live.size() < 20)
                        insert();
                    else if (op < 8)
                        upsert();
                    else
                        delete();
                }
            }
            catch (Throwable t) {
                failures.add(t);
            }
        }

        private void insert() {
            int n = 1 + rnd.nextInt(20);
            List<VectorRow> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long pk = next++;
                rows.add(new VectorRow(pk, vector(pk, 1), Map.of("tag", 1L)));
            }
            long start = System.nanoTime();
            vg.insert(COLL, rows);
            record(rows, start);
        }

        private void upsert() {
            int n = 1 + rnd.nextInt(10);
            Map<Long, VectorRow> rows = new HashMap<>();
            for (int i = 0; i < n; i++) {
                long pk = written.get(rnd.nextInt(written.size()));
                int v = version(pk);
                rows.put(pk, new VectorRow(pk, vector(pk, v), Map.of("tag", (long)v)));
            }
            long start = System.nanoTime();
            vg.upsert(COLL, new ArrayList<>(rows.values()));
            record(new ArrayList<>(rows.values()), start);
        }

        private void delete() {
            int n = 1 + rnd.nextInt(5);
            List<Long> pks = new ArrayList<>();
            for (int i = 0; i < n && !live.isEmpty(); i++)
                pks.add(live.remove(rnd.nextInt(live.size())));
            long start = System.nanoTime();
            vg.delete(COLL, pks.stream().mapToLong(Long::longValue).toArray());
            long ack = System.nanoTime();
            for (long pk : pks)
                history.get(pk).add(new Write(0, start, ack));
            acked.addAndGet(pks.size());
        }

        private void record(List<VectorRow> rows, long start) {
            long ack = System.nanoTime();
            for (VectorRow r : rows) {
                List<Write> h = history.computeIfAbsent(r.pk(), k -> new ArrayList<>());
                if (h.isEmpty())
                    written.add(r.pk());
                if (h.isEmpty() || h.get(h.size() - 1).version == 0)
                    live.add(r.pk());
                h.add(new Write(((Long)r.fields().get("tag")).intValue(), start, ack));
            }
            acked.addAndGet(rows.size());
        }
    }

    @Test
    void everyWriteAcknowledgedBeforeTheBackupIsInItAndTheRestoreIsConsistent() throws Exception {
        VectorGrid vg = Vecgrid.of(cluster.any());
        vg.createCollection(CollectionSpec.builder(COLL).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).shards(2).replicas(2).build());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acked = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Writer> writers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            // Each writer through another node, so writes are coordinated all over the cluster.
            Writer w = new Writer(Vecgrid.of(cluster.servers().get(i % 3)), i, stop, acked, failures);
            writers.add(w);
            Thread t = new Thread(w, "writer-" + i);
            threads.add(t);
            t.start();
        }
        TestCluster.awaitTrue("writes and a seal before the backup", () -> !failures.isEmpty() ||
            (acked.get() >= 1500 && !new SegmentInspector(cluster.any(), COLL).target().segments().isEmpty()), 120_000);

        long started = System.nanoTime();
        Backups backups = Vecgrid.local(cluster.node("s1")).backups();
        backups.create("under_writes");
        long returned = System.nanoTime();
        long ackedAtReturn = acked.get();
        TestCluster.awaitTrue("writes after the backup", () -> !failures.isEmpty() || acked.get() >= ackedAtReturn + 500,
            120_000);
        stop.set(true);
        for (Thread t : threads)
            t.join();
        assertTrue(failures.isEmpty(), () -> "a write failed: " + failures);

        int overlapping = 0;
        for (Writer w : writers) {
            for (List<Write> h : w.history.values()) {
                for (Write wr : h) {
                    if (wr.startNanos < returned && wr.ackNanos > started)
                        overlapping++;
                }
            }
        }
        System.out.printf("[backup-under-writes] %d writes acknowledged, %d of them overlapping the backup%n",
            acked.get(), overlapping);
        assertTrue(overlapping > 0, "the backup was taken while writes ran");

        vg.dropCollection(COLL);
        backups.restore("under_writes", List.of(COLL));

        // What came back, read through get.
        List<Long> keys = new ArrayList<>();
        for (Writer w : writers)
            keys.addAll(w.history.keySet());
        long[] all = keys.stream().mapToLong(Long::longValue).toArray();
        Map<Long, VectorRow> restored = new HashMap<>();
        VectorGrid after = Vecgrid.of(cluster.node("s2"));
        for (int i = 0; i < all.length; i += 1000) {
            for (VectorRow r : after.get(COLL, Arrays.copyOfRange(all, i, Math.min(all.length, i + 1000)), null))
                restored.put(r.pk(), r);
        }

        int checked = 0;
        for (Writer w : writers) {
            for (Map.Entry<Long, List<Write>> e : w.history.entrySet()) {
                long pk = e.getKey();
                List<Write> h = e.getValue();
                int lo = -1;
                int hi = -1;
                for (int j = 0; j < h.size(); j++) {
                    if (h.get(j).ackNanos < started)
                        lo = j;
                    if (h.get(j).startNanos < returned)
                        hi = j;
                }
                VectorRow r = restored.get(pk);
                int version = r == null ? 0 : ((Long)r.fields().get("tag")).intValue();
                boolean allowed = false;
                for (int j = lo; j <= hi && !allowed; j++)
                    allowed = (j < 0 ? 0 : h.get(j).version) == version;
                final int lo0 = lo;
                final int hi0 = hi;
                assertTrue(allowed, () -> "pk " + pk + " restored as " + (version == 0 ? "absent" : "version " + version) +
                    ", its history allows only the states after writes " + lo0 + ".." + hi0 + " of " + h.size());
                if (r != null)
                    assertArrayEquals(vector(pk, version), r.vector(), "vector of pk " + pk + " version " + version);
                checked++;
            }
        }
        assertEquals(all.length, checked);

        for (Ignite ig : cluster.servers())
            assertEquals(restored.size(), Vecgrid.of(ig).count(COLL), "count = rows get finds, via " + ig.name());
        Map<Long, float[]> rows = new HashMap<>();
        restored.forEach((pk, r) -> rows.put(pk, r.vector()));
        Oracle oracle = new Oracle(Metric.L2, rows);
        for (Ignite router : cluster.servers()) {
            for (int q = 0; q < 10; q++) {
                float[] query = TestRows.vector(90_000_000 + q, DIM);
                SearchResult res = Vecgrid.of(router).search(SearchRequest.builder(COLL, new float[][] {query}, 20).build());
                assertFalse(res.partial());
                oracle.assertExact(query, 20, res.hits(0), null, "query " + q + " via " + router.name());
            }
        }
        System.out.printf("[backup-under-writes] %d keys checked against their histories, %d rows restored, %d sealed " +
            "segments%n", checked, restored.size(), new SegmentInspector(cluster.any(), COLL).target().segments().size());
    }
}
