package io.vecgrid.shard;

import io.vecgrid.Vecgrid;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheInterceptorAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import javax.cache.Cache;

/**
 * Feeds every committed change of a rows cache into the local {@link ShardRows} of the node applying it.
 *
 * <p>Checked on Ignite 2.17: for a TRANSACTIONAL cache, {@code onAfterPut}/{@code onAfterRemove} run on the primary
 * and on every backup, inside the commit and before the writer is acknowledged (for ATOMIC caches only on the
 * primary, which is one reason the rows cache is transactional). So once a write returns, every replica's growing
 * rows already hold it. The work done here is small: decode the row and put it in a map.
 */
public final class RowsInterceptor extends CacheInterceptorAdapter<Object, Object> {
    private static final long serialVersionUID = 1L;

    private final String cacheName;
    private final String vectorField;
    private final String[] scalarFields;

    @IgniteInstanceResource
    private transient Ignite ignite;

    public RowsInterceptor(String cacheName, String vectorField, String[] scalarFields) {
        this.cacheName = cacheName;
        this.vectorField = vectorField;
        this.scalarFields = scalarFields.clone();
    }

    /**
     * Cancels a write that did not come from vecgrid's write path: it would bypass validation, versions and delete
     * marks. Such writes are refused before they get here ({@link io.vecgrid.collection.CacheWriteGuard}, in Ignite's
     * security hook); this stays as a second line for any path that hook does not see. See {@link #guard}.
     */
    @Override public Object onBeforePut(Cache.Entry<Object, Object> entry, Object newVal) {
        return guard(ignite, cacheName, entry, newVal);
    }

    /**
     * @return {@code newVal} if it carries vecgrid's bookkeeping, else {@code null} (the write is dropped). The
     *      interceptor runs inside the commit, where an exception is a heuristic failure that stops the node (checked
     *      on 2.17), so a foreign write is dropped with a warning instead.
     */
    static Object guard(Ignite ignite, String cacheName, Cache.Entry<Object, Object> entry, Object newVal) {
        if (newVal instanceof BinaryObject && ((BinaryObject)newVal).hasField(RowCodec.VERSION))
            return newVal;
        if (ignite != null) {
            ignite.log().getLogger(RowsInterceptor.class).warning("Ignored a write to " + cacheName + " that did not " +
                "come from vecgrid (key " + entry.getKey() + "): collection rows are written only through vecgrid's " +
                "insert, upsert and delete (SQL INSERT, MERGE, UPDATE and DELETE use them); a write around them is " +
                "dropped");
        }
        return null;
    }

    @Override public void onAfterPut(Cache.Entry<Object, Object> entry) {
        GrowingRegistry reg = registry();
        if (reg == null)
            return;
        Object key = entry.getKey();
        reg.onPut(cacheName, shardOf(key), decode(WritePath.pkOf(key), (BinaryObject)entry.getValue()));
    }

    @Override public void onAfterRemove(Cache.Entry<Object, Object> entry) {
        GrowingRegistry reg = registry();
        if (reg == null)
            return;
        Object key = entry.getKey();
        reg.onRemove(cacheName, shardOf(key), WritePath.pkOf(key));
    }

    private GrowingRegistry registry() {
        Vecgrid vg = Vecgrid.localOrNull(ignite);
        return vg == null ? null : vg.growing();
    }

    /** @return a row decoded from its stored form. */
    GrowingRow decode(long pk, BinaryObject row) {
        Object[] scalars = new Object[scalarFields.length];
        for (int i = 0; i < scalars.length; i++)
            scalars[i] = row.field(scalarFields[i]);
        return new GrowingRow(pk, RowCodec.version(row), RowCodec.segment(row), row.field(vectorField), scalars);
    }

    static int shardOf(Object key) {
        return RowKey.from(key).shard();
    }
}
