package io.vecgrid.segment;

import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CacheWriteGuard;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.lang.IgniteRunnable;
import org.apache.ignite.resources.IgniteInstanceResource;

import javax.cache.Cache;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sealed segments as the segments cache stores them: written chunk by chunk (a segment may be hundreds of MB; one
 * entry of a few MB at a time keeps every WAL record and cache entry small), read back whole, removed with their
 * delete marks. Stateless.
 */
public final class SegmentStorage {
    /** Delete marks written per transaction when marks are copied or removed in bulk. */
    private static final int MARK_BATCH = 5_000;

    private SegmentStorage() {
    }

    /**
     * Writes a segment's chunks (its image, in the chunk size its header names) into slot {@code slot}, chunk 0 last:
     * a copy is loaded once every chunk is there, and the load that chunk 0's arrival schedules then finds them all.
     *
     * @return the segment as a shard state names it.
     */
    public static SegmentRef write(Ignite ignite, CollectionMeta meta, SealedSegment seg, int slot) {
        return writeEncoded(ignite, meta, seg.image(), seg.id(), seg.shard(), seg.rows(), slot, seg.chunkBytes());
    }

    /** Writes already encoded bytes (a moved segment: {@link #readWhole} gave them, with the id patched). */
    static SegmentRef writeEncoded(Ignite ignite, CollectionMeta meta, ByteBuffer buf, long id, int shard, int rows,
        int slot, int chunkBytes) {
        IgniteCache<ChunkKey, byte[]> cache = ignite.cache(meta.segmentsCache());
        long total = buf.limit();
        int chunks = SealedSegment.chunks(total, chunkBytes);
        io.vecgrid.Vecgrid vg = io.vecgrid.Vecgrid.localOrNull(ignite);
        if (vg != null && vg.segments().releasesChunks() && !ignite.cluster().localNode().isClient()) {
            // Chunks released (no persistence): write only chunk 0's header; the owners load their copies from this
            // node's staged image, so the segments region never holds the rest.
            ByteBuffer owner = DirectBuffers.allocateAligned(total);
            DirectBuffers.aligned(owner, total).put(0, buf, 0, (int)total);
            SealedSegment seg = SealedSegment.owning(owner, total);
            vg.segments().stage(meta, seg, slot);
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
                cache.put(new ChunkKey(id, 0, slot), seg.releasedHeader());
            }
            return new SegmentRef(id, shard, slot, rows, total, chunks);
        }
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            for (int c = chunks - 1; c >= 0; c--) {
                int from = c * chunkBytes;
                byte[] part = new byte[(int)Math.min(chunkBytes, total - from)];
                buf.duplicate().position(from).get(part);
                cache.put(new ChunkKey(id, c, slot), part);
            }
        }
        return new SegmentRef(id, shard, slot, rows, total, chunks);
    }

    /**
     * @return the segment from this node's own copy of its slot, in direct memory it owns (64-byte aligned, so its
     *      sections are too), or from a loaded copy elsewhere if its chunks were released ({@link #release});
     *      {@code null} if a chunk is missing here (still being written or rebalanced).
     */
    static SealedSegment readLocal(Ignite ignite, CollectionMeta meta, IgniteCache<ChunkKey, byte[]> cache, long id,
        int slot) {
        byte[] first = cache.localPeek(new ChunkKey(id, 0, slot), CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
        if (first == null)
            return null;
        long total = SealedSegment.totalBytes(first);
        if (SealedSegment.released(first))
            return SealedSegment.owning(ImageCopies.read(ignite, meta, id, slot, total), total);
        int chunkBytes = SealedSegment.chunkBytes(first);
        int chunks = SealedSegment.chunks(total, chunkBytes);
        ByteBuffer owner = DirectBuffers.allocateAligned(total);
        ByteBuffer all = DirectBuffers.aligned(owner, total);
        try {
            all.put(first);
            for (int c = 1; c < chunks; c++) {
                byte[] part = cache.localPeek(new ChunkKey(id, c, slot), CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
                if (part == null) {
                    DirectBuffers.free(owner);
                    return null;
                }
                all.put(part);
            }
        }
        catch (RuntimeException | Error e) {
            DirectBuffers.free(owner);
            throw e;
        }
        return SealedSegment.owning(owner, total);
    }

    /**
     * @return the segment's encoded bytes read from the cluster (any owner of its slot), position 0 of a direct buffer
     *      owned by the caller (free it with {@link DirectBuffers#free}), starting on a 64-byte boundary.
     * @throws VecgridException if a chunk is missing.
     */
    public static ByteBuffer readWhole(Ignite ignite, CollectionMeta meta, SegmentRef ref) {
        IgniteCache<ChunkKey, byte[]> cache = ignite.cache(meta.segmentsCache());
        byte[] first = cache.get(new ChunkKey(ref.id(), 0, ref.slot()));
        if (first != null && SealedSegment.released(first))
            return ImageCopies.read(ignite, meta, ref.id(), ref.slot(), ref.bytes());
        ByteBuffer owner = DirectBuffers.allocateAligned(ref.bytes());
        ByteBuffer all = DirectBuffers.aligned(owner, ref.bytes());
        try {
            for (int c = 0; c < ref.chunks(); c++) {
                byte[] part = c == 0 ? first : cache.get(new ChunkKey(ref.id(), c, ref.slot()));
                if (part == null && c > 0 && releasedNow(cache, ref)) {
                    // Released while being read: every owner has a loaded copy to read from.
                    DirectBuffers.free(owner);
                    return ImageCopies.read(ignite, meta, ref.id(), ref.slot(), ref.bytes());
                }
                if (part == null) {
                    throw new VecgridException("chunk " + c + " of " + ref + " of collection '" + meta.name() +
                        "' is missing from its cache");
                }
                all.put(part);
            }
        }
        catch (RuntimeException | Error e) {
            DirectBuffers.free(owner);
            throw e;
        }
        return owner;
    }

    /**
     * Copies a segment into another generation's segments cache (same id and slot), chunk 0 last, unless its chunk 0
     * is there already (then so is the rest). A released segment is read from a loaded copy and written whole.
     */
    public static void copy(Ignite ignite, CollectionMeta from, CollectionMeta to, SegmentRef ref) {
        IgniteCache<ChunkKey, byte[]> src = ignite.cache(from.segmentsCache());
        IgniteCache<ChunkKey, byte[]> dst = ignite.cache(to.segmentsCache());
        ChunkKey head = new ChunkKey(ref.id(), 0, ref.slot());
        if (dst.containsKey(head))
            return;
        byte[] first = src.get(head);
        if (first == null)
            throw new VecgridException("chunk 0 of " + ref + " of collection '" + from.name() + "' is missing");
        if (SealedSegment.released(first)) {
            ByteBuffer owner = ImageCopies.read(ignite, from, ref.id(), ref.slot(), ref.bytes());
            try {
                writeEncoded(ignite, to, DirectBuffers.aligned(owner, ref.bytes()), ref.id(), ref.shard(), ref.rows(),
                    ref.slot(), SealedSegment.chunkBytes(first));
            }
            finally {
                DirectBuffers.free(owner);
            }
            return;
        }
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            for (int c = ref.chunks() - 1; c >= 1; c--) {
                byte[] bytes = src.get(new ChunkKey(ref.id(), c, ref.slot()));
                if (bytes == null && releasedNow(src, ref)) {
                    dst.remove(head); // Released meanwhile: start over from a loaded copy.
                    copy(ignite, from, to, ref);
                    return;
                }
                if (bytes == null)
                    throw new VecgridException("chunk " + c + " of " + ref + " of collection '" + from.name() + "' is missing");
                dst.put(new ChunkKey(ref.id(), c, ref.slot()), bytes);
            }
            dst.put(head, first);
        }
    }

    /** @return whether the segment's chunk 0 is (now) a released header: its other chunks are gone by design. */
    private static boolean releasedNow(IgniteCache<ChunkKey, byte[]> cache, SegmentRef ref) {
        byte[] first = cache.get(new ChunkKey(ref.id(), 0, ref.slot()));
        return first != null && SealedSegment.released(first);
    }

    /**
     * @return the segment's primary keys, ascending, read from the cluster: only the chunks that hold the header and
     *      the keys section, not the vectors.
     */
    public static long[] readPks(Ignite ignite, CollectionMeta meta, SegmentRef ref) {
        IgniteCache<ChunkKey, byte[]> cache = ignite.cache(meta.segmentsCache());
        byte[] first = cache.get(new ChunkKey(ref.id(), 0, ref.slot()));
        if (first == null)
            throw new VecgridException("chunk 0 of " + ref + " of collection '" + meta.name() + "' is missing");
        if (SealedSegment.released(first)) {
            SealedSegment seg = read(ignite, meta, ref);
            try {
                return seg.pks();
            }
            finally {
                seg.free();
            }
        }
        ByteBuffer head = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
        int rows = head.getInt(20);
        long keysOff = head.getLong(56);
        int chunkBytes = SealedSegment.chunkBytes(first);
        long end = keysOff + 8L * rows;
        ByteBuffer keys = ByteBuffer.allocate((int)(8L * rows)).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = (int)(keysOff / chunkBytes); c <= (int)((end - 1) / chunkBytes) && rows > 0; c++) {
            byte[] part = c == 0 ? first : cache.get(new ChunkKey(ref.id(), c, ref.slot()));
            if (part == null && c > 0 && releasedNow(cache, ref))
                return readPks(ignite, meta, ref); // Released while being read: chunk 0 says so now.
            if (part == null)
                throw new VecgridException("chunk " + c + " of " + ref + " of collection '" + meta.name() + "' is missing");
            long from = Math.max(keysOff, (long)c * chunkBytes);
            long to = Math.min(end, (long)c * chunkBytes + part.length);
            keys.put(part, (int)(from - (long)c * chunkBytes), (int)(to - from));
        }
        long[] pks = new long[rows];
        keys.flip();
        keys.asLongBuffer().get(pks);
        return pks;
    }

    /**
     * @return the segment read from the cluster, in direct memory it owns: free it ({@link SealedSegment#free()}) when
     *      done, else the garbage collector does, some time.
     */
    public static SealedSegment read(Ignite ignite, CollectionMeta meta, SegmentRef ref) {
        return SealedSegment.owning(readWhole(ignite, meta, ref), ref.bytes());
    }

    /**
     * Drops a segment's chunks but chunk 0, which becomes the image's header marked released: for a cluster without
     * persistence whose every owner of the slot holds a loaded copy, the chunks are a second copy of what the loaded
     * copies hold. A copy to be loaded later (a new owner, a merge or move reading its source) reads the image from a
     * loaded copy ({@link ImageCopies}). Chunk 0 stays, so the segment is still in its slot for the store's sweep,
     * and removing it still retires the segment. Runs on the slot's primary. Does nothing if the segment was removed
     * meanwhile (chunk 0 is replaced, never created).
     */
    static void release(Ignite ignite, CollectionMeta meta, SealedSegment seg, int slot) {
        IgniteCache<ChunkKey, byte[]> cache = ignite.cache(meta.segmentsCache());
        if (cache == null)
            return;
        int chunks = SealedSegment.chunks(seg.image().limit(), seg.chunkBytes());
        byte[] first = cache.localPeek(new ChunkKey(seg.id(), 0, slot), CachePeekMode.PRIMARY);
        if (first == null || SealedSegment.released(first))
            return; // Gone, or released already (or written released: only its header was ever in the cache).
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            if (!cache.replace(new ChunkKey(seg.id(), 0, slot), seg.releasedHeader()))
                return;
            for (int c = 1; c < chunks; c++)
                cache.remove(new ChunkKey(seg.id(), c, slot));
        }
    }

    /** @return the primary keys marked deleted in segment {@code id} (its slot's marks). */
    public static TreeSet<Long> deletedPks(Ignite ignite, CollectionMeta meta, long id, int slot) {
        TreeSet<Long> res = new TreeSet<>();
        for (DeleteKey k : marks(ignite, meta.deletesCache(), id, slot))
            res.add(k.pk());
        return res;
    }

    private static List<DeleteKey> marks(Ignite ignite, String deletesCache, long id, int slot) {
        IgniteCache<Object, Object> deletes = ignite.cache(deletesCache).withKeepBinary();
        List<DeleteKey> res = new ArrayList<>();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = deletes.query(new ScanQuery<>().setPartition(slot))) {
            for (Cache.Entry<Object, Object> e : cur) {
                DeleteKey k = DeleteKey.from(e.getKey());
                if (k.segmentId() == id)
                    res.add(k);
            }
        }
        return res;
    }

    /** Copies the delete marks of segment {@code from} to segment {@code to} (a move keeps the rows). */
    public static void copyMarks(Ignite ignite, CollectionMeta meta, long from, int fromSlot, long to, int toSlot) {
        IgniteCache<DeleteKey, Boolean> deletes = ignite.<DeleteKey, Boolean>cache(meta.deletesCache()).withKeepBinary();
        Map<DeleteKey, Boolean> batch = new TreeMap<>(DeleteKey.ORDER);
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            for (DeleteKey k : marks(ignite, meta.deletesCache(), from, fromSlot)) {
                batch.put(new DeleteKey(to, k.pk(), toSlot), Boolean.TRUE);
                if (batch.size() >= MARK_BATCH) {
                    deletes.putAll(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty())
                deletes.putAll(batch);
        }
    }

    /**
     * Removes a segment's chunks and delete marks. Idempotent. Runs on the primary node of the segment's slot when
     * that is another node: the segments cache has an interceptor, and for a transactional cache with one Ignite sends
     * the old value of every entry a transaction writes back from the primary to the node that started it (2.17,
     * {@code GridDhtTxPrepareFuture.addDhtValues}), so removing a segment from elsewhere would ship all its chunks over
     * the network to be dropped, and leave the last of them in the connection's read and write buffers for a while.
     */
    public static void remove(Ignite ignite, CollectionMeta meta, long id, int slot, int chunks) {
        if (ignite.cache(meta.segmentsCache()) == null)
            return;
        ClusterNode primary = ignite.affinity(meta.segmentsCache()).mapPartitionToNode(slot);
        if (primary != null && !primary.isLocal()) {
            try {
                ignite.compute(ignite.cluster().forNode(primary))
                    .run(new RemoveOnPrimary(meta.segmentsCache(), meta.deletesCache(), id, slot, chunks));
                return;
            }
            catch (IgniteException e) {
                // The primary left or is leaving: remove from here (correct, only costlier).
            }
        }
        removeHere(ignite, meta.segmentsCache(), meta.deletesCache(), id, slot, chunks);
    }

    /** {@link #remove} on the node it is sent to. */
    private static final class RemoveOnPrimary implements IgniteRunnable {
        private static final long serialVersionUID = 1L;

        private final String segmentsCache;
        private final String deletesCache;
        private final long id;
        private final int slot;
        private final int chunks;

        @IgniteInstanceResource
        private transient Ignite ignite;

        RemoveOnPrimary(String segmentsCache, String deletesCache, long id, int slot, int chunks) {
            this.segmentsCache = segmentsCache;
            this.deletesCache = deletesCache;
            this.id = id;
            this.slot = slot;
            this.chunks = chunks;
        }

        @Override public void run() {
            removeHere(ignite, segmentsCache, deletesCache, id, slot, chunks);
        }
    }

    private static void removeHere(Ignite ignite, String segmentsCache, String deletesCache, long id, int slot,
        int chunks) {
        IgniteCache<ChunkKey, byte[]> cache = ignite.cache(segmentsCache);
        if (cache == null)
            return;
        TreeSet<ChunkKey> keys = new TreeSet<>(java.util.Comparator.comparingInt(ChunkKey::chunk));
        if (chunks < 0) {
            // Unknown size (an operation died before publishing): every chunk of the slot with that id.
            IgniteCache<Object, Object> raw = ignite.cache(segmentsCache).withKeepBinary();
            try (QueryCursor<Object> cur = raw.query(new ScanQuery<Object, Object>().setPartition(slot), Cache.Entry::getKey)) {
                for (Object k : cur) {
                    ChunkKey ck = ChunkKey.from(k);
                    if (ck.segmentId() == id)
                        keys.add(ck);
                }
            }
        }
        else {
            for (int c = 0; c < chunks; c++)
                keys.add(new ChunkKey(id, c, slot));
        }
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            for (ChunkKey k : keys)
                cache.remove(k);
            IgniteCache<DeleteKey, Boolean> deletes = ignite.<DeleteKey, Boolean>cache(deletesCache).withKeepBinary();
            TreeSet<DeleteKey> batch = new TreeSet<>(DeleteKey.ORDER);
            for (DeleteKey k : marks(ignite, deletesCache, id, slot)) {
                batch.add(k);
                if (batch.size() >= MARK_BATCH) {
                    deletes.removeAll(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty())
                deletes.removeAll(batch);
        }
    }
}
