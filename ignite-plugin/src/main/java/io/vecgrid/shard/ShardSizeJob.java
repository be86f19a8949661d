package io.vecgrid.shard;

import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Counts one shard's rows on the node that holds its partition (sent with {@code affinityCall}, which reserves the
 * partition there). A distributed {@code sizeLong(PRIMARY)} can miss a partition while primaries change after a node
 * leaves; this cannot.
 */
final class ShardSizeJob implements IgniteCallable<Long> {
    private static final long serialVersionUID = 1L;

    private final String cache;
    private final int shard;

    @IgniteInstanceResource
    private transient Ignite ignite;

    ShardSizeJob(String cache, int shard) {
        this.cache = cache;
        this.shard = shard;
    }

    @Override public Long call() {
        return ignite.cache(cache).localSizeLong(shard, CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
    }
}
