package io.vecgrid.segment;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.filter.ScalarColumns;
import io.vecgrid.filter.ScalarFilter;
import io.vecgrid.index.SearchHits;
import io.vecgrid.index.VectorIndex;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One in-memory replica of a sealed segment on this node: the segment's image in direct memory (keys, vectors and
 * the index's graph read in place there; only the scalar columns, the delete bitmap and the index's small objects are
 * on the heap), its index (read from the stored bytes, never rebuilt), and a delete bitmap kept current by the
 * deletes cache's interceptor.
 *
 * <p>Memory and life cycle: the direct memory is freed as soon as the copy is retired (unloaded, replaced, its
 * collection dropped) AND no reader holds it, never while one does. Every reader of the image (a search, a
 * {@code get}, a merge reading its sources) brackets its reads with {@link #acquire()} / {@link #release()}; the
 * store holds one reference of its own from the load until {@link #retire()}, and the last release frees. A reader
 * whose acquire fails finds the copy not serviceable, as if it were not there.
 *
 * <p>Thread-safety: searches run concurrently with delete marks; a mark is a volatile bit set, visible to every
 * search that starts after the delete is acknowledged. Acquire, release and retire are lock-free and may race.
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
    /** References to the image: the store's own (until retired) plus one per reader; 0 once freed, for good. */
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    LoadedSegment(String collection, SealedSegment segment, int slot) {
        this.collection = collection;
        this.segment = segment;
        this.slot = slot;
        this.deleted = new AtomicLongArray((segment.rows() + 63) / 64);
    }

    public String collection() {
        return collection;
    }

    /** @return the segment; its keys and vectors may be read only while holding a reference ({@link #acquire()}). */
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

    /** @return {@code true} once the index is loaded and searches may use this copy, until it is retired. */
    public boolean serviceable() {
        return serviceable;
    }

    void index(VectorIndex index) {
        this.index = index;
        this.loadedAtNanos = System.nanoTime();
        this.serviceable = true;
        if (retired.get())
            serviceable = false; // Retired meanwhile (retire() sets retired before it clears serviceable).
    }

    /**
     * Makes a copy readable without an index: an image staged by the node that wrote its segment, read by owners that
     * load it ({@link SegmentStore#stage}); never searched.
     */
    void readable() {
        this.loadedAtNanos = System.nanoTime();
        this.serviceable = true;
    }

    /** @return {@link System#nanoTime()} when this copy became serviceable. */
    public long loadedAtNanos() {
        return loadedAtNanos;
    }

    /**
     * Takes a reference for reading the copy: succeeds only while it is serviceable. Each successful call must be
     * matched by one {@link #release()}, after the last read of the segment, its index or a search's results' keys.
     *
     * @return {@code false} if the copy is not serviceable (still loading, or retired): do not read it.
     */
    public boolean acquire() {
        if (!serviceable || !retain())
            return false;
        if (!serviceable) {
            // Retired meanwhile: a reader that starts now must not count on it.
            release();
            return false;
        }
        return true;
    }

    /** Takes a reference whether or not the copy is serviceable yet; {@code false} once its memory is freed. */
    boolean retain() {
        while (true) {
            int r = refs.get();
            if (r <= 0)
                return false;
            if (refs.compareAndSet(r, r + 1))
                return true;
        }
    }

    /** Drops a reference taken by {@link #acquire()} or {@link #retain()}; the last one of a retired copy frees it. */
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0)
            segment.free();
        else if (r < 0)
            throw new IllegalStateException("segment " + id() + " released more often than acquired");
    }

    /**
     * Takes the copy out of service: no new reader gets it, and its memory is freed once the readers holding it are
     * done. Idempotent.
     */
    void retire() {
        boolean first = retired.compareAndSet(false, true);
        serviceable = false;
        if (first)
            release();
    }

    /** @return {@code true} once the copy's direct memory was freed (retired and released by every reader). */
    public boolean freed() {
        return refs.get() == 0;
    }

    /** Marks the row with this primary key deleted; unknown keys are ignored, as are marks for a freed copy. */
    void markDeleted(long pk) {
        if (!retain())
            return;
        int ord;
        try {
            ord = segment.ordinalOf(pk);
        }
        finally {
            release();
        }
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

    /**
     * Searches every query; see {@link VectorIndex#search(float[][], int, int, Bits)}. The caller holds a reference
     * ({@link #acquire()}) until it has read the hits' keys.
     */
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

    /**
     * @return heap bytes this copy holds: the index's objects (with an in-place graph: its search pools and, for
     *      COSINE, the norms), the delete bitmap and the scalar columns; not the keys, vectors or graph.
     */
    public long ramBytes() {
        VectorIndex idx = index;
        return 8L * deleted.length() + segment.scalarHeapBytes() + (idx == null ? 0 : idx.ramBytesUsed());
    }

    /** @return direct memory this copy holds (its image: keys, vectors, scalars as stored, index); 0 once freed. */
    public long offHeapBytes() {
        return freed() ? 0 : segment.offHeapBytes();
    }

    /** @return all memory this copy holds: {@link #ramBytes()} on the heap and {@link #offHeapBytes()} off it. */
    public long memoryBytes() {
        return ramBytes() + offHeapBytes();
    }
}
