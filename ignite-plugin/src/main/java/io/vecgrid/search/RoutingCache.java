package io.vecgrid.search;

import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's routing cache: a {@link RoutingTable} built from the distribution reports of live nodes, kept up to date
 * in the background and never rebuilt on the search path. A continuous query on the distribution cache pushes each
 * report a node publishes (nodes publish only when something changed); the pushed report replaces that node's entry in
 * a map of reports, and one background thread builds a new immutable table from the map (copy-on-write: readers keep
 * the table they got). Pushes that arrive while a build runs are folded into one more build. Nodes that left are
 * dropped at the next build; the node's upkeep rescans the cache every routing refresh interval as a safety net, and a
 * router that met a routing error (a copy that was not there) asks for a rescan at once.
 *
 * <p>Thread-safety: thread-safe; readers get an immutable table.
 */
public final class RoutingCache {
    private final Ignite ignite;
    private final IgniteLogger log;
    private volatile RoutingTable table = RoutingTable.EMPTY;
    /** Latest report of each node, as pushed or scanned. */
    private final ConcurrentHashMap<UUID, NodeDistribution> reports = new ConcurrentHashMap<>();
    private final AtomicBoolean rebuildQueued = new AtomicBoolean();
    private final AtomicLong generation = new AtomicLong();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vecgrid-routing");
        t.setDaemon(true);
        return t;
    });
    /** The subscription to report changes (guarded by this). */
    private QueryCursor<?> pushes;
    /** Closed for good (guarded by this). */
    private boolean closed;

    public RoutingCache(Ignite ignite) {
        this.ignite = ignite;
        this.log = ignite.log().getLogger(RoutingCache.class);
    }

    /**
     * Subscribes to changes of the distribution reports and builds the first table.
     *
     * <p>Registering the continuous query waits for a discovery round and has no time limit; it runs outside this
     * object's lock, so that {@link #stop()} and {@link #close()} never wait for it (a node stopping while a thick
     * client's registration hung in a test waited for it for good).
     */
    public void start() {
        stop();
        ContinuousQuery<UUID, NodeDistribution> q = new ContinuousQuery<>();
        q.setLocalListener(evts -> {
            for (CacheEntryEvent<? extends UUID, ? extends NodeDistribution> e : evts) {
                if (e.getEventType() == EventType.REMOVED || e.getValue() == null)
                    reports.remove(e.getKey());
                else
                    reports.merge(e.getKey(), e.getValue(), (old, cur) -> cur.version() >= old.version() ? cur : old);
            }
            rebuildSoon();
        });
        IgniteCache<UUID, NodeDistribution> c = ignite.cache(MetaStore.DISTRIBUTION_CACHE);
        QueryCursor<?> cur = c.query(q);
        QueryCursor<?> old;
        synchronized (this) {
            if (closed) {
                old = cur;
                cur = null;
            }
            else {
                old = pushes;
                pushes = cur;
            }
        }
        closeQuietly(old);
        if (cur != null)
            refresh();
    }

    public void stop() {
        QueryCursor<?> old;
        synchronized (this) {
            old = pushes;
            pushes = null;
        }
        closeQuietly(old);
    }

    private static void closeQuietly(QueryCursor<?> cur) {
        if (cur == null)
            return;
        try {
            cur.close();
        }
        catch (RuntimeException ignored) {
            // The cache is already gone (cluster deactivated or node stopping).
        }
    }

    /** Stops the background builder for good (the node is stopping). */
    public void close() {
        synchronized (this) {
            closed = true;
        }
        stop();
        builder.shutdownNow();
    }

    /** @return the current table (at most one background build behind the latest pushed report). */
    public RoutingTable table() {
        return table;
    }

    /** Rescans every report from the distribution cache and builds the table now (upkeep and routing errors). */
    public RoutingTable refresh() {
        Set<UUID> alive = alive();
        Map<UUID, NodeDistribution> scanned = new HashMap<>();
        IgniteCache<UUID, NodeDistribution> c = ignite.cache(MetaStore.DISTRIBUTION_CACHE);
        try {
            Iterable<Cache.Entry<UUID, NodeDistribution>> entries = ignite.cluster().localNode().isClient() ?
                c.query(new ScanQuery<UUID, NodeDistribution>()).getAll() : c.localEntries(CachePeekMode.ALL);
            for (Cache.Entry<UUID, NodeDistribution> e : entries) {
                if (alive.contains(e.getKey()))
                    scanned.put(e.getKey(), e.getValue());
            }
        }
        catch (RuntimeException e) {
            log.warning("Failed to read distribution reports, keeping the previous routing table: " + e);
            return table;
        }
        reports.keySet().retainAll(scanned.keySet());
        scanned.forEach((id, d) -> reports.merge(id, d, (old, cur) -> cur.version() >= old.version() ? cur : old));
        return build();
    }

    /** Asks for a background rebuild (a job met a node that left or a copy that was not there). */
    public void invalidate() {
        rebuildSoon();
    }

    private void rebuildSoon() {
        if (!rebuildQueued.compareAndSet(false, true))
            return;
        try {
            builder.execute(() -> {
                rebuildQueued.set(false);
                try {
                    build();
                }
                catch (RuntimeException e) {
                    log.warning("Failed to build the routing table: " + e);
                }
            });
        }
        catch (RejectedExecutionException e) {
            rebuildQueued.set(false); // Stopping.
        }
    }

    private synchronized RoutingTable build() {
        Set<UUID> alive = alive();
        List<NodeDistribution> live = new ArrayList<>();
        for (NodeDistribution d : reports.values()) {
            if (alive.contains(d.nodeId()))
                live.add(d);
        }
        table = new RoutingTable(live, generation.incrementAndGet());
        return table;
    }

    private Set<UUID> alive() {
        Set<UUID> alive = new HashSet<>();
        for (ClusterNode n : ignite.cluster().forServers().nodes())
            alive.add(n.id());
        return alive;
    }
}
