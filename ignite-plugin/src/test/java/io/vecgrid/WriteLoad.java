package io.vecgrid;

import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.index.DistanceKernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writer threads that insert, upsert and delete rows of one collection while a test changes its layout, and an exact
 * oracle of what was acknowledged, against which every search result is checked. Each writer owns a range of primary
 * keys; a deleted key is never written again.
 *
 * <p>A search is checked against the acknowledged state at its start ({@link #snapshot()}), allowing for rows written
 * while it ran (a write in flight may or may not be seen):
 * <ul>
 *   <li>no key is returned twice;</li>
 *   <li>no key whose delete was acknowledged before the search began is returned;</li>
 *   <li>a key not written during the search is returned with the distance to its newest acknowledged vector (so an
 *   upserted key never comes back with an old vector);</li>
 *   <li>for exact indexes, nothing is missing: every key not written during the search that is closer than the k-th hit
 *   is among the hits.</li>
 * </ul>
 */
public final class WriteLoad implements AutoCloseable {
    private final VectorGrid vg;
    private final String collection;
    private final int dim;
    private final Metric metric;
    private final ConcurrentHashMap<Long, float[]> live = new ConcurrentHashMap<>();
    private final Set<Long> deleted = ConcurrentHashMap.newKeySet();
    /** Keys with a write in flight, and the last time a write of each began, ns. */
    private final ConcurrentHashMap<Long, Integer> inflight = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> lastStart = new ConcurrentHashMap<>();
    /** Keys whose last write failed: its effect is unknown, so they are never checked again. */
    private final Set<Long> uncertain = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger batches = new AtomicInteger();
    private final List<String> writeFailures = Collections.synchronizedList(new ArrayList<>());

    public WriteLoad(VectorGrid vg, String collection, int dim, Metric metric) {
        this.vg = vg;
        this.collection = collection;
        this.dim = dim;
        this.metric = metric;
    }

    /** Inserts {@code n} rows from key {@code from} and records them acknowledged. */
    public void preload(long from, int n) {
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = from; pk < from + n; pk++)
            rows.add(new VectorRow(pk, TestRows.vector(pk, dim)));
        for (int i = 0; i < rows.size(); i += 1000) {
            List<VectorRow> b = rows.subList(i, Math.min(rows.size(), i + 1000));
            vg.insert(collection, b);
            b.forEach(r -> live.put(r.pk(), r.vector()));
        }
    }

    /** Starts {@code writers} threads; writer {@code w} inserts new keys from {@code keyBase + w * 10^7}. */
    public WriteLoad start(int writers, long keyBase) {
        for (int w = 0; w < writers; w++) {
            long base = keyBase + w * 10_000_000L;
            Random rnd = new Random(31 * w + keyBase);
            Thread t = new Thread(() -> run(base, rnd), "write-load-" + collection + "-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void run(long base, Random rnd) {
        long next = base;
        List<Long> mine = new ArrayList<>();
        while (!stop.get()) {
            int op = rnd.nextInt(4);
            List<Long> keys = new ArrayList<>();
            if (op <= 1 || mine.size() < 20) {
                for (int i = 0; i < 20; i++)
                    keys.add(next++);
                write(keys, rnd, false);
                mine.addAll(keys);
            }
            else if (op == 2) {
                for (int i = 0; i < 10; i++)
                    keys.add(mine.get(rnd.nextInt(mine.size())));
                write(new ArrayList<>(new java.util.LinkedHashSet<>(keys)), rnd, true);
            }
            else {
                Set<Long> pick = new HashSet<>();
                for (int i = 0; i < 10; i++)
                    pick.add(mine.remove(rnd.nextInt(mine.size())));
                delete(new ArrayList<>(pick));
            }
            batches.incrementAndGet();
        }
    }

    private void begin(List<Long> keys) {
        long now = System.nanoTime();
        for (long k : keys) {
            inflight.merge(k, 1, Integer::sum);
            lastStart.put(k, now);
        }
    }

    private void end(List<Long> keys) {
        for (long k : keys)
            inflight.computeIfPresent(k, (x, n) -> n == 1 ? null : n - 1);
    }

    private void write(List<Long> keys, Random rnd, boolean upsert) {
        List<VectorRow> rows = new ArrayList<>();
        for (long k : keys) {
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++)
                v[j] = rnd.nextFloat() * 2 - 1;
            rows.add(new VectorRow(k, v));
        }
        begin(keys);
        try {
            if (upsert)
                vg.upsert(collection, rows);
            else
                vg.insert(collection, rows);
            rows.forEach(r -> live.put(r.pk(), r.vector()));
        }
        catch (RuntimeException e) {
            uncertain.addAll(keys);
            writeFailures.add((upsert ? "upsert" : "insert") + ": " + e);
        }
        finally {
            end(keys);
        }
    }

    private void delete(List<Long> keys) {
        begin(keys);
        try {
            vg.delete(collection, keys.stream().mapToLong(Long::longValue).toArray());
            for (long k : keys) {
                live.remove(k);
                deleted.add(k);
            }
        }
        catch (RuntimeException e) {
            uncertain.addAll(keys);
            writeFailures.add("delete: " + e);
        }
        finally {
            end(keys);
        }
    }

    /** What was acknowledged when a search began. */
    public final class Snapshot {
        final long startNanos = System.nanoTime();
        final Map<Long, float[]> rows = new HashMap<>(live);
        final Set<Long> gone = new HashSet<>(deleted);
        final Set<Long> busy = new HashSet<>(inflight.keySet());
    }

    /** @return the acknowledged state now; take it just before a search. */
    public Snapshot snapshot() {
        return new Snapshot();
    }

    /** @return violations of the rules of the class comment by {@code hits} of a top-{@code k} search for {@code q}. */
    public List<String> check(Snapshot s, float[] q, int k, List<SearchHit> hits, boolean exact) {
        List<String> bad = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        float kth = hits.isEmpty() ? Float.NaN : metric.rankKey(hits.get(hits.size() - 1).distance());
        for (SearchHit h : hits) {
            long pk = h.pk();
            if (!seen.add(pk))
                bad.add("pk " + pk + " returned twice");
            if (touched(s, pk))
                continue;
            if (s.gone.contains(pk))
                bad.add("pk " + pk + " returned although its delete was acknowledged before the search began");
            float[] v = s.rows.get(pk);
            if (v == null) {
                if (!s.gone.contains(pk))
                    bad.add("pk " + pk + " was never acknowledged");
                continue;
            }
            float d = DistanceKernel.distance(metric, q, 0, v, 0, dim);
            if (!close(d, h.distance()))
                bad.add("pk " + pk + " returned with distance " + h.distance() + ", its newest vector is at " + d);
        }
        if (exact && hits.size() == k) {
            for (Map.Entry<Long, float[]> e : s.rows.entrySet()) {
                long pk = e.getKey();
                if (seen.contains(pk) || touched(s, pk))
                    continue;
                float d = metric.rankKey(DistanceKernel.distance(metric, q, 0, e.getValue(), 0, dim));
                if (d < kth - 1e-4f * (1 + Math.abs(kth)))
                    bad.add("pk " + pk + " (distance " + d + ") is missing: the k-th hit is at " + kth);
            }
        }
        else if (exact && hits.size() < k) {
            long stable = s.rows.keySet().stream().filter(pk -> !touched(s, pk)).count();
            if (hits.size() < Math.min(k, stable))
                bad.add("only " + hits.size() + " hits, " + stable + " stable rows exist");
        }
        return bad;
    }

    private boolean touched(Snapshot s, long pk) {
        return s.busy.contains(pk) || uncertain.contains(pk) || lastStart.getOrDefault(pk, 0L) >= s.startNanos;
    }

    private static boolean close(float a, float b) {
        return Math.abs(a - b) <= 1e-4f * (1 + Math.abs(a));
    }

    /** @return acknowledged live rows now (newest vector per key). */
    public Map<Long, float[]> live() {
        return Collections.unmodifiableMap(live);
    }

    /** @return keys whose delete was acknowledged. */
    public Set<Long> deleted() {
        return Collections.unmodifiableSet(deleted);
    }

    /** @return keys whose last write failed (effect unknown). */
    public Set<Long> uncertain() {
        return Collections.unmodifiableSet(uncertain);
    }

    public int batches() {
        return batches.get();
    }

    public List<String> writeFailures() {
        return writeFailures;
    }

    /** Stops the writers and waits for them. */
    @Override public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(60_000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
