package io.vecgrid.segment;

import io.vecgrid.Vecgrid;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheInterceptorAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import javax.cache.Cache;

/**
 * Applies a delete mark to this node's loaded copy of the segment, on every node holding the segment (the deletes
 * cache shares the segments cache's group, and is TRANSACTIONAL so this runs on backups too, before the delete is
 * acknowledged).
 */
public final class DeletesInterceptor extends CacheInterceptorAdapter<Object, Object> {
    private static final long serialVersionUID = 1L;

    private final String segmentsCache;

    @IgniteInstanceResource
    private transient Ignite ignite;

    /** @param segmentsCache name of the segments cache whose rows the marks delete. */
    public DeletesInterceptor(String segmentsCache) {
        this.segmentsCache = segmentsCache;
    }

    @Override public void onAfterPut(Cache.Entry<Object, Object> entry) {
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        if (vg == null)
            return;
        DeleteKey key = DeleteKey.from(entry.getKey());
        vg.segments().onDelete(segmentsCache, key.segmentId(), key.pk());
    }
}
