package io.vecgrid.collection;

import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.VecgridException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.affinity.rendezvous.RendezvousAffinityFunction;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import java.util.List;

/**
 * The cluster's desired state, in REPLICATED TRANSACTIONAL caches holding immutable values replaced whole (reads are
 * local: every node has a copy):
 * <ul>
 *   <li>the catalog {@value #COLLECTIONS_CACHE}: {@link CollectionMeta} by collection name;</li>
 *   <li>one state cache per collection ({@link CollectionMeta#stateCache()}): one {@link ShardState} per shard (the
 *   collection's target is their union) and a copy of the collection's metadata. It is the collection's own, so a backup of the collection (its state and data caches) can be
 *   restored without touching any other collection's metadata.</li>
 * </ul>
 */
public final class MetaStore {
    /** Cache of {@link CollectionMeta} by collection name. */
    public static final String COLLECTIONS_CACHE = "vecgrid-collections";
    /** Key prefix of the shard states in a collection's state cache: {@code shard#<n>}. */
    static final String SHARD_KEY_PREFIX = "shard#";

    /** Key of the copy of the collection's metadata in its state cache. */
    public static final String META_KEY = "meta";

    /** Partitions of the meta caches: a few (each is a file per node with native persistence). */
    private static final int META_PARTITIONS = 8;

    /** Cache of node distribution reports by node id (REPLICATED, ATOMIC: one writer per entry). */
    public static final String DISTRIBUTION_CACHE = "vecgrid-distribution";


    private final Ignite ignite;
    /** The last state read by {@link #shardStateCached} per state cache and shard, as stateCache#shard. */
    private final java.util.concurrent.ConcurrentHashMap<String, ShardState> decodedStates =
        new java.util.concurrent.ConcurrentHashMap<>();

    public MetaStore(Ignite ignite) {
        this.ignite = ignite;
    }

    /** Creates the meta caches if they do not exist yet (idempotent; called by every server node at start). */
    public static void createCaches(Ignite ignite) {
        CacheConfiguration<String, Object> dist = metaCache(DISTRIBUTION_CACHE, META_PARTITIONS);
        dist.setAtomicityMode(CacheAtomicityMode.ATOMIC);
        ignite.getOrCreateCaches(List.of(metaCache(COLLECTIONS_CACHE, META_PARTITIONS), dist));
    }

    /** @return configuration of a collection's state cache. */
    public static CacheConfiguration<String, Object> stateCacheConfiguration(CollectionMeta meta) {
        return metaCache(meta.stateCache(), 1);
    }

    private static CacheConfiguration<String, Object> metaCache(String name, int partitions) {
        CacheConfiguration<String, Object> c = new CacheConfiguration<>(name);
        c.setCacheMode(CacheMode.REPLICATED);
        c.setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL);
        c.setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        c.setAffinity(new RendezvousAffinityFunction(false, partitions));
        return c;
    }

    /**
     * @return the catalog.
     * @throws VecgridException if vecgrid does not serve on this node (the cluster is inactive).
     */
    public IgniteCache<String, CollectionMeta> collections() {
        IgniteCache<String, CollectionMeta> c;
        try {
            c = ignite.cache(COLLECTIONS_CACHE);
        }
        catch (RuntimeException e) {
            c = null;
        }
        if (c == null) {
            throw new VecgridException("vecgrid does not serve on node " + ignite.cluster().localNode().consistentId() +
                ": the cluster is " + ignite.cluster().state() + "; 'scripts/vecgrid status' says what it waits for");
        }
        return c;
    }

    /** @return the collection's state cache (target and metadata copy). */
    public IgniteCache<String, Object> state(CollectionMeta meta) {
        IgniteCache<String, Object> c = ignite.cache(meta.stateCache());
        if (c == null)
            throw new CollectionNotFoundException(meta.name());
        return c;
    }

    /**
     * Writes the collection's metadata into the catalog and its copy into the collection's state cache, in the
     * caller's transaction if there is one.
     */
    public void putMeta(CollectionMeta meta) {
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            collections().put(meta.name(), meta);
            state(meta).put(META_KEY, meta);
        }
    }

    /** @return the shard whose state is kept under {@code key} in a state cache, or -1 for any other key. */
    public static int shardOfKey(Object key) {
        if (!(key instanceof String) || !((String)key).startsWith(SHARD_KEY_PREFIX))
            return -1;
        try {
            return Integer.parseInt(((String)key).substring(SHARD_KEY_PREFIX.length()));
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return key of a shard's state in the collection's state cache. */
    public static String shardKey(int shard) {
        return SHARD_KEY_PREFIX + shard;
    }

    /**
     * @return a shard's state, read in the caller's transaction if there is one (a pessimistic one locks it);
     *      {@code null} if the collection has none (dropped).
     */
    public ShardState shardState(CollectionMeta meta, int shard) {
        return (ShardState)state(meta).get(shardKey(shard));
    }

    /**
     * @return a shard's state as {@link #shardState} reads it outside a transaction, but deserialized only when its
     *      version changed since the last call for that shard (a search reads its shards' states on every call, and a
     *      state names every segment of the shard); {@code null} if the collection has none.
     */
    public ShardState shardStateCached(CollectionMeta meta, int shard) {
        IgniteCache<String, BinaryObject> c = state(meta).withKeepBinary();
        BinaryObject b = c.get(shardKey(shard));
        if (b == null)
            return null;
        long version = b.<Long>field("version");
        String key = meta.stateCache() + '#' + shard;
        ShardState cur = decodedStates.get(key);
        if (cur != null && cur.version() == version)
            return cur;
        ShardState st = b.deserialize();
        decodedStates.put(key, st);
        return st;
    }

    /** Writes a shard's state, in the caller's transaction if there is one. */
    public void putShardState(CollectionMeta meta, ShardState st) {
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            state(meta).put(shardKey(st.shard()), st);
        }
    }

    /** @return the states of every shard, in shard order (read in the caller's transaction if there is one). */
    public List<ShardState> shardStates(CollectionMeta meta) {
        IgniteCache<String, Object> c = ignite.cache(meta.stateCache());
        int n = meta.spec().shards();
        List<ShardState> res = new java.util.ArrayList<>(n);
        if (c == null)
            return res;
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (int s = 0; s < n; s++)
            keys.add(shardKey(s));
        java.util.Map<String, Object> all = c.getAll(keys);
        for (int s = 0; s < n; s++) {
            Object st = all.get(shardKey(s));
            res.add(st instanceof ShardState ? (ShardState)st : ShardState.empty(s));
        }
        return res;
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
        return serving(name, meta(name));
    }

    /**
     * @return {@code meta}, the metadata of collection {@code name} as the caller has it, if it serves reads and
     *      searches (see {@link #requireServing(String)}).
     * @throws CollectionNotFoundException if {@code meta} is {@code null}.
     */
    public static CollectionMeta serving(String name, CollectionMeta meta) {
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
     * @return metadata of a collection that accepts writes: READY, or RESHAPING (a replica change copies it; writes go
     *      to both generations meanwhile, see {@code WritePath}).
     * @throws CollectionNotFoundException if there is none.
     * @throws VecgridException if it is being created or dropped.
     */
    public CollectionMeta requireWritable(String name) {
        return requireServing(name);
    }

    /** @return the collection's target (an empty one if the collection or its target does not exist). */
    public CollectionTarget target(String name) {
        CollectionMeta meta = meta(name);
        return meta == null ? CollectionTarget.empty() : target(meta);
    }

    /** @return the collection's target: the union of its shards' states (empty if the collection is gone). */
    public CollectionTarget target(CollectionMeta meta) {
        List<ShardState> st = shardStates(meta);
        return st.isEmpty() ? CollectionTarget.empty() : CollectionTarget.of(st);
    }

    /** @return a pessimistic repeatable-read transaction: reads lock, so read-modify-write is safe. */
    public Transaction txStart() {
        return ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ);
    }
}
