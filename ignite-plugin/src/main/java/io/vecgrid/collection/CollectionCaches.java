package io.vecgrid.collection;

import io.vecgrid.api.ScalarField;
import io.vecgrid.placement.ReplicaGroupAffinityFunction;
import io.vecgrid.segment.DeletesInterceptor;
import io.vecgrid.segment.SegmentsInterceptor;
import io.vecgrid.shard.RowsInterceptor;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheRebalanceMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.PartitionLossPolicy;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;

import java.util.List;

/**
 * Cache layouts of one generation of a collection's data. Every cache places data with
 * {@link ReplicaGroupAffinityFunction}, keeps {@code replicaNumber - 1} backups and writes {@code FULL_SYNC}, so an
 * acknowledged write is on every replica.
 * <ul>
 *   <li>rows: the growing rows, whole, one partition per shard (affinity key = shard); every owner of a shard's
 *   partition holds the shard's growing rows and can lead the shard. A row leaves once the segment that seals it is
 *   served.</li>
 *   <li>locs: one small entry per live row (version, the segment holding it, scalar fields), spread over
 *   {@code rowPartitions} partitions by a hash of the primary key: the row index, and the collection's SQL table.</li>
 *   <li>segments and deletes: one cache group, one partition per affinity slot, in the segments data region; a
 *   segment's chunks and the delete marks of its rows have the same owners.</li>
 * </ul>
 * Lost partitions fail reads and writes ({@code READ_WRITE_SAFE}) rather than answer without them.
 */
public final class CollectionCaches {
    private CollectionCaches() {
    }

    /**
     * @param segmentsRegion data region of the segments group, or {@code null} for the default region.
     * @return the configurations of the collection's data caches: rows, locs, segments, deletes.
     */
    @SuppressWarnings("rawtypes")
    public static List<CacheConfiguration> configurations(CollectionMeta meta, String segmentsRegion) {
        int backups = meta.spec().replicas() - 1;

        CacheConfiguration<Object, Object> rows = base(meta.rowsCache(), backups, meta.spec().shards());
        rows.setInterceptor(new RowsInterceptor(meta.rowsCache(), meta.spec().vectorField(), scalarNames(meta)));

        CacheConfiguration<Object, Object> locs = base(meta.locsCache(), backups, meta.rowPartitions());
        ((ReplicaGroupAffinityFunction)locs.getAffinity()).setMixKeys(true);
        locs.setInterceptor(new io.vecgrid.shard.LocsInterceptor(meta.locsCache()));
        io.vecgrid.sql.CollectionTables.configure(locs, meta);

        CacheConfiguration<Object, Object> segments = base(meta.segmentsCache(), backups, meta.segmentSlots());
        segments.setGroupName(meta.segmentGroup());
        segments.setDataRegionName(segmentsRegion);
        segments.setInterceptor(new SegmentsInterceptor(meta.segmentsCache()));

        CacheConfiguration<Object, Object> deletes = base(meta.deletesCache(), backups, meta.segmentSlots());
        deletes.setGroupName(meta.segmentGroup());
        deletes.setDataRegionName(segmentsRegion);
        deletes.setInterceptor(new DeletesInterceptor(meta.segmentsCache()));

        return List.of(rows, locs, segments, deletes);
    }

    /** @return names of the collection's data caches of this generation. */
    public static List<String> names(CollectionMeta meta) {
        return List.of(meta.rowsCache(), meta.locsCache(), meta.segmentsCache(), meta.deletesCache());
    }

    /** How long a cache start or stop waits for a cluster state change in progress to end, ms. */
    private static final long STATE_CHANGE_WAIT_MILLIS = 60_000;

    /**
     * Runs a start or stop of caches, waiting while Ignite refuses it because a change of the cluster's state or
     * baseline is in progress ("cluster state change is in progress": e.g. the baseline keeper taking in a node that
     * just joined). Such a change takes moments, so a create, drop or replica change waits for it instead of failing.
     */
    public static void changeCaches(Runnable op) {
        long deadline = System.nanoTime() + STATE_CHANGE_WAIT_MILLIS * 1_000_000L;
        for (int attempt = 1; ; attempt++) {
            try {
                op.run();
                return;
            }
            catch (RuntimeException e) {
                if (!stateChangeInProgress(e) || System.nanoTime() > deadline)
                    throw e;
            }
            try {
                Thread.sleep(Math.min(1_000, 50L * attempt));
            }
            catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new org.apache.ignite.IgniteInterruptedException("interrupted while waiting for a cluster state change to end");
            }
        }
    }

    private static boolean stateChangeInProgress(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("cluster state change is in progress"))
                return true;
        }
        return false;
    }

    /**
     * @return the data region for segments on this node: {@code configured} if the node has a region of that name,
     *      else {@code null} (the default region).
     */
    public static String segmentsRegion(Ignite ignite, String configured) {
        DataStorageConfiguration ds = ignite.configuration().getDataStorageConfiguration();
        if (configured == null || ds == null || ds.getDataRegionConfigurations() == null)
            return null;
        for (DataRegionConfiguration r : ds.getDataRegionConfigurations()) {
            if (configured.equals(r.getName()))
                return configured;
        }
        return null;
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
