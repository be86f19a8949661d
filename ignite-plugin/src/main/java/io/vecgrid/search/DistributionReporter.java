package io.vecgrid.search;

import io.vecgrid.cluster.DiskSpace;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.segment.LoadedSegment;
import io.vecgrid.segment.SegmentStore;
import io.vecgrid.shard.GrowingRegistry;
import io.vecgrid.shard.ShardRows;
import io.vecgrid.shard.LocalPartitions;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cluster.ClusterNode;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes this node's {@link NodeDistribution} into the distribution cache: the only writer of its own entry. It
 * publishes at once when what the node serves changed (segment copies, OWNING shards), a shard's growing rows reached
 * the seal threshold, the node went short of disk or began to drain (a graceful stop); when only its figures moved (growing and live row counts, free
 * disk space) at most once per routing refresh interval; and when nothing changed, not at all, so an idle cluster
 * writes no reports and routers rebuild nothing. The oldest server also removes the reports of nodes that left.
 *
 * <p>Thread-safety: called from the node's maintenance thread only.
 */
public final class DistributionReporter {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final SegmentStore store;
    private final AtomicLong version = new AtomicLong();
    private Map<String, List<Long>> lastSegments = new HashMap<>();
    private Map<String, List<Integer>> lastShards = new HashMap<>();
    private long lastPublishNanos;
    private final GrowingRegistry growing;
    private final int sealRows;
    private final Map<String, Integer> lastGrowing = new HashMap<>();
    private final long minFreeDiskBytes;
    private boolean lastLowOnDisk;
    private final java.util.function.BooleanSupplier draining;
    private boolean lastDraining;
    /** Figures of the last publication: live and growing row counts, free disk in 64 MiB steps. */
    private Map<String, List<Integer>> lastFigures = new HashMap<>();
    private long lastFreeSteps = Long.MIN_VALUE;

    public DistributionReporter(Ignite ignite, MetaStore metaStore, SegmentStore store, GrowingRegistry growing,
        int sealRows, long minFreeDiskBytes, java.util.function.BooleanSupplier draining) {
        this.draining = draining;
        this.ignite = ignite;
        this.minFreeDiskBytes = minFreeDiskBytes;
        this.growing = growing;
        this.sealRows = sealRows;
        this.metaStore = metaStore;
        this.store = store;
    }

    /**
     * Publishes if what this node serves changed, or if its figures changed and {@code periodNanos} passed since the
     * last publication.
     *
     * @return {@code true} if it published.
     */
    public boolean publishIfNeeded(long periodNanos) {
        Map<String, List<Long>> segs = new HashMap<>();
        Map<String, int[]> live = new HashMap<>();
        Map<String, List<Integer>> shards = new HashMap<>();
        Map<String, int[]> growingRows = new HashMap<>();
        boolean crossed = false;
        for (CollectionMeta meta : metaStore.servingGenerations()) {
            if (ignite.cache(meta.rowsCache()) == null)
                continue;
            List<Long> ids = store.serviceable(meta);
            segs.put(meta.segmentsCache(), ids);
            int[] liveCounts = new int[ids.size()];
            for (int i = 0; i < liveCounts.length; i++) {
                LoadedSegment s = store.get(meta, ids.get(i));
                liveCounts[i] = s == null ? 0 : s.liveRows();
            }
            live.put(meta.segmentsCache(), liveCounts);
            List<Integer> own = new ArrayList<>();
            List<Integer> grow = new ArrayList<>();
            for (int s = 0; s < meta.spec().shards(); s++) {
                if (LocalPartitions.owning(ignite, meta.rowsCache(), s) != null) {
                    own.add(s);
                    ShardRows rows = growing.rows(meta.name(), meta.rowsCache(), meta.spec().vectorField(),
                        CollectionCaches.scalarNames(meta), s);
                    int n = rows == null ? 0 : rows.growingCount();
                    grow.add(n);
                    Integer before = lastGrowing.get(meta.rowsCache() + '#' + s);
                    if (n >= sealRows && (before == null || before < sealRows))
                        crossed = true;
                    lastGrowing.put(meta.rowsCache() + '#' + s, n);
                }
            }
            shards.put(meta.rowsCache(), own);
            growingRows.put(meta.rowsCache(), grow.stream().mapToInt(Integer::intValue).toArray());
        }
        DiskSpace.Free free = DiskSpace.free(ignite);
        boolean lowOnDisk = free != null && minFreeDiskBytes > 0 && free.bytes < minFreeDiskBytes;
        boolean drainingNow = draining.getAsBoolean();
        boolean changed = crossed || drainingNow != lastDraining || lowOnDisk != lastLowOnDisk || !segs.equals(lastSegments) || !shards.equals(lastShards);
        if (!changed && lastPublishNanos != 0) {
            // The report cache is ATOMIC: across a node's loss and a restarted node's rebalance an entry can be lost
            // or come back older. Reports go out only on change, so a lost one would never come back: check ours
            // (the cache is replicated, so this is a local read) and publish again if it is not the last one sent.
            NodeDistribution mine = cache().localPeek(ignite.cluster().localNode().id(), CachePeekMode.PRIMARY,
                CachePeekMode.BACKUP);
            changed = mine == null || mine.version() != version.get();
        }
        Map<String, List<Integer>> figures = new HashMap<>();
        live.forEach((k, v) -> figures.put(k, Arrays.stream(v).boxed().toList()));
        growingRows.forEach((k, v) -> figures.put(k, Arrays.stream(v).boxed().toList()));
        long freeSteps = free == null ? -1 : free.bytes >> 26;
        boolean moved = freeSteps != lastFreeSteps || !figures.equals(lastFigures);
        if (!changed && (!moved || System.nanoTime() - lastPublishNanos < periodNanos))
            return false;
        Map<String, long[]> segArr = new HashMap<>();
        segs.forEach((k, v) -> segArr.put(k, v.stream().mapToLong(Long::longValue).toArray()));
        Map<String, int[]> shardArr = new HashMap<>();
        shards.forEach((k, v) -> shardArr.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        UUID id = ignite.cluster().localNode().id();
        cache().put(id, new NodeDistribution(id, version.incrementAndGet(), segArr, live, shardArr, growingRows,
            String.valueOf(ignite.cluster().localNode().consistentId()),
            free == null ? -1 : free.bytes, free == null ? null : free.dir, drainingNow));
        lastDraining = drainingNow;
        lastLowOnDisk = lowOnDisk;
        lastSegments = segs;
        lastShards = shards;
        lastFigures = figures;
        lastFreeSteps = freeSteps;
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
