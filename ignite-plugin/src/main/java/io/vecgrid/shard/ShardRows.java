package io.vecgrid.shard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The growing rows of one shard as one owner of the shard's partition holds them: fed by {@link RowsInterceptor} on
 * every committed change (the interceptor runs on primary and backups of a TRANSACTIONAL cache before the write is
 * acknowledged), and initialised by a local scan of the partition when the node starts owning it. Rows leave when
 * the segment sealing them is served (the hand-off removes them from the rows cache), so this holds at most the
 * shard's growing cap.
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

    /** @return rows held (growing, and sealed ones not handed off yet). */
    public int size() {
        return rows.size();
    }

    /** @return number of rows not marked by any segment. */
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
     * @return up to {@code limit} rows no segment has marked; smallest primary keys first.
     */
    public List<GrowingRow> sealable(int limit) {
        List<GrowingRow> res = new ArrayList<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment == 0)
                res.add(r);
        }
        res.sort(Comparator.comparingLong(GrowingRow::pk));
        return res.size() > limit ? new ArrayList<>(res.subList(0, limit)) : res;
    }

    /** @return rows marked by segment {@code segment}. */
    public List<GrowingRow> markedBy(long segment) {
        List<GrowingRow> res = new ArrayList<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment == segment)
                res.add(r);
        }
        return res;
    }

    /** @return rows marked by some segment (being sealed, or sealed and not handed off yet). */
    public List<GrowingRow> marked() {
        List<GrowingRow> res = new ArrayList<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment != 0)
                res.add(r);
        }
        return res;
    }

    /**
     * @param served ids of the segments the shard's state serves, for the search.
     * @return rows that search must scan here: growing ones, and marked ones whose segment is not served yet.
     */
    public List<GrowingRow> rowsOutside(Set<Long> served) {
        List<GrowingRow> res = new ArrayList<>();
        for (GrowingRow r : rows.values()) {
            if (r.segment == 0 || !served.contains(r.segment))
                res.add(r);
        }
        return res;
    }
}
