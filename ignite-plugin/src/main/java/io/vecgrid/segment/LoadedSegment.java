package io.vecgrid.segment;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.filter.ScalarColumns;
import io.vecgrid.filter.ScalarFilter;
import io.vecgrid.index.SearchHits;
import io.vecgrid.index.VectorIndex;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One in-memory replica of a sealed segment on this node: the decoded segment, its index (read from the stored
 * bytes, never rebuilt), and a delete bitmap kept current by the deletes cache's interceptor.
 *
 * <p>Thread-safety: searches run concurrently with delete marks; a mark is a volatile bit set, visible to every
 * search that starts after the delete is acknowledged.
 */
public final class LoadedSegment implements ScalarColumns {
    private final String collection;
    private final SealedSegment segment;
    private final int slot;
    private volatile VectorIndex index;
    private final AtomicLongArray deleted;
    private final AtomicInteger deletedCount = new AtomicInteger();
    private volatile boolean serviceable;
    private volatile long loadedAtNanos;

    LoadedSegment(String collection, SealedSegment segment, int slot) {
        this.collection = collection;
        this.segment = segment;
        this.slot = slot;
        this.deleted = new AtomicLongArray((segment.rows() + 63) / 64);
    }

    public String collection() {
        return collection;
    }

    public SealedSegment segment() {
        return segment;
    }

    public long id() {
        return segment.id();
    }

    public int slot() {
        return slot;
    }

    public int rows() {
        return segment.rows();
    }

    /** @return live rows (not deleted). */
    public int liveRows() {
        return segment.rows() - deletedCount.get();
    }

    /** @return {@code true} once the index is loaded and searches may use this copy. */
    public boolean serviceable() {
        return serviceable;
    }

    void index(VectorIndex index) {
        this.index = index;
        this.loadedAtNanos = System.nanoTime();
        this.serviceable = true;
    }

    /** @return {@link System#nanoTime()} when this copy became serviceable. */
    public long loadedAtNanos() {
        return loadedAtNanos;
    }

    void retire() {
        serviceable = false;
    }

    /** Marks the row with this primary key deleted; unknown keys are ignored. */
    void markDeleted(long pk) {
        int ord = segment.ordinalOf(pk);
        if (ord < 0)
            return;
        int w = ord >>> 6;
        long bit = 1L << (ord & 63);
        while (true) {
            long cur = deleted.get(w);
            if ((cur & bit) != 0)
                return;
            if (deleted.compareAndSet(w, cur, cur | bit)) {
                deletedCount.incrementAndGet();
                return;
            }
        }
    }

    public boolean isDeleted(int ord) {
        return (deleted.get(ord >>> 6) & (1L << (ord & 63))) != 0;
    }

    /**
     * @param filter scalar filter, or {@code null}.
     * @return rows a search may return: live rows passing the filter; {@code null} when every row qualifies.
     */
    public Bits accept(ScalarFilter filter) {
        Bits live = deletedCount.get() == 0 ? null : ord -> !isDeleted(ord);
        if (filter == null)
            return live;
        return filter.acceptBits(this, segment.rows(), live);
    }

    /** Searches every query; see {@link VectorIndex#search(float[][], int, int, Bits)}. */
    public SearchHits[] search(float[][] queries, int k, int ef, ScalarFilter filter) {
        return index.search(queries, k, ef, accept(filter));
    }

    @Override public long longValue(int col, int row) {
        return segment.scalars()[col].longValue(row);
    }

    @Override public double doubleValue(int col, int row) {
        return segment.scalars()[col].doubleValue(row);
    }

    @Override public boolean booleanValue(int col, int row) {
        return segment.scalars()[col].booleanValue(row);
    }

    @Override public String stringValue(int col, int row) {
        return segment.scalars()[col].stringValue(row);
    }

    @Override public boolean isNull(int col, int row) {
        return segment.scalars()[col].isNull(row);
    }

    /** @return heap bytes this copy holds (vectors, keys, index). */
    public long ramBytes() {
        VectorIndex idx = index;
        return 4L * segment.vectors().length + 8L * segment.rows() + (idx == null ? 0 : idx.ramBytesUsed());
    }
}
