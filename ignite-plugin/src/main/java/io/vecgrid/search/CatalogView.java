package io.vecgrid.search;

import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionState;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The router's in-memory copy of the catalog and of every collection's target, so that a search does no cache
 * operation that can wait on another node before it plans. A cache read has no deadline and no hedge: a thick client
 * (which holds no replica of the catalog or of the state caches) read the catalog entry and the shard states from
 * their primary node on every search, and every search waited as long as that node stalled.
 * <ul>
 *   <li>The catalog is pushed by a continuous query (the catalog cache lives as long as the cluster is active); the
 *   node's upkeep rescans it every routing refresh interval as a safety net. A collection this node has no copy of
 *   yet, or whose copy is in a transitional state (creating, restoring, dropping), is read from the catalog, so that a
 *   create or restore acknowledged a moment ago serves at once.</li>
 *   <li>Targets: a server holds every state cache (replicated) and reads the shard states' versions locally on each
 *   search ({@link TargetCache}: deserialized only when one changed). A thick client keeps each known collection's
 *   target refreshed by a background thread every {@value #CLIENT_REFRESH_MILLIS} ms and searches with the last one.
 *   (A continuous query per state cache would push changes sooner, but registering one holds the cache's gateway while
 *   it waits for a discovery round, and dropping the collection at that moment waits for the gateway: the two
 *   deadlocked in a test that dropped a collection right after creating it.)</li>
 * </ul>
 *
 * <p>Being a moment behind is safe: a collection's shard leaders name their own segments in every answer and the
 * search adds what its target missed (see {@code SearchTask}), a replaced generation of caches keeps serving for a
 * while after a replica change, and a collection dropped since fails the search once its caches are gone.
 *
 * <p>Thread-safety: thread-safe; the listener only updates a map (no cache operation in Ignite's notification threads).
 */
public final class CatalogView {
    /** How often a thick client re-reads the targets of the collections it knows, ms. */
    static final long CLIENT_REFRESH_MILLIS = 200;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final IgniteLogger log;
    private final boolean client;
    private final TargetCache targetCache;
    private final ConcurrentHashMap<String, CollectionMeta> metas = new ConcurrentHashMap<>();
    /** On a thick client: the last target read of each known collection, by state cache name. */
    private final ConcurrentHashMap<String, CollectionTarget> clientTargets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vecgrid-catalog");
        t.setDaemon(true);
        return t;
    });
    private QueryCursor<?> catalogPushes;
    private ScheduledFuture<?> refreshing;
    private volatile boolean started;

    public CatalogView(Ignite ignite, MetaStore metaStore) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.log = ignite.log().getLogger(CatalogView.class);
        this.client = ignite.cluster().localNode().isClient();
        this.targetCache = new TargetCache(metaStore);
    }

    /** Subscribes to the catalog and reads it (the cluster turned active). */
    public synchronized void start() {
        stop();
        ContinuousQuery<String, CollectionMeta> q = new ContinuousQuery<>();
        q.setLocalListener(evts -> {
            for (CacheEntryEvent<? extends String, ? extends CollectionMeta> e : evts) {
                if (e.getEventType() == EventType.REMOVED || e.getValue() == null)
                    metas.remove(e.getKey());
                else
                    metas.merge(e.getKey(), e.getValue(), CatalogView::newer);
            }
        });
        catalogPushes = metaStore.collections().query(q);
        started = true;
        rescan();
        if (client) {
            refreshing = refresher.scheduleWithFixedDelay(this::refreshClientTargets, CLIENT_REFRESH_MILLIS,
                CLIENT_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Drops the subscription and the copies (the cluster turned inactive, or the node stops). */
    public synchronized void stop() {
        started = false;
        if (refreshing != null)
            refreshing.cancel(false);
        refreshing = null;
        if (catalogPushes != null) {
            try {
                catalogPushes.close();
            }
            catch (RuntimeException ignored) {
                // The cache is gone already (cluster deactivated or node stopping).
            }
        }
        catalogPushes = null;
        metas.clear();
        clientTargets.clear();
    }

    /** Stops for good (the node is stopping). */
    public void close() {
        stop();
        refresher.shutdownNow();
    }

    /** Re-reads the whole catalog (the node's upkeep, every routing refresh interval). */
    public void rescan() {
        if (!started)
            return;
        Map<String, CollectionMeta> scanned = new HashMap<>();
        try {
            IgniteCache<String, CollectionMeta> c = metaStore.collections();
            Iterable<Cache.Entry<String, CollectionMeta>> entries = client ?
                c.query(new ScanQuery<String, CollectionMeta>()).getAll() : c.localEntries(CachePeekMode.ALL);
            for (Cache.Entry<String, CollectionMeta> e : entries)
                scanned.put(e.getKey(), e.getValue());
        }
        catch (RuntimeException e) {
            log.warning("Failed to read the catalog, keeping the router's copy: " + e);
            return;
        }
        metas.keySet().retainAll(scanned.keySet());
        scanned.forEach((name, m) -> metas.merge(name, m, (old, cur) -> newer(cur, old)));
    }

    /**
     * @return the collection's metadata: the pushed copy if it serves (READY or RESHAPING), else as the catalog has it
     *      now; {@code null} if there is no such collection.
     */
    public CollectionMeta meta(String name) {
        CollectionMeta m = name == null ? null : metas.get(name);
        if (m != null && (m.state() == CollectionState.READY || m.state() == CollectionState.RESHAPING))
            return m;
        return metaStore.meta(name);
    }

    /**
     * @return the collection's target: read locally on a server; on a thick client, the last one refreshed.
     * @throws CollectionNotFoundException if the collection's caches are gone (dropped).
     */
    public CollectionTarget target(CollectionMeta meta) {
        if (client) {
            CollectionTarget t = clientTargets.get(meta.stateCache());
            if (t != null)
                return t;
        }
        if (ignite.cache(meta.stateCache()) == null)
            throw new CollectionNotFoundException(meta.name());
        return targetCache.target(meta);
    }

    /** A thick client re-reads the targets of the collections it knows and forgets those of collections gone. */
    private void refreshClientTargets() {
        Set<String> known = new HashSet<>();
        for (CollectionMeta m : metas.values()) {
            known.add(m.stateCache());
            try {
                if (ignite.cache(m.stateCache()) != null)
                    clientTargets.put(m.stateCache(), targetCache.target(m));
                else
                    clientTargets.remove(m.stateCache());
            }
            catch (RuntimeException e) {
                clientTargets.remove(m.stateCache()); // Dropped meanwhile: a search reads it itself and says so.
            }
        }
        clientTargets.keySet().retainAll(known);
    }

    private static CollectionMeta newer(CollectionMeta old, CollectionMeta cur) {
        return old.cid().equals(cur.cid()) && old.version() > cur.version() ? old : cur;
    }
}
