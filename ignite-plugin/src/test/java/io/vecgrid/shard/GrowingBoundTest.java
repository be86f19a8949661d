package io.vecgrid.shard;

import io.vecgrid.LayoutPause;
import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IngestRateException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.segment.LayoutHooks;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Growing rows per shard are bounded ({@code maxGrowingRowsPerShard}) when sealing cannot keep up. Three in-JVM nodes,
 * replicaNumber 2, FLAT, two shards, sealRows 200 and a cap of 400; every seal of the collection is held at its first
 * step ({@link LayoutHooks.Point#SEAL_BEGUN}) while one writer inserts batches of 20 rows through a thick client:
 * <ul>
 *   <li>the seals of both shards are held at the same time: seals of different shards run in parallel;</li>
 *   <li>past half the cap, each admitted write first waits {@code GrowingThrottle.MAX_WAIT_MILLIS} (a lower bound the
 *   throttle's sleeps guarantee, not a timing threshold); at the cap, writes are refused with
 *   {@link IngestRateException} naming the shard and the cap, and nothing of a refused batch is written;</li>
 *   <li>every acknowledged row is there (count, get) and searchable (searches equal the exact oracle) while the
 *   seals are held;</li>
 *   <li>once the seals go on, the shards drop below the cap and writes are accepted again.</li>
 * </ul>
 */
class GrowingBoundTest {
    private static final int DIM = 16;
    private static final int SEAL_ROWS = 200;
    private static final int CAP = 2 * SEAL_ROWS;
    private static final int BATCH = 20;
    private static TestCluster cluster;
    private static Ignite client;

    @BeforeAll
    static void start() {
        assertTrue(LayoutPause.armed(), "layout hooks armed");
        // Reports every 100 ms, so that the writer's view of the growing counts lags little behind.
        cluster = new TestCluster().configure(c -> c.setSealRows(SEAL_ROWS).setMaxGrowingRowsPerShard(CAP)
            .setRoutingRefreshMillis(100)).startServers(3);
        client = cluster.startClient("c");
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void writersAreThrottledThenRefusedWhileSealsAreHeldAndAcceptedOnceTheyGoOn() {
        String name = "bounded";
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        CollectionMeta meta = Vecgrid.local(client).metaStore().meta(name);
        Map<Long, float[]> acked = new HashMap<>();
        List<Long> throttledMillis = new ArrayList<>();
        List<Long> freeMillis = new ArrayList<>();
        long pk = 0;
        IngestRateException refused = null;
        List<VectorRow> refusedBatch = null;
        List<LayoutHooks.Stop> heldTogether;
        int maxGrowing = 0;

        try (LayoutPause seals = LayoutPause.at(LayoutHooks.Point.SEAL_BEGUN, name, Integer.MAX_VALUE)) {
            while (refused == null) {
                assertTrue(pk < 100 * CAP, "a write was refused before " + pk + " rows");
                List<VectorRow> batch = rows(pk, BATCH);
                pk += BATCH;
                boolean zoneBefore = inThrottleZone(meta, batch);
                long t0 = System.nanoTime();
                try {
                    vg.insert(name, batch);
                }
                catch (IngestRateException e) {
                    refused = e;
                    refusedBatch = batch;
                    break;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                batch.forEach(r -> acked.put(r.pk(), r.vector()));
                // Held seals never lower the counts: a write seen in the zone before and after waited in it throughout.
                if (zoneBefore && inThrottleZone(meta, batch))
                    throttledMillis.add(ms);
                else if (!zoneBefore)
                    freeMillis.add(ms);
                maxGrowing = Math.max(maxGrowing, maxGrowingOnOwners(meta));
            }
            maxGrowing = Math.max(maxGrowing, maxGrowingOnOwners(meta));

            // Both shards' seals are held at once: they run in parallel, not one after the other.
            heldTogether = seals.awaitWaiting(2, 60_000);
            Set<Integer> shards = new TreeSet<>();
            heldTogether.forEach(s -> shards.add(s.shard()));
            assertEquals(Set.of(0, 1), shards, "seals of both shards held at the same time: " + heldTogether);

            // The refusal names the shard and the cap; nothing of the batch was written.
            Matcher m = Pattern.compile("shard (\\d+) holds (\\d+) growing rows, its cap is (\\d+) " +
                "\\(maxGrowingRowsPerShard\\)").matcher(refused.getMessage());
            assertTrue(m.find(), "message names shard and cap: " + refused.getMessage());
            int shard = Integer.parseInt(m.group(1));
            assertEquals(CAP, Integer.parseInt(m.group(3)), refused.getMessage());
            assertTrue(Integer.parseInt(m.group(2)) >= CAP, refused.getMessage());
            Set<Integer> batchShards = new HashSet<>();
            refusedBatch.forEach(r -> batchShards.add(RowKey.shardOf(r.pk(), 2)));
            assertTrue(batchShards.contains(shard), "the named shard " + shard + " is one the batch writes to");
            assertTrue(refused.getMessage().contains("nothing was written"), refused.getMessage());
            long[] refusedPks = refusedBatch.stream().mapToLong(VectorRow::pk).toArray();
            assertEquals(List.of(), vg.get(name, refusedPks, null), "nothing of the refused batch was written");
            // Refused again while the seals are held (no flapping once at the cap).
            IngestRateException again = null;
            try {
                vg.insert(name, rows(pk, BATCH));
            }
            catch (IngestRateException e) {
                again = e;
            }
            assertTrue(again != null, "a second write at the cap is refused too");
            assertEquals(List.of(), vg.get(name, TestRows.pks(pk, BATCH), null), "nothing of the second refused batch");
            pk += BATCH;

            // Every acknowledged row is there and searchable, the seals still held (all of them growing rows).
            verify(vg, name, acked, "while seals are held");
            assertTrue(!throttledMillis.isEmpty(), "some writes were admitted past half the cap");
            long minThrottled = throttledMillis.stream().mapToLong(Long::longValue).min().orElse(0);
            assertTrue(minThrottled >= GrowingThrottle.MAX_WAIT_MILLIS, "every write admitted past half the cap " +
                "waited the throttle's full wait first: " + throttledMillis);
            System.out.printf("[growing-bound] %d rows acknowledged before the first refusal (cap %d per shard, 2 " +
                    "shards); writes below half the cap took %s ms, %d admitted past half the cap took %s ms; refused: " +
                    "%s; largest growing count on an owner %d; held seals: %s%n", acked.size(), CAP,
                summary(freeMillis), throttledMillis.size(), summary(throttledMillis), refused.getMessage(), maxGrowing,
                heldTogether);
        }

        // The seals go on (the pause is closed): the shards drop below the cap, writes are accepted again.
        long released = System.nanoTime();
        int refusedAfter = 0;
        while (true) {
            List<VectorRow> batch = rows(pk, BATCH);
            pk += BATCH;
            try {
                vg.insert(name, batch);
                batch.forEach(r -> acked.put(r.pk(), r.vector()));
                break;
            }
            catch (IngestRateException e) {
                refusedAfter++;
                assertEquals(List.of(), vg.get(name, batch.stream().mapToLong(VectorRow::pk).toArray(), null));
                assertTrue(System.nanoTime() - released < 120_000_000_000L, "writes accepted again within 2 min");
                sleep(50);
            }
        }
        long acceptedMs = (System.nanoTime() - released) / 1_000_000;
        // A few more batches go through without refusal once sealing keeps up.
        for (int i = 0; i < 10; i++) {
            List<VectorRow> batch = rows(pk, BATCH);
            pk += BATCH;
            vg.insert(name, batch);
            batch.forEach(r -> acked.put(r.pk(), r.vector()));
        }
        TestCluster.awaitTrue("seals bring every shard below sealRows", () -> maxGrowingOnOwners(meta) < SEAL_ROWS, 60_000);
        verify(vg, name, acked, "after the seals went on");
        System.out.printf("[growing-bound] seals released: writes accepted again after %d ms (%d refused meanwhile); " +
            "%d rows acknowledged in all, %d sealed segments%n", acceptedMs, refusedAfter, acked.size(),
            Vecgrid.local(client).metaStore().target(meta).segments().size());
    }

    private static List<VectorRow> rows(long from, int n) {
        List<VectorRow> res = new ArrayList<>(n);
        for (long k = from; k < from + n; k++)
            res.add(new VectorRow(k, TestRows.vector(k, DIM)));
        return res;
    }

    /** @return whether the writer's node sees a shard of the batch above half the cap (where the throttle waits). */
    private static boolean inThrottleZone(CollectionMeta meta, List<VectorRow> batch) {
        io.vecgrid.search.RoutingTable t = Vecgrid.local(client).routing().table();
        for (VectorRow r : batch) {
            int g = t.growingRows(meta.rowsCache(), RowKey.shardOf(r.pk(), meta.spec().shards()));
            if (g > CAP / 2)
                return true;
        }
        return false;
    }

    /** @return the largest number of growing rows any owner holds for any shard (exact, not reported). */
    private static int maxGrowingOnOwners(CollectionMeta meta) {
        int max = 0;
        for (Ignite ig : cluster.servers()) {
            for (int s = 0; s < meta.spec().shards(); s++) {
                ShardRows rows = Vecgrid.local(ig).growing().rows(meta.name(), meta.rowsCache(), meta.spec().vectorField(),
                    io.vecgrid.collection.CollectionCaches.scalarNames(meta), s);
                if (rows != null)
                    max = Math.max(max, rows.growingCount());
            }
        }
        return max;
    }

    private static void verify(VectorGrid vg, String name, Map<Long, float[]> acked, String when) {
        assertEquals(acked.size(), vg.count(name), "count " + when);
        long[] pks = acked.keySet().stream().mapToLong(Long::longValue).toArray();
        int found = 0;
        for (int i = 0; i < pks.length; i += 2000) {
            for (VectorRow r : vg.get(name, Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 2000)), null)) {
                assertArrayEquals(acked.get(r.pk()), r.vector(), "vector of pk " + r.pk() + " " + when);
                found++;
            }
        }
        assertEquals(pks.length, found, "get finds every acknowledged row " + when);
        Oracle oracle = new Oracle(Metric.L2, acked);
        for (Ignite router : List.of(client, cluster.node("s0"), cluster.node("s1"), cluster.node("s2"))) {
            for (int i = 0; i < 3; i++) {
                float[] q = TestRows.vector(7_700_000 + i * 11L, DIM);
                oracle.assertExact(q, 10, Vecgrid.of(router).search(SearchRequest.builder(name, new float[][] {q}, 10)
                    .build()).hits(0), null, "search " + i + " via " + router.name() + " " + when);
            }
        }
    }

    private static String summary(List<Long> ms) {
        if (ms.isEmpty())
            return "-";
        long[] a = ms.stream().mapToLong(Long::longValue).sorted().toArray();
        return "min " + a[0] + " / median " + a[a.length / 2] + " / max " + a[a.length - 1];
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        }
        catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
