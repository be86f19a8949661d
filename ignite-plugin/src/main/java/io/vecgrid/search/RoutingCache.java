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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's routing cache: a {@link RoutingTable} built from the distribution reports of live nodes. Refreshed
 * periodically (the node's maintenance thread), pushed on change (a continuous query on the distribution cache marks
 * it stale), and refreshed at once by a router that met a routing error.
 *
 * <p>Thread-safety: thread-safe; readers get an immutable table.
 */
public final class RoutingCache {
    private final Ignite ignite;
    private final IgniteLogger log;
    private volatile RoutingTable table = RoutingTable.EMPTY;
    private final AtomicBoolean stale = new AtomicBoolean(true);
    private final AtomicLong generation = new AtomicLong();
    private QueryCursor<?> pushes;

    public RoutingCache(Ignite ignite) {
        this.ignite = ignite;
        this.log = ignite.log().getLogger(RoutingCache.class);
    }

    /** Subscribes to changes of the distribution reports. */
    public synchronized void start() {
        stop();
        stale.set(true);
        ContinuousQuery<UUID, NodeDistribution> q = new ContinuousQuery<>();
        q.setLocalListener(evts -> stale.set(true));
        IgniteCache<UUID, NodeDistribution> c = ignite.cache(MetaStore.DISTRIBUTION_CACHE);
        pushes = c.query(q);
    }

    public synchronized void stop() {
        if (pushes != null) {
            try {
                pushes.close();
            }
            catch (RuntimeException ignored) {
                // The cache is already gone (cluster deactivated or node stopping).
            }
            pushes = null;
        }
    }

    /** @return the current table, rebuilt first if a change was pushed since it was built. */
    public RoutingTable table() {
        if (stale.get())
            refresh();
        return table;
    }

    /** Rebuilds the table from the distribution cache now. */
    public synchronized RoutingTable refresh() {
        stale.set(false);
        Set<UUID> alive = new HashSet<>();
        for (ClusterNode n : ignite.cluster().forServers().nodes())
            alive.add(n.id());
        List<NodeDistribution> reports = new ArrayList<>();
        IgniteCache<UUID, NodeDistribution> c = ignite.cache(MetaStore.DISTRIBUTION_CACHE);
        try {
            Iterable<Cache.Entry<UUID, NodeDistribution>> entries = ignite.cluster().localNode().isClient() ?
                c.query(new ScanQuery<UUID, NodeDistribution>()).getAll() : c.localEntries(CachePeekMode.ALL);
            for (Cache.Entry<UUID, NodeDistribution> e : entries) {
                if (alive.contains(e.getKey()))
                    reports.add(e.getValue());
            }
        }
        catch (RuntimeException e) {
            log.warning("Failed to read distribution reports, keeping the previous routing table: " + e);
            stale.set(true);
            return table;
        }
        table = new RoutingTable(reports, generation.incrementAndGet());
        return table;
    }

    /** Marks the table stale so that the next read rebuilds it. */
    public void invalidate() {
        stale.set(true);
    }
}
