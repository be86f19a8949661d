package io.vecgrid.segment;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.search.RoutingTable;
import io.vecgrid.shard.LocalPartitions;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * This node's in-memory replicas of sealed segments: every segment whose segments-cache partition the node owns
 * (primary or backup) is loaded as soon as its entry arrives, by put ({@link SegmentsInterceptor}) or by rebalance
 * and restart ({@link #sweep()}, which also unloads what the node no longer owns). A copy is serviceable once its
 * index is loaded; searches never wait for a load: a job asked for a copy that is not serviceable says so and the
 * router sends the segment elsewhere.
 *
 * <p>Without persistence a segment's chunks can be released once every owner of its slot holds a loaded copy
 * ({@code keepLoadedSegmentChunks = false}): this node, as the slot's primary, drops them but chunk 0's header
 * ({@link SegmentStorage#release}); a copy loaded later reads the image from a loaded copy elsewhere. A segment this
 * node writes in that mode never has chunks at all: only chunk 0's header goes to the cache, and the image is staged
 * here ({@link #stage}) until every owner has loaded its copy from it. So that no image is lost while owners
 * change, a copy of a segment this node no longer owns is kept until some owner of its slot reports a copy of its own;
 * it is kept only as a source of the image ({@link #image}), never searched or reported (the node no longer receives
 * the segment's delete marks).
 *
 * <p>Thread-safety: thread-safe. Loads run on the store's own threads.
 */
public final class SegmentStore {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final IgniteLogger log;
    /** Loaded copies by segments-cache name, then segment id. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<Long, LoadedSegment>> copies = new ConcurrentHashMap<>();
    /** Update counter of each local partition at its last sweep, as cache#partition. */
    private final ConcurrentHashMap<String, Long> swept = new ConcurrentHashMap<>();
    /** Consecutive failed loads of a segment, as cache#id. */
    private final ConcurrentHashMap<String, Integer> retries = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService retryTimer;
    /** Segments queued or being loaded, as cache#id. */
    private final Set<String> loading = ConcurrentHashMap.newKeySet();
    private final ExecutorService loader;
    private final RoutingCache routing;
    /** Whether this node, as a slot's primary, releases the chunks of segments every owner has loaded. */
    private final boolean releaseChunks;
    /** Segments whose chunks are released (by this node or before it loaded them), as cache#id. */
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    /** Copies of slots this node no longer owns, kept as image sources until an owner has one, as cache#id. */
    private final ConcurrentHashMap<String, LoadedSegment> kept = new ConcurrentHashMap<>();
    /**
     * Images of segments this node wrote while releasing chunks (only chunk 0's header went to the cache), readable
     * until every owner of the slot has loaded a copy, as cache#id.
     */
    private final ConcurrentHashMap<String, LoadedSegment> staged = new ConcurrentHashMap<>();
    /** A staged image is kept at least this long even before its chunk 0 is in the cache. */
    private static final long STAGED_MIN_NANOS = 5_000_000_000L;
    /** ... and at most this long: a seal or merge waits 2 minutes for its copies, a replica change 5. */
    private static final long STAGED_MAX_NANOS = 600_000_000_000L;
    /** Whether a release is under way on the loader threads. */
    private final AtomicBoolean releasing = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong imagesCopied = new AtomicLong();
    private volatile Consumer<String> onChange = c -> { };
    /** {@link System#nanoTime()} when the cluster last turned active; 0 once the load that followed was reported. */
    private volatile long activatedAtNanos;

    /**
     * @param routing who reports which copies (a release waits until every owner reports one).
     * @param releaseChunks whether to release the chunks of segments every owner of their slot has loaded.
     */
    public SegmentStore(Ignite ignite, MetaStore metaStore, int loaderThreads, RoutingCache routing,
        boolean releaseChunks) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.routing = routing;
        this.releaseChunks = releaseChunks;
        this.log = ignite.log().getLogger(SegmentStore.class);
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vecgrid-segment-retry-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
        this.loader = Executors.newFixedThreadPool(loaderThreads, r -> {
            Thread t = new Thread(r, "vecgrid-segment-loader-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** @param onChange called with the collection name after a copy became serviceable or was unloaded. */
    public void onChange(Consumer<String> onChange) {
        this.onChange = onChange;
    }

    /**
     * Stops loading, waits (bounded) for a load in progress, which may be reading a cache, and retires every copy:
     * its direct memory is freed now, or by the last search still reading it.
     */
    public void stop() {
        retryTimer.shutdownNow();
        loader.shutdownNow();
        try {
            loader.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unloadAll();
    }

    /**
     * The cluster turned active: every segment of this node's partitions is about to be loaded (from local pages after
     * a restart). The first sweep that leaves nothing loading logs how long it took.
     */
    public void activated() {
        activatedAtNanos = System.nanoTime();
    }

    /** Drops every loaded copy (the cluster turned inactive: its caches are gone until it is active again). */
    public void unloadAll() {
        for (String cache : new ArrayList<>(copies.keySet())) {
            Map<Long, LoadedSegment> m = copies.remove(cache);
            if (m != null)
                m.values().forEach(LoadedSegment::retire);
        }
        swept.clear();
        released.clear();
        retries.clear();
        for (Map<String, LoadedSegment> m : List.of(kept, staged)) {
            for (String k : new ArrayList<>(m.keySet())) {
                LoadedSegment s = m.remove(k);
                if (s != null)
                    s.retire();
            }
        }
        changes.incrementAndGet();
    }

    /** @return segment images this node read from a loaded copy because their chunks were released. */
    public long imagesCopied() {
        return imagesCopied.get();
    }

    void imageCopied() {
        imagesCopied.incrementAndGet();
    }

    /** @return a counter that grows on every load and unload. */
    public long changes() {
        return changes.get();
    }

    /**
     * @return this node's copy of a segment, or {@code null}. Read its keys, vectors or index only between
     *      {@link LoadedSegment#acquire()} and {@link LoadedSegment#release()}.
     */
    public LoadedSegment get(CollectionMeta meta, long segmentId) {
        Map<Long, LoadedSegment> m = copies.get(meta.segmentsCache());
        return m == null ? null : m.get(segmentId);
    }

    /**
     * @return this node's copy of a segment to read its image from: a served copy, or one kept after the node gave the
     *      slot up (not searched: it misses delete marks); {@code null} if none. Read between acquire and release.
     */
    LoadedSegment image(CollectionMeta meta, long segmentId) {
        LoadedSegment s = get(meta, segmentId);
        if (s != null && s.serviceable())
            return s;
        String key = meta.segmentsCache() + '#' + segmentId;
        LoadedSegment k = kept.get(key);
        return k != null ? k : staged.get(key);
    }

    /**
     * @return this node's copy (as {@link #image}) of segment {@code id} of the generation {@code uid} of a collection,
     *      for a call from another node that names the collection and generation; {@code null} if there is none.
     */
    public static LoadedSegment imageFor(Ignite ig, String collection, String uid, long id) {
        io.vecgrid.Vecgrid vg = io.vecgrid.Vecgrid.local(ig);
        CollectionMeta cur = vg.metaStore().meta(collection);
        CollectionMeta meta = cur == null ? null : cur.generation(uid);
        return meta == null ? null : vg.segments().image(meta, id);
    }

    /** @return whether this node releases segment chunks ({@code keepLoadedSegmentChunks = false}). */
    boolean releasesChunks() {
        return releaseChunks;
    }

    /**
     * Keeps the image of a segment this node just wrote (the store owns {@code seg} from now on) readable for the
     * owners of its slot, which load their copies from it: with released chunks, only chunk 0's header is written to
     * the cache. Dropped once every owner reports a copy, or when the segment leaves the cache.
     */
    void stage(CollectionMeta meta, SealedSegment seg, int slot) {
        LoadedSegment s = new LoadedSegment(meta.name(), seg, slot);
        s.readable();
        LoadedSegment old = staged.put(meta.segmentsCache() + '#' + seg.id(), s);
        if (old != null)
            old.retire();
    }

    /** @return ids of this node's serviceable copies of the collection's segments. */
    public List<Long> serviceable(CollectionMeta meta) {
        List<Long> res = new ArrayList<>();
        Map<Long, LoadedSegment> m = copies.get(meta.segmentsCache());
        if (m != null) {
            for (LoadedSegment s : m.values()) {
                if (s.serviceable())
                    res.add(s.id());
            }
        }
        res.sort(Long::compare);
        return res;
    }

    /** @return serviceable copies held, over every collection. */
    public int loadedSegments() {
        int n = 0;
        for (Map<Long, LoadedSegment> m : copies.values()) {
            for (LoadedSegment s : m.values())
                n += s.serviceable() ? 1 : 0;
        }
        return n;
    }

    /** @return live rows in serviceable copies, over every collection. */
    public long loadedRows() {
        long n = 0;
        for (Map<Long, LoadedSegment> m : copies.values()) {
            for (LoadedSegment s : m.values())
                n += s.serviceable() ? s.liveRows() : 0;
        }
        return n;
    }

    /** @return segment copies queued or being loaded, over every collection. */
    public int loadingSegments() {
        return loading.size();
    }

    /**
     * @return this node's copies of one generation of a collection: serviceable copies, copies queued or loading,
     *      live rows and memory bytes (heap and direct) of the serviceable ones.
     */
    public long[] stats(String segmentsCache) {
        long[] res = new long[4];
        Map<Long, LoadedSegment> m = copies.get(segmentsCache);
        if (m != null) {
            for (LoadedSegment s : m.values()) {
                if (s.serviceable()) {
                    res[0]++;
                    res[2] += s.liveRows();
                    res[3] += s.memoryBytes();
                }
            }
        }
        String prefix = segmentsCache + '#';
        for (String k : loading) {
            if (k.startsWith(prefix))
                res[1]++;
        }
        return res;
    }

    /** @return this node's copies of one generation of a collection, serviceable or not (the status page). */
    public List<LoadedSegment> copies(String segmentsCache) {
        Map<Long, LoadedSegment> m = copies.get(segmentsCache);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    /** @return ids of the segments of one generation queued or being loaded here. */
    public List<Long> loading(String segmentsCache) {
        List<Long> res = new ArrayList<>();
        String prefix = segmentsCache + '#';
        for (String k : loading) {
            if (k.startsWith(prefix))
                res.add(Long.parseLong(k.substring(prefix.length())));
        }
        return res;
    }

    /** @return heap bytes held by serviceable copies (not their keys, vectors and graphs, which are off the heap). */
    public long loadedBytes() {
        long n = 0;
        for (Map<Long, LoadedSegment> m : copies.values()) {
            for (LoadedSegment s : m.values())
                n += s.serviceable() ? s.ramBytes() : 0;
        }
        return n;
    }

    /**
     * @return direct memory held by the copies in this store (their images: keys, vectors, graphs), serviceable or
     *      loading; copies retired but still read by a search are not counted.
     */
    public long loadedOffHeapBytes() {
        long n = 0;
        for (Map<Long, LoadedSegment> m : copies.values()) {
            for (LoadedSegment s : m.values())
                n += s.offHeapBytes();
        }
        for (LoadedSegment s : kept.values())
            n += s.offHeapBytes();
        for (LoadedSegment s : staged.values())
            n += s.offHeapBytes();
        return n;
    }

    void onPut(String segmentsCache, long id, int slot) {
        schedule(segmentsCache, id, slot);
    }

    void onRemove(String segmentsCache, long id) {
        Map<Long, LoadedSegment> m = copies.get(segmentsCache);
        LoadedSegment s = m == null ? null : m.remove(id);
        released.remove(segmentsCache + '#' + id);
        if (s != null) {
            s.retire();
            changed(s.collection());
        }
    }

    void onDelete(String segmentsCache, long segmentId, long pk) {
        Map<Long, LoadedSegment> m = copies.get(segmentsCache);
        LoadedSegment s = m == null ? null : m.get(segmentId);
        if (s != null)
            s.markDeleted(pk);
    }

    private void schedule(String segmentsCache, long id, int slot) {
        Map<Long, LoadedSegment> m = copies.get(segmentsCache);
        if (m != null && m.containsKey(id))
            return;
        String key = segmentsCache + '#' + id;
        if (!loading.add(key))
            return;
        try {
            loader.execute(() -> {
                try {
                    load(segmentsCache, id, slot);
                    retries.remove(key);
                }
                catch (Throwable t) {
                    log.error("Failed to load segment " + id + " of " + segmentsCache + ": " + t, t);
                    // Tried again after a back-off (its image may come from another node's copy that is not there
                    // yet); doubling, so a copy that does not fit is not tried every tick. A segment that left the
                    // partition meanwhile finds nothing to load then, and is forgotten.
                    int n = retries.merge(key, 1, Integer::sum);
                    try {
                        retryTimer.schedule(() -> schedule(segmentsCache, id, slot),
                            500L << Math.min(n - 1, 9), java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                    catch (RuntimeException e) {
                        // Stopping.
                    }
                }
                finally {
                    loading.remove(key);
                }
            });
        }
        catch (RuntimeException e) {
            loading.remove(key);
        }
    }

    private void load(String segmentsCache, long id, int slot) {
        CollectionMeta meta = metaFor(segmentsCache);
        IgniteCache<ChunkKey, byte[]> c = meta == null ? null : ignite.cache(segmentsCache);
        if (c == null) {
            retries.remove(segmentsCache + '#' + id); // the collection is gone
            return;
        }
        long start = System.nanoTime();
        // Only once every chunk is here (a segment is written chunk by chunk; the last put schedules the load again).
        // The image stays where it was read, in direct memory: the copy's keys, vectors and graph are read in place.
        SealedSegment image = SegmentStorage.readLocal(ignite, meta, c, id, slot);
        if (image == null) {
            retries.remove(segmentsCache + '#' + id); // nothing complete here yet: a later put or sweep schedules it
            return;
        }
        LoadedSegment seg = new LoadedSegment(meta.name(), image, slot);
        // Registered before the delete marks are read, so a mark committed meanwhile reaches it through the interceptor.
        ConcurrentHashMap<Long, LoadedSegment> m = copies.computeIfAbsent(segmentsCache, k -> new ConcurrentHashMap<>());
        if (m.putIfAbsent(id, seg) != null) {
            seg.retire();
            return;
        }
        if (copies.get(segmentsCache) != m) {
            // Every copy of the cache was dropped meanwhile (unloadAll, or the collection is gone).
            m.remove(id, seg);
            seg.retire();
            return;
        }
        // The loader's own reference: the copy may be retired (chunks removed, partition lost) while it loads.
        if (!seg.retain())
            return;
        try {
            readDeleteMarks(meta, seg);
            seg.index(SegmentIndexes.read(seg.segment()));
        }
        catch (RuntimeException | Error e) {
            // Not loaded (e.g. the partition is still MOVING here: a local scan of it fails): forget the copy, or it
            // would stay registered and never serviceable, and no later put or sweep would load it again.
            if (m.remove(id, seg))
                seg.retire();
            throw e;
        }
        finally {
            seg.release();
        }
        changes.incrementAndGet();
        if (log.isDebugEnabled())
            log.debug("Loaded segment " + id + " of '" + meta.name() + "' in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        changed(meta.name());
    }

    private void readDeleteMarks(CollectionMeta meta, LoadedSegment seg) {
        IgniteCache<Object, Object> deletes = ignite.cache(meta.deletesCache());
        if (deletes == null)
            return;
        try (QueryCursor<Cache.Entry<Object, Object>> cur = deletes.withKeepBinary().query(
            new ScanQuery<Object, Object>().setPartition(seg.slot()).setLocal(true))) {
            for (Cache.Entry<Object, Object> e : cur) {
                DeleteKey k = DeleteKey.from(e.getKey());
                if (k.segmentId() == seg.id())
                    seg.markDeleted(k.pk());
            }
        }
    }

    private CollectionMeta metaFor(String segmentsCache) {
        for (CollectionMeta m : metaStore.servingGenerations()) {
            if (m.segmentsCache().equals(segmentsCache))
                return m;
        }
        return null;
    }

    private void changed(String collection) {
        changes.incrementAndGet();
        onChange.accept(collection);
    }

    /**
     * Loads the segments of every OWNING local partition that are not loaded yet, and unloads copies this node no
     * longer owns or whose collection is gone.
     */
    public void sweep() {
        Set<String> live = new HashSet<>();
        for (CollectionMeta meta : metaStore.servingGenerations()) {
            if (ignite.cache(meta.segmentsCache()) == null)
                continue;
            live.add(meta.segmentsCache());
            sweep(meta);
        }
        for (Map<String, LoadedSegment> m : List.of(kept, staged)) {
            for (Map.Entry<String, LoadedSegment> e : m.entrySet()) {
                if (!live.contains(e.getKey().substring(0, e.getKey().lastIndexOf('#'))) && m.remove(e.getKey(), e.getValue()))
                    e.getValue().retire();
            }
        }
        for (String cache : new ArrayList<>(copies.keySet())) {
            if (!live.contains(cache)) {
                Map<Long, LoadedSegment> gone = copies.remove(cache);
                if (gone != null && !gone.isEmpty()) {
                    gone.values().forEach(LoadedSegment::retire);
                    changed(gone.values().iterator().next().collection());
                }
            }
        }
        // Forget the update counters of caches that are gone: a cache of the same name can come back (a collection
        // restored from a backup) with the very counter it had, and its partitions must be scanned all the same.
        swept.keySet().removeIf(k -> !live.contains(k.substring(0, k.lastIndexOf('#'))));
        long since = activatedAtNanos;
        if (since != 0 && loading.isEmpty()) {
            activatedAtNanos = 0;
            if (loadedSegments() > 0)
                log.info("vecgrid: " + loadedSegments() + " segment copies (" + loadedRows() + " live rows) of " +
                live.size() + " collections serviceable on this node, " + (System.nanoTime() - since) / 1_000_000 +
                " ms after the cluster turned active (loaded from this node's own data, indexes not rebuilt)");
        }
    }

    private boolean loadingAny(String cache) {
        for (String k : loading) {
            if (k.startsWith(cache + '#'))
                return true;
        }
        return false;
    }

    private void sweep(CollectionMeta meta) {
        String cache = meta.segmentsCache();
        Set<Integer> owned = new HashSet<>();
        for (int p = 0; p < meta.segmentSlots(); p++) {
            if (LocalPartitions.owning(ignite, cache, p) != null)
                owned.add(p);
        }
        Map<Long, LoadedSegment> have = copies.getOrDefault(cache, new ConcurrentHashMap<>());
        for (LoadedSegment s : new ArrayList<>(have.values())) {
            if (!owned.contains(s.slot()) && have.remove(s.id(), s)) {
                swept.remove(cache + '#' + s.slot());
                released.remove(cache + '#' + s.id());
                if (!keepUnowned(meta, s) || kept.putIfAbsent(cache + '#' + s.id(), s) != null)
                    s.retire();
                changed(meta.name());
            }
        }
        String prefix = cache + '#';
        for (Map.Entry<String, LoadedSegment> e : kept.entrySet()) {
            if (e.getKey().startsWith(prefix) && !keepUnowned(meta, e.getValue()) && kept.remove(e.getKey(), e.getValue()))
                e.getValue().retire();
        }
        for (Map.Entry<String, LoadedSegment> e : staged.entrySet()) {
            if (e.getKey().startsWith(prefix) && !keepStaged(meta, e.getValue()) && staged.remove(e.getKey(), e.getValue()))
                e.getValue().retire();
        }
        for (int p : owned) {
            // Read a partition's keys only when it changed since the last sweep.
            long cnt = LocalPartitions.updateCounter(ignite, cache, p);
            Long last = swept.put(cache + '#' + p, cnt);
            if (last != null && last == cnt && !loadingAny(cache))
                continue;
            List<Object> keys = LocalPartitions.keys(ignite, cache, p);
            if (keys == null)
                continue; // No longer owned here.
            for (Object k : keys) {
                long id = SegmentsInterceptor.segmentId(k);
                if (!have.containsKey(id) && !retries.containsKey(cache + '#' + id))
                    schedule(cache, id, SegmentsInterceptor.slot(k));
            }
        }
        if (releaseChunks)
            releaseLoaded(meta, have);
    }

    /**
     * @return whether to keep a copy of a slot this node no longer owns as a source of its image: its chunks may be
     *      released, so until an owner reports a copy this one may be all there is of it (unless the segment is gone).
     */
    private boolean keepUnowned(CollectionMeta meta, LoadedSegment s) {
        if (!releaseChunks || !s.serviceable())
            return false;
        RoutingTable table = routing.table();
        List<java.util.UUID> reported = table.copies(meta.segmentsCache(), s.id());
        for (ClusterNode n : ignite.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(s.slot())) {
            if (!n.isLocal() && reported.contains(n.id()))
                return false;
        }
        IgniteCache<ChunkKey, byte[]> c = ignite.cache(meta.segmentsCache());
        try {
            return c != null && c.containsKey(new ChunkKey(s.id(), 0, s.slot()));
        }
        catch (RuntimeException e) {
            return true; // Cannot tell now: ask again at the next sweep.
        }
    }

    /**
     * @return whether to keep a staged image: until every owner of its slot reports a copy, unless the segment left
     *      the cache (its operation undone) or no owner loaded it for far longer than a layout step waits.
     */
    private boolean keepStaged(CollectionMeta meta, LoadedSegment s) {
        long age = System.nanoTime() - s.loadedAtNanos();
        if (age > STAGED_MAX_NANOS)
            return false;
        List<java.util.UUID> reported = routing.table().copies(meta.segmentsCache(), s.id());
        boolean all = true;
        for (ClusterNode n : ignite.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(s.slot()))
            all &= reported.contains(n.id());
        if (all)
            return false;
        if (age < STAGED_MIN_NANOS)
            return true; // Chunk 0 is written right after the image is staged.
        IgniteCache<ChunkKey, byte[]> c = ignite.cache(meta.segmentsCache());
        try {
            return c != null && c.containsKey(new ChunkKey(s.id(), 0, s.slot()));
        }
        catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Releases, on the loader threads, the chunks of the segments whose slot this node is the primary of and whose every
     * owner reports a serviceable copy.
     */
    private void releaseLoaded(CollectionMeta meta, Map<Long, LoadedSegment> have) {
        if (have.isEmpty() || releasing.get())
            return;
        String cache = meta.segmentsCache();
        RoutingTable table = routing.table();
        org.apache.ignite.cache.affinity.Affinity<Object> aff = ignite.affinity(cache);
        List<LoadedSegment> ready = new ArrayList<>();
        for (LoadedSegment s : have.values()) {
            if (!s.serviceable() || released.contains(cache + '#' + s.id()))
                continue;
            ClusterNode primary = aff.mapPartitionToNode(s.slot());
            if (primary == null || !primary.isLocal())
                continue;
            List<java.util.UUID> reported = table.copies(cache, s.id());
            boolean all = true;
            for (ClusterNode n : aff.mapPartitionToPrimaryAndBackups(s.slot()))
                all &= reported.contains(n.id());
            if (all)
                ready.add(s);
        }
        if (ready.isEmpty() || !releasing.compareAndSet(false, true))
            return;
        try {
            loader.execute(() -> {
                try {
                    for (LoadedSegment s : ready) {
                        if (!s.acquire())
                            continue;
                        try {
                            SegmentStorage.release(ignite, meta, s.segment(), s.slot());
                            released.add(cache + '#' + s.id());
                        }
                        finally {
                            s.release();
                        }
                    }
                }
                catch (Throwable t) {
                    log.warning("Failed to release the chunks of loaded segments of '" + meta.name() + "' (tried again later): " + t);
                }
                finally {
                    releasing.set(false);
                }
            });
        }
        catch (RuntimeException e) {
            releasing.set(false);
        }
    }
}
