package io.vecgrid.collection;

import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.VecgridException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import java.util.List;

/**
 * The cluster's desired state: collection metadata and targets, each in a REPLICATED TRANSACTIONAL cache keyed by
 * collection name, holding immutable values replaced whole. Reads are local (every node has a copy).
 */
public final class MetaStore {
    /** Cache of {@link CollectionMeta} by collection name. */
    public static final String COLLECTIONS_CACHE = "vecgrid-collections";
    /** Cache of {@link CollectionTarget} by collection name. */
    public static final String TARGETS_CACHE = "vecgrid-targets";

    /** Cache of node distribution reports by node id (REPLICATED, ATOMIC: one writer per entry). */
    public static final String DISTRIBUTION_CACHE = "vecgrid-distribution";

    /** How long a write waits for a replica change to finish, ms. */
    public static final long WRITE_WAIT_MILLIS = 120_000;

    private final Ignite ignite;

    public MetaStore(Ignite ignite) {
        this.ignite = ignite;
    }

    /** Creates the meta caches if they do not exist yet (idempotent; called by every server node at start). */
    public static void createCaches(Ignite ignite) {
        CacheConfiguration<String, Object> dist = metaCache(DISTRIBUTION_CACHE);
        dist.setAtomicityMode(CacheAtomicityMode.ATOMIC);
        ignite.getOrCreateCaches(List.of(metaCache(COLLECTIONS_CACHE), metaCache(TARGETS_CACHE), dist));
    }

    private static CacheConfiguration<String, Object> metaCache(String name) {
        CacheConfiguration<String, Object> c = new CacheConfiguration<>(name);
        c.setCacheMode(CacheMode.REPLICATED);
        c.setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL);
        c.setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        return c;
    }

    public IgniteCache<String, CollectionMeta> collections() {
        return ignite.cache(COLLECTIONS_CACHE);
    }

    public IgniteCache<String, CollectionTarget> targets() {
        return ignite.cache(TARGETS_CACHE);
    }

    /** @return metadata of the collection, or {@code null}. */
    public CollectionMeta meta(String name) {
        return name == null ? null : collections().get(name);
    }

    /**
     * @return metadata of a collection that serves reads and writes.
     * @throws CollectionNotFoundException if there is none.
     * @throws VecgridException if it is being created or dropped.
     */
    public CollectionMeta requireReady(String name) {
        CollectionMeta meta = meta(name);
        if (meta == null)
            throw new CollectionNotFoundException(name);
        if (meta.state() != CollectionState.READY)
            throw new VecgridException("collection '" + name + "' is " + meta.state() + ", not READY; retry later");
        return meta;
    }

    /**
     * @return metadata of a collection that serves reads and searches: READY, or RESHAPING (its current caches serve
     *      until a replica change switches to new ones).
     * @throws CollectionNotFoundException if there is none.
     */
    public CollectionMeta requireServing(String name) {
        CollectionMeta meta = meta(name);
        if (meta == null)
            throw new CollectionNotFoundException(name);
        if (meta.state() != CollectionState.READY && meta.state() != CollectionState.RESHAPING)
            throw new VecgridException("collection '" + name + "' is " + meta.state() + ", not READY; retry later");
        return meta;
    }

    /**
     * @return every generation of caches that serves searches now: each READY or RESHAPING collection, and the
     *      retired generation of a collection whose replica number just changed, and the one a change is building.
     */
    public java.util.List<CollectionMeta> servingGenerations() {
        java.util.List<CollectionMeta> res = new java.util.ArrayList<>();
        for (javax.cache.Cache.Entry<String, CollectionMeta> e :
            collections().localEntries(org.apache.ignite.cache.CachePeekMode.ALL)) {
            CollectionMeta m = e.getValue();
            if (m.state() == CollectionState.READY || m.state() == CollectionState.RESHAPING) {
                res.add(m);
                if (m.retired() != null)
                    res.add(m.retired());
                if (m.pending() != null)
                    res.add(m.pending());
            }
        }
        return res;
    }

    /**
     * @return metadata of a collection that accepts writes, waiting while its replica number changes.
     * @throws CollectionNotFoundException if there is none.
     */
    public CollectionMeta awaitWritable(String name) {
        long deadline = System.currentTimeMillis() + WRITE_WAIT_MILLIS;
        while (true) {
            CollectionMeta meta = meta(name);
            if (meta == null)
                throw new CollectionNotFoundException(name);
            if (meta.state() == CollectionState.READY)
                return meta;
            if (meta.state() != CollectionState.RESHAPING || System.currentTimeMillis() > deadline)
                throw new VecgridException("collection '" + name + "' is " + meta.state() + ", not READY; retry later");
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VecgridException("interrupted while waiting for collection '" + name + "' to accept writes", e);
            }
        }
    }

    /** @return the collection's target (an empty one if none was written yet). */
    public CollectionTarget target(String name) {
        CollectionTarget t = targets().get(name);
        return t == null ? CollectionTarget.empty() : t;
    }

    /** @return a pessimistic repeatable-read transaction: reads lock, so read-modify-write is safe. */
    public Transaction txStart() {
        return ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ);
    }
}
