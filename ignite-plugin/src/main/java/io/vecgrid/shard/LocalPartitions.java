package io.vecgrid.shard;

import org.apache.ignite.Ignite;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.cache.GridCacheAdapter;
import org.apache.ignite.internal.processors.cache.distributed.dht.topology.GridDhtLocalPartition;
import org.apache.ignite.internal.processors.cache.distributed.dht.topology.GridDhtPartitionState;

/**
 * What this node holds of a cache partition. Ignite has no public API for a partition's local state, so this reads
 * Ignite's internal partition topology; it is the only place in vecgrid that does.
 */
public final class LocalPartitions {
    private LocalPartitions() {
    }

    /**
     * @return a counter of the updates applied to the local partition if this node holds it OWNING, else -1 (for a
     *      partition of a cache group, updates of every cache of the group count).
     */
    public static long updateCounter(Ignite ignite, String cache, int partition) {
        Object part = owning(ignite, cache, partition);
        return part == null ? -1 : ((GridDhtLocalPartition)part).updateCounter();
    }

    /** @return the local partition object if this node holds the partition in state OWNING, else {@code null}. */
    public static Object owning(Ignite ignite, String cache, int partition) {
        GridCacheAdapter<Object, Object> c = ((IgniteEx)ignite).context().cache().internalCache(cache);
        if (c == null)
            return null;
        GridDhtLocalPartition part;
        try {
            part = c.context().topology().localPartition(partition);
        }
        catch (RuntimeException e) {
            return null;
        }
        return part != null && part.state() == GridDhtPartitionState.OWNING ? part : null;
    }
}
