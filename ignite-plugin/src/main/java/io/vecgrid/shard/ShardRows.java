package io.vecgrid.shard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rows of one shard as one owner of the shard's partition holds them: fed by {@link RowsInterceptor} on every
 * committed change (the interceptor runs on primary and backups of a TRANSACTIONAL cache before the write is
 * acknowledged), and initialised by a local scan of the partition when the node starts owning it.
 *
 * <p>Thread-safety: updates come from Ignite's commit threads and the initial scan concurrently; reads may run at any
 * time. While the initial scan runs, keys changed by the interceptor win over what the scan returns.
 */
public final class ShardRows {
    private final ConcurrentHashMap<Long, GrowingRow> rows = new ConcurrentHashMap<>();
    /** Keys the interceptor touched while the initial scan ran; {@code null} once the scan is over. */
    private volatile Set<Long> touchedDuringScan = ConcurrentHashMap.newKeySet();
    private final AtomicLong modCount = new AtomicLong();
    /** A structure derived from the rows by a reader (e.g. a search snapshot), cached here; readers check its age. */
    private volatile Object derived;
    private volatile boolean ready;
    /** Identity of the local partition this view was built from (a re-created partition needs a new view). */
    private final Object partition;

    ShardRows(Object partition) {
        this.partition = partition;
    }

    Object partition() {
        return partition;
    }

    /** Applies a committed put. */
    void put(GrowingRow row) {
        Set<Long> touched = touchedDuringScan;
        if (touched != null)
            touched.add(row.pk);
        GrowingRow prev = rows.get(row.pk);
        if (row.segment != 0 && prev != null && prev.segment == row.segment && prev.sealedAtNanos != 0)
            row = new GrowingRow(row.pk, row.version, row.segment, row.slot, row.vector, row.scalars, prev.sealedAtNanos);
        rows.put(row.pk, row);
        modCount.incrementAndGet();
    }

    /** Applies a committed remove. */
    void remove(long pk) {
        Set<Long> touched = touchedDuringScan;
        if (touched != null)
            touched.add(pk);
        rows.remove(pk);
        modCount.incrementAndGet();
    }

    /** Adds a row found by the initial scan unless the interceptor already reported that key. */
    void putScanned(GrowingRow row) {
        if (!touchedDuringScan.contains(row.pk))
            rows.putIfAbsent(row.pk, row);
    }

    void scanDone() {
        touchedDuringScan = null;
        ready = true;
        modCount.incrementAndGet();
    }

    /** @return what a reader cached with {@link #derived(Object)}, or {@code null}. */
    public Object derived() {
        return derived;
    }

    public void derived(Object derived) {
        this.derived = derived;
    }

    public boolean ready() {
        return ready;
    }

    /** @return a counter that changes whenever the rows change (for caching derived snapshots). */
    public long modCount() {
        return modCount.get();
    }

    /** @return rows held (growing and recently sealed). */
    public int size() {
        return rows.size();
    }

    /** @return number of rows not yet held by a sealed segment. */
    public int growingCount() {
        int n = 0;
        for (GrowingRow r : rows.values()) {
            if (r.segment == 0)
                n++;
        }
        return n;
    }

    /**
     * @param limit most rows to return.
     * @param targetSegments ids of the segments of the current target.
     * @param strandedMillis a row marked by a segment the target still lacks after this long is sealable again.
     * @return up to {@code limit} rows to seal: growing ones, and stranded ones; smallest primary keys first.
     */
    public List<GrowingRow> sealable(int limit, Set<Long> targetSegments, long strandedMillis) {
        long now = System.nanoTime();
        List<GrowingRow> res = new ArrayList<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment == 0 || (!targetSegments.contains(r.segment) &&
                now - r.sealedAtNanos > TimeUnit.MILLISECONDS.toNanos(strandedMillis)))
                res.add(r);
        }
        res.sort(Comparator.comparingLong(GrowingRow::pk));
        return res.size() > limit ? new ArrayList<>(res.subList(0, limit)) : res;
    }

    /**
     * @param targetSegments ids of the sealed segments of the target a search uses.
     * @return rows that search must scan here: growing ones, and sealed ones whose segment that target lacks.
     */
    public List<GrowingRow> rowsOutside(Set<Long> targetSegments) {
        List<GrowingRow> res = new ArrayList<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment == 0 || !targetSegments.contains(r.segment))
                res.add(r);
        }
        return res;
    }

    /**
     * Forgets rows held by a segment of the current target that were marked more than {@code graceMillis} ago: no
     * search that could still use a target without their segment is running any more.
     */
    public void purgeSealed(long graceMillis, Set<Long> targetSegments) {
        long now = System.nanoTime();
        Set<Long> drop = new HashSet<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment != 0 && targetSegments.contains(r.segment) &&
                now - r.sealedAtNanos > TimeUnit.MILLISECONDS.toNanos(graceMillis))
                drop.add(r.pk);
        }
        for (Long pk : drop)
            rows.computeIfPresent(pk, (k, r) -> r.segment != 0 ? null : r);
        if (!drop.isEmpty())
            modCount.incrementAndGet();
    }
}
