package io.vecgrid.collection;

import io.vecgrid.api.ScalarField;
import io.vecgrid.placement.ReplicaGroupAffinityFunction;
import io.vecgrid.segment.DeletesInterceptor;
import io.vecgrid.segment.SegmentsInterceptor;
import io.vecgrid.shard.RowsInterceptor;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheRebalanceMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.PartitionLossPolicy;
import org.apache.ignite.configuration.CacheConfiguration;

import java.util.List;

/**
 * Cache layouts of one collection. All three caches place data with {@link ReplicaGroupAffinityFunction}, keep
 * {@code replicaNumber - 1} backups and write {@code FULL_SYNC}, so an acknowledged write is on every replica.
 * <ul>
 *   <li>rows: one partition per shard (affinity key = shard); every owner of a shard's partition holds the shard's
 *   rows and serves its growing data.</li>
 *   <li>segments and deletes: one cache group, one partition per affinity slot; a segment and the delete marks of
 *   its rows have the same owners.</li>
 * </ul>
 * Lost partitions fail reads and writes ({@code READ_WRITE_SAFE}) rather than answer without them.
 */
public final class CollectionCaches {
    private CollectionCaches() {
    }

    /** @return the configurations of the collection's caches: rows, segments, deletes. */
    @SuppressWarnings("rawtypes")
    public static List<CacheConfiguration> configurations(CollectionMeta meta) {
        int backups = meta.spec().replicas() - 1;

        CacheConfiguration<Object, Object> rows = base(meta.rowsCache(), backups, meta.spec().shards());
        rows.setInterceptor(new RowsInterceptor(meta.rowsCache(), meta.spec().vectorField(), scalarNames(meta)));
        io.vecgrid.sql.CollectionTables.configure(rows, meta);

        CacheConfiguration<Object, Object> segments = base(meta.segmentsCache(), backups, meta.segmentSlots());
        segments.setGroupName(meta.segmentGroup());
        segments.setInterceptor(new SegmentsInterceptor(meta.segmentsCache()));

        CacheConfiguration<Object, Object> deletes = base(meta.deletesCache(), backups, meta.segmentSlots());
        deletes.setGroupName(meta.segmentGroup());
        deletes.setInterceptor(new DeletesInterceptor(meta.segmentsCache()));

        return List.of(rows, segments, deletes);
    }

    /** @return names of the scalar fields in the spec's order. */
    public static String[] scalarNames(CollectionMeta meta) {
        return meta.spec().scalarFields().stream().map(ScalarField::name).toArray(String[]::new);
    }

    private static CacheConfiguration<Object, Object> base(String name, int backups, int partitions) {
        CacheConfiguration<Object, Object> c = new CacheConfiguration<>(name);
        c.setCacheMode(CacheMode.PARTITIONED);
        c.setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL);
        c.setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        c.setBackups(backups);
        c.setAffinity(new ReplicaGroupAffinityFunction(partitions));
        c.setPartitionLossPolicy(PartitionLossPolicy.READ_WRITE_SAFE);
        c.setRebalanceMode(CacheRebalanceMode.ASYNC);
        c.setReadFromBackup(true);
        return c;
    }
}
