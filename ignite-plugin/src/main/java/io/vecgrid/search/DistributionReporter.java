package io.vecgrid.search;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.metrics.VecgridMetrics;
import io.vecgrid.segment.SegmentStore;
import io.vecgrid.shard.LocalPartitions;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cluster.ClusterNode;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes this node's {@link NodeDistribution} into the distribution cache: the only writer of its own entry. It
 * publishes when what the node serves changed, and at every routing refresh interval (load figures). The oldest
 * server also removes the reports of nodes that left.
 *
 * <p>Thread-safety: called from the node's maintenance thread only.
 */
public final class DistributionReporter {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final SegmentStore store;
    private final VecgridMetrics metrics;
    private final SearchStats stats;
    private final AtomicLong version = new AtomicLong();
    private Map<String, List<Long>> lastSegments = new HashMap<>();
    private Map<String, List<Integer>> lastShards = new HashMap<>();
    private long lastPublishNanos;

    public DistributionReporter(Ignite ignite, MetaStore metaStore, SegmentStore store, VecgridMetrics metrics,
        SearchStats stats) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.store = store;
        this.metrics = metrics;
        this.stats = stats;
    }

    /**
     * Publishes if what this node serves changed, or if {@code periodNanos} passed since the last publication.
     *
     * @return {@code true} if it published.
     */
    public boolean publishIfNeeded(long periodNanos) {
        Map<String, List<Long>> segs = new HashMap<>();
        Map<String, List<Integer>> shards = new HashMap<>();
        for (CollectionMeta meta : metaStore.servingGenerations()) {
            if (ignite.cache(meta.rowsCache()) == null)
                continue;
            segs.put(meta.segmentsCache(), store.serviceable(meta));
            List<Integer> own = new ArrayList<>();
            for (int s = 0; s < meta.spec().shards(); s++) {
                if (LocalPartitions.owning(ignite, meta.rowsCache(), s) != null)
                    own.add(s);
            }
            shards.put(meta.rowsCache(), own);
        }
        boolean changed = !segs.equals(lastSegments) || !shards.equals(lastShards);
        if (!changed && System.nanoTime() - lastPublishNanos < periodNanos)
            return false;
        Map<String, long[]> segArr = new HashMap<>();
        segs.forEach((k, v) -> segArr.put(k, v.stream().mapToLong(Long::longValue).toArray()));
        Map<String, int[]> shardArr = new HashMap<>();
        shards.forEach((k, v) -> shardArr.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        UUID id = ignite.cluster().localNode().id();
        cache().put(id, new NodeDistribution(id, version.incrementAndGet(), segArr, shardArr, metrics.inFlightJobs(),
            stats.latencyMicros()));
        lastSegments = segs;
        lastShards = shards;
        lastPublishNanos = System.nanoTime();
        removeDeparted();
        return true;
    }

    private IgniteCache<UUID, NodeDistribution> cache() {
        return ignite.cache(MetaStore.DISTRIBUTION_CACHE);
    }

    /** The oldest server removes the reports of nodes no longer in the topology. */
    private void removeDeparted() {
        ClusterNode oldest = ignite.cluster().forServers().forOldest().node();
        if (oldest == null || !oldest.isLocal())
            return;
        Set<UUID> alive = new HashSet<>();
        for (ClusterNode n : ignite.cluster().nodes())
            alive.add(n.id());
        Set<UUID> gone = new HashSet<>();
        for (Cache.Entry<UUID, NodeDistribution> e : cache().localEntries(CachePeekMode.ALL)) {
            if (!alive.contains(e.getKey()))
                gone.add(e.getKey());
        }
        if (!gone.isEmpty())
            cache().removeAll(gone);
    }
}
