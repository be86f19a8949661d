package io.vecgrid.segment;

import io.vecgrid.Vecgrid;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheInterceptorAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import javax.cache.Cache;

/**
 * Tells this node's {@link SegmentStore} when a chunk of a sealed segment arrives in (or leaves) a segments cache
 * partition it holds, on primary and backups alike (the store loads the segment once all its chunks are there) (the cache is TRANSACTIONAL; see {@code RowsInterceptor}). Loading happens on
 * the store's own threads, never here. Entries that arrive by rebalancing do not pass here: the store's sweep finds
 * them.
 */
public final class SegmentsInterceptor extends CacheInterceptorAdapter<Object, Object> {
    private static final long serialVersionUID = 1L;

    private final String segmentsCache;

    @IgniteInstanceResource
    private transient Ignite ignite;

    public SegmentsInterceptor(String segmentsCache) {
        this.segmentsCache = segmentsCache;
    }

    @Override public void onAfterPut(Cache.Entry<Object, Object> entry) {
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        if (vg != null)
            vg.segments().onPut(segmentsCache, segmentId(entry.getKey()), slot(entry.getKey()));
    }

    /**
     * Chunk 0's removal retires the segment (a removal drops chunk 0 first); the other chunks also leave when the
     * segment's chunks are released after every owner loaded it ({@link SegmentStorage#release}), which is no retirement.
     */
    @Override public void onAfterRemove(Cache.Entry<Object, Object> entry) {
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        ChunkKey k = ChunkKey.from(entry.getKey());
        if (vg != null && k.chunk() == 0)
            vg.segments().onRemove(segmentsCache, k.segmentId());
    }

    static long segmentId(Object key) {
        return ChunkKey.from(key).segmentId();
    }

    static int slot(Object key) {
        return ChunkKey.from(key).slot();
    }
}
