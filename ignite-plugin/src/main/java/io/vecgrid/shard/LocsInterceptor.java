package io.vecgrid.shard;

import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheInterceptorAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import javax.cache.Cache;

/**
 * Keeps the locations cache (also the collection's SQL table) written by vecgrid only: a put without vecgrid's
 * bookkeeping is dropped with a warning. On a cluster with authentication, writes that do not come from vecgrid are
 * refused before they get here ({@link io.vecgrid.collection.CacheWriteGuard}) and this is a second line; without
 * authentication it is the only one. SQL DML never gets here: vecgrid's H2 indexing
 * ({@code io.vecgrid.sql.VecgridH2Indexing}) carries it out through the write path. Its class also tells that
 * indexing which tables are collection tables.
 */
public final class LocsInterceptor extends CacheInterceptorAdapter<Object, Object> {
    private static final long serialVersionUID = 1L;

    private final String cacheName;

    @IgniteInstanceResource
    private transient Ignite ignite;

    public LocsInterceptor(String cacheName) {
        this.cacheName = cacheName;
    }

    @Override public Object onBeforePut(Cache.Entry<Object, Object> entry, Object newVal) {
        return RowsInterceptor.guard(ignite, cacheName, entry, newVal);
    }
}
