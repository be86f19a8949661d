package io.vecgrid.collection;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.transactions.Transaction;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Creates, describes, lists and drops collections. A collection's metadata is written first (state CREATING, which
 * reserves the name atomically), then its caches are created, then it turns READY; drop runs the other way.
 */
public final class CollectionManager {
    private final Ignite ignite;
    private final MetaStore meta;
    private final int segmentSlots;
    private final int rowPartitions;
    private final IgniteLogger log;
    private final java.util.function.ToLongFunction<CollectionMeta> rowCounter;

    private final String segmentsRegion;
    private final int growingCap;

    /**
     * @param rowCounter counts a collection's live rows (the exact count).
     * @param segmentsRegion data region of the segments caches, or {@code null} for the default.
     */
    public CollectionManager(Ignite ignite, MetaStore meta, int segmentSlots, int rowPartitions,
        java.util.function.ToLongFunction<CollectionMeta> rowCounter, String segmentsRegion, int growingCap) {
        this.growingCap = growingCap;
        this.rowPartitions = rowPartitions;
        this.segmentsRegion = segmentsRegion;
        this.ignite = ignite;
        this.rowCounter = rowCounter;
        this.meta = meta;
        this.segmentSlots = segmentSlots;
        this.log = ignite.log().getLogger(CollectionManager.class);
    }

    public CollectionDescription create(CollectionSpec spec) {
        if (spec == null)
            throw new InvalidRequestException("collection spec must not be null");
        int servers = ignite.cluster().forServers().nodes().size();
        if (spec.replicas() > servers) {
            throw new InvalidRequestException("replicaNumber must be at most the number of server nodes (" + servers +
                "), got " + spec.replicas());
        }
        // A shard's growing rows are scanned as one array of floats: the cap times the dimension must fit one.
        if ((long)spec.dimension() * growingCap > Integer.MAX_VALUE - 16) {
            throw new InvalidRequestException("dimension " + spec.dimension() + " times the growing rows a shard may hold (" +
                growingCap + ", maxGrowingRowsPerShard) exceeds 2^31 floats; lower maxGrowingRowsPerShard and sealRows " +
                "on the nodes, or use more shards");
        }
        String uid = UUID.randomUUID().toString().substring(0, 8);
        CollectionMeta creating = new CollectionMeta(spec, uid, CollectionState.CREATING, 1, segmentSlots, rowPartitions);
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            if (!meta.collections().putIfAbsent(spec.name(), creating))
                throw new CollectionExistsException(spec.name());
        }
        try {
            List<org.apache.ignite.configuration.CacheConfiguration> caches =
                new ArrayList<>(CollectionCaches.configurations(creating, segmentsRegion));
            caches.add(MetaStore.stateCacheConfiguration(creating));
            CollectionCaches.changeCaches(() -> ignite.getOrCreateCaches(caches));
            CollectionMeta ready = creating.withState(CollectionState.READY);
            try (Transaction tx = meta.txStart()) {
                for (int s = 0; s < spec.shards(); s++)
                    meta.putShardState(creating, ShardState.empty(s));
                meta.putMeta(ready);
                tx.commit();
            }
            log.info("Created collection " + spec);
            return describe(spec.name());
        }
        catch (RuntimeException e) {
            log.error("Failed to create collection '" + spec.name() + "', rolling back", e);
            destroy(creating);
            throw e instanceof VecgridException ? e :
                new VecgridException("failed to create collection '" + spec.name() + "': " + e.getMessage(), e);
        }
    }

    public void drop(String name) {
        CollectionMeta m = meta.meta(name);
        if (m == null)
            throw new CollectionNotFoundException(name);
        CollectionMeta dropping;
        try (Transaction tx = meta.txStart()) {
            CollectionMeta cur = meta.collections().get(name);
            if (cur == null || !cur.uid().equals(m.uid()))
                throw new CollectionNotFoundException(name);
            dropping = cur.withState(CollectionState.DROPPING);
            meta.putMeta(dropping);
            tx.commit();
        }
        destroy(dropping);
        log.info("Dropped collection '" + name + "'");
    }

    private void destroy(CollectionMeta m) {
        CollectionCaches.changeCaches(() -> ignite.destroyCaches(CollectionCaches.names(m)));
        if (m.retired() != null)
            CollectionCaches.changeCaches(() -> ignite.destroyCaches(CollectionCaches.names(m.retired())));
        if (m.pending() != null)
            CollectionCaches.changeCaches(() -> ignite.destroyCaches(CollectionCaches.names(m.pending())));
        try (Transaction tx = meta.txStart()) {
            CollectionMeta cur = meta.collections().get(m.name());
            if (cur != null && cur.uid().equals(m.uid())) {
                try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
                    meta.collections().remove(m.name());
                }
            }
            tx.commit();
        }
        CollectionCaches.changeCaches(() -> ignite.destroyCache(m.stateCache()));
    }

    /** @return the data region of the segments caches this node creates ({@code null}: the default region). */
    public String segmentsRegion() {
        return segmentsRegion;
    }

    public List<String> list() {
        List<String> names = new ArrayList<>();
        meta.collections().query(new org.apache.ignite.cache.query.ScanQuery<String, CollectionMeta>())
            .forEach(e -> names.add(e.getKey()));
        Collections.sort(names);
        return names;
    }

    public CollectionDescription describe(String name) {
        return describe(name, rowCounter);
    }

    /** @param counter counts the collection's live rows (-1: not known now). */
    public CollectionDescription describe(String name, java.util.function.ToLongFunction<CollectionMeta> counter) {
        CollectionMeta m = meta.meta(name);
        if (m == null)
            throw new CollectionNotFoundException(name);
        long rows = 0;
        boolean under = false;
        if (m.state() == CollectionState.READY || m.state() == CollectionState.RESHAPING) {
            rows = counter.applyAsLong(m);
            under = underReplicated(m);
        }
        CollectionTarget t = meta.target(m);
        return new CollectionDescription(m.spec(), m.state(), m.version(), rows, t.segments().size(), t.version(), under);
    }

    /**
     * @return {@code true} when some partition of the collection's caches has fewer owners than replicaNumber
     *      (a replica group has no node, or a lost copy is not restored yet).
     */
    public boolean underReplicated(CollectionMeta m) {
        int replicas = m.spec().replicas();
        for (String cache : List.of(m.rowsCache(), m.locsCache(), m.segmentsCache())) {
            Affinity<Object> aff = ignite.affinity(cache);
            for (int p = 0; p < aff.partitions(); p++) {
                java.util.Collection<ClusterNode> owners = aff.mapPartitionToPrimaryAndBackups(p);
                if (owners.size() < replicas)
                    return true;
            }
        }
        return false;
    }
}
