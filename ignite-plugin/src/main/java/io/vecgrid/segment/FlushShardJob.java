package io.vecgrid.segment;

import io.vecgrid.Vecgrid;
import io.vecgrid.collection.CollectionMeta;
import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Runs on a shard's primary (sent with {@code affinityCall}, which pins the partition there): seals all growing rows. */
public final class FlushShardJob implements IgniteCallable<Integer> {
    private static final long serialVersionUID = 1L;

    private final String collection;
    private final int shard;

    @IgniteInstanceResource
    private transient Ignite ignite;

    public FlushShardJob(String collection, int shard) {
        this.collection = collection;
        this.shard = shard;
    }

    @Override public Integer call() {
        Vecgrid vg = Vecgrid.local(ignite);
        CollectionMeta meta = vg.metaStore().requireReady(collection);
        return vg.sealer().sealAll(meta, shard);
    }
}
