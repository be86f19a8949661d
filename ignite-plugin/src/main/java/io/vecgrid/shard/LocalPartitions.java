package io.vecgrid.shard;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteException;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.cache.GridCacheAdapter;
import org.apache.ignite.internal.processors.cache.GridCacheContext;
import org.apache.ignite.internal.processors.cache.persistence.CacheDataRow;
import org.apache.ignite.internal.processors.cache.persistence.CacheDataRowAdapter;
import org.apache.ignite.internal.util.lang.GridCursor;
import org.apache.ignite.internal.processors.cache.distributed.dht.topology.GridDhtLocalPartition;
import org.apache.ignite.internal.processors.cache.distributed.dht.topology.GridDhtPartitionState;

import java.util.ArrayList;
import java.util.List;

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

    /**
     * @return the keys of the cache's entries in this node's copy of the partition (in binary form when the key is a
     *      binary object), read without their values; {@code null} if this node does not hold the partition OWNING.
     *      A scan query reads every entry whole (its value too, from disk with persistence, a page of rows at a time
     *      held on the heap), which for segment chunks of megabytes each costs a partition's worth of reads and
     *      heap for a list of keys; the partition's B+ tree reads keys alone.
     */
    public static List<Object> keys(Ignite ignite, String cache, int partition) {
        GridDhtLocalPartition part = (GridDhtLocalPartition)owning(ignite, cache, partition);
        if (part == null || !part.reserve())
            return null;
        try {
            GridCacheContext<Object, Object> cctx = ((IgniteEx)ignite).context().cache().internalCache(cache).context();
            List<Object> res = new ArrayList<>();
            GridCursor<? extends CacheDataRow> cur = part.dataStore().cursor(cctx.cacheId(), null, null,
                CacheDataRowAdapter.RowData.KEY_ONLY);
            while (cur.next())
                res.add(cur.get().key().value(cctx.cacheObjectContext(), false));
            return res;
        }
        catch (IgniteCheckedException e) {
            throw new IgniteException("cannot read the keys of partition " + partition + " of " + cache, e);
        }
        finally {
            part.release();
        }
    }
}
