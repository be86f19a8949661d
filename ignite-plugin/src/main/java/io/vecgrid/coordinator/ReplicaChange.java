package io.vecgrid.coordinator;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionManager;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.segment.DeleteKey;
import io.vecgrid.shard.RowCodec;
import io.vecgrid.shard.WritePath;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.transactions.Transaction;

import javax.cache.Cache;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Changes the replica number of a loaded collection while it serves searches. Ignite cannot change the backups of a
 * cache, so the change builds a new generation of caches beside the old one:
 * <ol>
 *   <li>the collection turns RESHAPING (under the metadata lock, so no seal is half-way): writes wait, searches go on
 *   against the current caches;</li>
 *   <li>new rows, segments and deletes caches with {@code replicas - 1} backups are created and filled from the old
 *   ones; every owner loads the new segment copies;</li>
 *   <li>once every segment of the target has a serviceable copy in the new generation, the metadata switches to it
 *   atomically (READY), keeping the old generation as "retired" so that searches planned before the switch finish
 *   on it;</li>
 *   <li>after a grace period the old caches are destroyed.</li>
 * </ol>
 * A write whose commit overlapped the change is re-applied to the new generation by the writer before it is
 * acknowledged (see {@code WritePath}). On failure the collection returns to READY on its old caches.
 */
public final class ReplicaChange {
    /** How long the retired generation keeps serving searches planned before the switch, ms. */
    static final long RETIRE_GRACE_MILLIS = 3_000;
    private static final int COPY_BATCH = 1000;
    private static final long SERVICEABLE_TIMEOUT_MILLIS = 120_000;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final CollectionManager collections;
    private final RoutingCache routing;
    private final IgniteLogger log;

    public ReplicaChange(Ignite ignite, MetaStore metaStore, CollectionManager collections, RoutingCache routing) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.collections = collections;
        this.routing = routing;
        this.log = ignite.log().getLogger(ReplicaChange.class);
    }

    public CollectionDescription change(String name, int replicas) {
        int servers = ignite.cluster().forServers().nodes().size();
        if (replicas < 1 || replicas > servers) {
            throw new InvalidRequestException("replicaNumber must be in [1, " + servers + "] (the number of server nodes), got " +
                replicas);
        }
        CollectionMeta old = awaitRetired(name);
        if (old.spec().replicas() == replicas)
            return collections.describe(name);
        CollectionMeta next = old.nextGeneration(UUID.randomUUID().toString().substring(0, 8), replicas);
        CollectionMeta reshaping = old.reshapingTo(next);
        flip(old, CollectionState.READY, reshaping);
        try {
            ignite.getOrCreateCaches(CollectionCaches.configurations(next, collections.segmentsRegion()));
            copyRows(old.rowsCache(), next.rowsCache(), next, false);
            copyRows(old.locsCache(), next.locsCache(), next, true);
            CollectionTarget target = metaStore.target(name);
            copySegments(old, next);
            copyDeletes(old, next);
            awaitServiceable(next, target);
            flip(reshaping, CollectionState.RESHAPING, next);
        }
        catch (RuntimeException e) {
            log.error("Replica change of collection '" + name + "' failed, going back to " + old.spec().replicas() +
                " replicas", e);
            try {
                flip(reshaping, CollectionState.RESHAPING, old.withState(CollectionState.READY));
            }
            finally {
                ignite.destroyCaches(CollectionCaches.names(next));
            }
            throw e instanceof VecgridException ? e :
                new VecgridException("replica change of collection '" + name + "' failed: " + e.getMessage(), e);
        }
        log.info("Collection '" + name + "' now has " + replicas + " replicas (was " + old.spec().replicas() + ")");
        retireLater(old, next);
        return collections.describe(name);
    }

    /** @return the collection's READY metadata once a previous change has dropped its retired generation. */
    private CollectionMeta awaitRetired(String name) {
        long deadline = System.currentTimeMillis() + 10 * RETIRE_GRACE_MILLIS;
        while (true) {
            CollectionMeta m = metaStore.requireReady(name);
            if (m.retired() == null)
                return m;
            if (System.currentTimeMillis() > deadline)
                throw new VecgridException("collection '" + name + "' is still retiring its previous replica change; retry later");
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecgridException("interrupted", e);
            }
        }
    }

    /** Replaces the metadata if it is still in {@code expectState} on the same caches generation as {@code expect}. */
    private void flip(CollectionMeta expect, CollectionState expectState, CollectionMeta replacement) {
        try (Transaction tx = metaStore.txStart()) {
            CollectionMeta cur = metaStore.collections().get(expect.name());
            if (cur == null || !cur.uid().equals(expect.uid()) || cur.state() != expectState) {
                throw new VecgridException("collection '" + expect.name() + "' changed meanwhile (" + cur +
                    "); replica change abandoned");
            }
            metaStore.putMeta(replacement);
            tx.commit();
        }
    }

    /** Copies the growing rows or the locations of the old generation, recoded for the new one. */
    private void copyRows(String fromCache, String toCache, CollectionMeta next, boolean locs) {
        IgniteCache<Object, BinaryObject> from = ignite.<Object, BinaryObject>cache(fromCache).withKeepBinary();
        IgniteCache<Object, BinaryObject> to = ignite.<Object, BinaryObject>cache(toCache).withKeepBinary();
        RowCodec codec = new RowCodec(ignite, next);
        TreeMap<Object, BinaryObject> batch = new TreeMap<>(java.util.Comparator.comparingLong(WritePath::pkOf));
        try (QueryCursor<Cache.Entry<Object, BinaryObject>> cur = from.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, BinaryObject> e : cur) {
                Object key = locs ? io.vecgrid.shard.LocKey.from(e.getKey()) : io.vecgrid.shard.RowKey.from(e.getKey());
                batch.put(key, codec.recode(e.getValue(), locs));
                if (batch.size() >= COPY_BATCH) {
                    to.putAll(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty())
            to.putAll(batch);
    }

    /** Copies every segment chunk, as it is. */
    private void copySegments(CollectionMeta old, CollectionMeta next) {
        IgniteCache<Object, byte[]> from = ignite.<Object, byte[]>cache(old.segmentsCache()).withKeepBinary();
        IgniteCache<Object, byte[]> to = ignite.<Object, byte[]>cache(next.segmentsCache()).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, byte[]>> cur = from.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, byte[]> e : cur)
                to.put(io.vecgrid.segment.ChunkKey.from(e.getKey()), e.getValue());
        }
    }

    private void copyDeletes(CollectionMeta old, CollectionMeta next) {
        IgniteCache<Object, Object> from = ignite.cache(old.deletesCache()).withKeepBinary();
        IgniteCache<Object, Object> to = ignite.cache(next.deletesCache()).withKeepBinary();
        TreeMap<DeleteKey, Object> batch = new TreeMap<>(
            java.util.Comparator.comparingLong(DeleteKey::segmentId).thenComparingLong(DeleteKey::pk));
        try (QueryCursor<Cache.Entry<Object, Object>> cur = from.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur) {
                batch.put(DeleteKey.from(e.getKey()), e.getValue());
                if (batch.size() >= COPY_BATCH) {
                    to.putAll(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty())
            to.putAll(batch);
    }

    private void awaitServiceable(CollectionMeta next, CollectionTarget target) {
        long deadline = System.currentTimeMillis() + SERVICEABLE_TIMEOUT_MILLIS;
        while (true) {
            boolean all = true;
            var table = routing.refresh();
            for (SegmentRef ref : target.segments()) {
                if (table.copies(next.segmentsCache(), ref.id()).isEmpty()) {
                    all = false;
                    break;
                }
            }
            if (all)
                return;
            if (System.currentTimeMillis() > deadline)
                throw new VecgridException("the new copies of collection '" + next.name() + "' did not become serviceable within " +
                    SERVICEABLE_TIMEOUT_MILLIS + " ms");
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecgridException("interrupted", e);
            }
        }
    }

    /** Destroys the old generation once searches planned against it are over. */
    private void retireLater(CollectionMeta old, CollectionMeta next) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(RETIRE_GRACE_MILLIS);
                try (Transaction tx = metaStore.txStart()) {
                    CollectionMeta cur = metaStore.collections().get(next.name());
                    if (cur != null && cur.uid().equals(next.uid()) && cur.retired() != null)
                        metaStore.putMeta(cur.withoutRetired());
                    tx.commit();
                }
                ignite.destroyCaches(CollectionCaches.names(old));
                // Ignite allows one table per name: the new generation's table is attached once the old one is gone.
                io.vecgrid.sql.CollectionTables.attach(ignite, next);
            }
            catch (Exception e) {
                log.warning("Failed to drop the retired caches of collection '" + old.name() + "': " + e, e);
            }
        }, "vecgrid-retire-" + old.name());
        t.setDaemon(true);
        t.start();
    }
}
