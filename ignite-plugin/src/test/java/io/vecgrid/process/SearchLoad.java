package io.vecgrid.process;

import io.vecgrid.Oracle;
import io.vecgrid.TestRows;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load on a FLAT L2 collection through one node (the tests' thick client): one thread searches (top-10 of one
 * query) and checks every result against the exact oracle over the rows known to be live, another writes batches of
 * inserts and, while {@link #deletes(boolean)} is on, deletes (sealed rows of the initial load and rows it inserted
 * itself, still growing).
 *
 * <p>What "known to be live" means while writes run: a search must return an exact top-10 of the rows acknowledged
 * before it started, except that a row whose insert or delete was in flight (or failed, so it may or may not have
 * landed) may be either there or not: such a row is counted live if the search returned it, else not. A row whose
 * delete was acknowledged before the search started must never be returned.
 */
final class SearchLoad implements AutoCloseable {
    private static final int TOP_K = 10;
    private static final int INSERT_BATCH = 25;

    private final VectorGrid vg;
    private final String collection;
    private final int dim;

    /** Rows whose insert was acknowledged and that no delete touched: surely live. */
    private final Map<Long, float[]> acked = new ConcurrentHashMap<>();
    /** Every row an insert was attempted for. */
    private final Map<Long, float[]> written = new ConcurrentHashMap<>();
    /** Rows whose insert is in flight or failed: maybe live. */
    private final Set<Long> insertsUnsure = ConcurrentHashMap.newKeySet();
    /** Rows whose delete is in flight or failed: maybe live. */
    private final Set<Long> deletesUnsure = ConcurrentHashMap.newKeySet();
    /** Rows whose delete was acknowledged: surely gone. */
    private final Set<Long> deleted = ConcurrentHashMap.newKeySet();

    /** Sealed rows of the initial load, to delete from, spread over its segments. */
    private final Deque<Long> sealedToDelete = new ArrayDeque<>();
    private final Deque<Long> insertedToDelete = new ArrayDeque<>();
    private final int maxSealedDeletes;
    private volatile boolean deletes;
    private volatile boolean stop;
    private final long writePauseMillis;

    private final AtomicInteger searches = new AtomicInteger();
    private final AtomicInteger insertBatches = new AtomicInteger();
    private final AtomicInteger deleteBatches = new AtomicInteger();
    private final AtomicInteger failedWrites = new AtomicInteger();
    /**
     * Rows-cache updates (rows inserted or deleted) and delete marks (sealed rows deleted): attempted (counted before
     * the call) and finished (counted after it returned or failed).
     */
    private final AtomicLong rowUpdates = new AtomicLong();
    private final AtomicLong sealedDeletes = new AtomicLong();
    private final AtomicLong rowUpdatesDone = new AtomicLong();
    private final AtomicLong sealedDeletesDone = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<String> writeErrors = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private long nextPk;

    /**
     * @param initial rows already acknowledged (and sealed), all live.
     * @param firstPk first key of the rows this load inserts (above every initial key).
     * @param writePauseMillis pause after each write round (keeps the growing rows below a seal for a while).
     */
    SearchLoad(VectorGrid vg, String collection, int dim, Map<Long, float[]> initial, long firstPk, long writePauseMillis) {
        this.vg = vg;
        this.collection = collection;
        this.dim = dim;
        this.nextPk = firstPk;
        this.writePauseMillis = writePauseMillis;
        acked.putAll(initial);
        written.putAll(initial);
        List<Long> keys = new ArrayList<>(initial.keySet());
        Collections.sort(keys);
        // Every 7th key, then the next offset: deletes spread over every segment from the start.
        for (int off = 0; off < 7; off++) {
            for (int i = off; i < keys.size(); i += 7)
                sealedToDelete.add(keys.get(i));
        }
        maxSealedDeletes = keys.size() / 10; // far from a compaction (deletedRatio 0.3)
    }

    /** Starts the search and write threads. */
    SearchLoad start() {
        threads.add(new Thread(this::searchLoop, "search-load"));
        threads.add(new Thread(this::writeLoop, "write-load"));
        threads.forEach(Thread::start);
        return this;
    }

    /** Turns deleting on or off (inserts always run). */
    void deletes(boolean on) {
        deletes = on;
    }

    int searches() {
        return searches.get();
    }

    int insertBatches() {
        return insertBatches.get();
    }

    int deleteBatches() {
        return deleteBatches.get();
    }

    int failedWrites() {
        return failedWrites.get();
    }

    /** @return rows-cache updates attempted so far: rows inserted plus rows deleted. */
    long rowUpdates() {
        return rowUpdates.get();
    }

    /** @return rows-cache updates whose write has returned or failed. */
    long rowUpdatesDone() {
        return rowUpdatesDone.get();
    }

    /** @return sealed rows whose delete was attempted so far (each writes one delete mark). */
    long sealedDeletes() {
        return sealedDeletes.get();
    }

    /** @return sealed rows whose delete has returned or failed. */
    long sealedDeletesDone() {
        return sealedDeletesDone.get();
    }

    /** @return the searches that failed or were not exact, with why. */
    List<String> failures() {
        synchronized (failures) {
            return new ArrayList<>(failures);
        }
    }

    /** @return the first errors of failed writes (not acknowledged, allowed). */
    List<String> writeErrors() {
        synchronized (writeErrors) {
            return new ArrayList<>(writeErrors);
        }
    }

    /** Waits until the search count reaches {@code target}. */
    void awaitSearches(int target, long timeoutMs) {
        io.vecgrid.TestCluster.awaitTrue(target + " searches (at " + searches.get() + ")",
            () -> searches.get() >= target || !failures.isEmpty() && failures.size() > 100, timeoutMs);
    }

    /** Waits until {@code inserts} more insert batches and {@code deleteRounds} more delete batches are acknowledged. */
    void awaitWrites(int inserts, int deleteRounds, long timeoutMs) {
        int i0 = insertBatches.get();
        int d0 = deleteBatches.get();
        io.vecgrid.TestCluster.awaitTrue(inserts + " insert and " + deleteRounds + " delete batches acknowledged",
            () -> insertBatches.get() - i0 >= inserts && deleteBatches.get() - d0 >= deleteRounds, timeoutMs);
    }

    private void searchLoop() {
        int i = 0;
        while (!stop) {
            float[] q = TestRows.vector(808_000 + i * 5L, dim);
            String what = "search " + i++;
            Set<Long> gone = new HashSet<>(deleted);
            Map<Long, float[]> before = new HashMap<>(acked);
            try {
                SearchResult r = vg.search(SearchRequest.builder(collection, new float[][] {q}, TOP_K).build());
                if (r.partial())
                    throw new AssertionError(what + " returned a partial result");
                List<SearchHit> hits = r.hits(0);
                Set<Long> returned = new HashSet<>();
                for (SearchHit h : hits)
                    returned.add(h.pk());
                Map<Long, float[]> visible = new HashMap<>(before);
                // Deleted while the search ran, or with a delete in flight or failed: there or not.
                Set<Long> changing = new HashSet<>(deletesUnsure);
                for (long pk : deleted) {
                    if (!gone.contains(pk))
                        changing.add(pk);
                }
                for (long pk : changing) {
                    if (!returned.contains(pk))
                        visible.remove(pk);
                }
                // Inserted while the search ran, or with an insert in flight or failed: there if returned. A row
                // deleted before the search started stays out, and the oracle fails the search that returned it.
                for (long pk : returned) {
                    if (!visible.containsKey(pk) && !gone.contains(pk) && written.containsKey(pk))
                        visible.put(pk, written.get(pk));
                }
                new Oracle(Metric.L2, visible).assertExact(q, TOP_K, hits, null, what);
                searches.incrementAndGet();
            }
            catch (Throwable t) {
                failures.add(java.time.LocalTime.now() + " " + what + " failed: " + t);
            }
        }
    }

    private void writeLoop() {
        while (!stop) {
            insertBatch();
            if (deletes)
                deleteBatch();
            if (writePauseMillis > 0) {
                try {
                    Thread.sleep(writePauseMillis);
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void insertBatch() {
        List<VectorRow> rows = new ArrayList<>(INSERT_BATCH);
        for (int k = 0; k < INSERT_BATCH; k++, nextPk++)
            rows.add(new VectorRow(nextPk, TestRows.vector(nextPk, dim)));
        for (VectorRow r : rows) {
            written.put(r.pk(), r.vector());
            insertsUnsure.add(r.pk());
        }
        rowUpdates.addAndGet(rows.size());
        try {
            vg.insert(collection, rows);
            for (VectorRow r : rows) {
                acked.put(r.pk(), r.vector());
                insertsUnsure.remove(r.pk());
                insertedToDelete.add(r.pk());
            }
            insertBatches.incrementAndGet();
        }
        catch (Throwable t) {
            // Not acknowledged: the rows may or may not have landed, and stay "unsure".
            failedWrite("insert", t);
        }
        rowUpdatesDone.addAndGet(rows.size());
    }

    /** Deletes 10 sealed rows of the initial load and 5 rows this load inserted earlier. */
    private void deleteBatch() {
        List<Long> pks = new ArrayList<>();
        for (int k = 0; k < 10 && sealedDeletes.get() + pks.size() < maxSealedDeletes && !sealedToDelete.isEmpty(); k++)
            pks.add(sealedToDelete.poll());
        int sealed = pks.size();
        for (int k = 0; k < 5 && insertedToDelete.size() > 200; k++)
            pks.add(insertedToDelete.poll());
        if (pks.isEmpty())
            return;
        for (long pk : pks) {
            deletesUnsure.add(pk);
            acked.remove(pk);
        }
        sealedDeletes.addAndGet(sealed);
        rowUpdates.addAndGet(pks.size());
        try {
            vg.delete(collection, pks.stream().mapToLong(Long::longValue).toArray());
            for (long pk : pks) {
                deleted.add(pk);
                deletesUnsure.remove(pk);
            }
            deleteBatches.incrementAndGet();
        }
        catch (Throwable t) {
            failedWrite("delete", t);
        }
        rowUpdatesDone.addAndGet(pks.size());
        sealedDeletesDone.addAndGet(sealed);
    }

    private void failedWrite(String what, Throwable t) {
        failedWrites.incrementAndGet();
        if (writeErrors.size() < 5) {
            String msg = what + ": " + t;
            writeErrors.add(msg.length() > 240 ? msg.substring(0, 240) + "..." : msg);
        }
    }

    /** Stops both threads and waits for them. */
    @Override public void close() {
        stop = true;
        for (Thread t : threads) {
            try {
                t.join(120_000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * After {@link #close()}: every acknowledged row is there with its vector, no row whose delete was acknowledged
     * is, the count agrees with what {@code get} finds, and {@code queries} searches equal the exact oracle over the
     * rows found.
     *
     * @return the number of live rows.
     */
    long verify(int queries, String when) {
        Map<Long, float[]> live = new HashMap<>(acked);
        List<Long> maybe = new ArrayList<>(insertsUnsure);
        maybe.addAll(deletesUnsure);
        for (VectorRow r : get(maybe))
            live.put(r.pk(), r.vector());
        List<VectorRow> got = get(new ArrayList<>(acked.keySet()));
        assertEquals(acked.size(), got.size(), "every acknowledged row is there " + when);
        for (VectorRow r : got)
            assertArrayEquals(acked.get(r.pk()), r.vector(), "vector of pk " + r.pk() + " " + when);
        assertEquals(List.of(), get(new ArrayList<>(deleted)), "no acknowledged delete undone " + when);
        assertEquals(live.size(), vg.count(collection), "count " + when);
        Oracle oracle = new Oracle(Metric.L2, live);
        for (int q = 0; q < queries; q++) {
            float[] query = TestRows.vector(7_000_000 + q * 3L, dim);
            SearchResult r = vg.search(SearchRequest.builder(collection, new float[][] {query}, TOP_K).build());
            assertTrue(!r.partial(), "complete result " + when);
            oracle.assertExact(query, TOP_K, r.hits(0), null, "final query " + q + " " + when);
        }
        return live.size();
    }

    private List<VectorRow> get(List<Long> pks) {
        long[] all = pks.stream().mapToLong(Long::longValue).toArray();
        List<VectorRow> res = new ArrayList<>();
        for (int i = 0; i < all.length; i += 2000)
            res.addAll(vg.get(collection, Arrays.copyOfRange(all, i, Math.min(all.length, i + 2000)), null));
        return res;
    }
}
