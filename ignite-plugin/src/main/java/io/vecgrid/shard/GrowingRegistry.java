package io.vecgrid.shard;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's {@link ShardRows}, one per (rows cache, shard) whose partition the node owns. A view is built on first
 * use (a local scan of the OWNING partition while the interceptor already feeds it) and rebuilt when the node's local
 * partition is a different one than the view was built from (the partition was evicted and came back by rebalance).
 * The rows cache holds growing rows only (they leave once sealed and served), so a view is bounded by the shard's
 * growing cap.
 *
 * <p>Thread-safe.
 */
public final class GrowingRegistry {
    private final Ignite ignite;
    private final ConcurrentHashMap<String, ShardRows> views = new ConcurrentHashMap<>();
    /** Collection name of each view. */
    private final ConcurrentHashMap<String, String> collections = new ConcurrentHashMap<>();
    /** One lock per view id: building one shard's view never holds up another's. */
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    public GrowingRegistry(Ignite ignite) {
        this.ignite = ignite;
    }

    private static String id(String cache, int shard) {
        return cache + '#' + shard;
    }

    void onPut(String cache, int shard, GrowingRow row) {
        ShardRows v = views.get(id(cache, shard));
        if (v != null)
            v.put(row);
    }

    void onRemove(String cache, int shard, long pk) {
        ShardRows v = views.get(id(cache, shard));
        if (v != null)
            v.remove(pk);
    }

    /**
     * @return the shard's rows as this node holds them, or {@code null} if this node does not own the shard's
     *      partition in state OWNING. The first call for a partition scans it (bounded: a shard holds at most its
     *      growing cap); concurrent callers for the same shard wait for that scan, other shards do not.
     */
    public ShardRows rows(String collection, String cache, String vectorField, String[] scalarFields, int shard) {
        Object part = LocalPartitions.owning(ignite, cache, shard);
        if (part == null)
            return null;
        String id = id(cache, shard);
        ShardRows cur = views.get(id);
        if (cur != null && cur.partition() == part && cur.ready())
            return cur;
        synchronized (lock(id)) {
            cur = views.get(id);
            if (cur != null && cur.partition() == part && cur.ready())
                return cur;
            ShardRows fresh = new ShardRows(part);
            collections.put(id, collection);
            views.put(id, fresh);
            scan(fresh, cache, vectorField, scalarFields, shard);
            return fresh;
        }
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    private void scan(ShardRows view, String cache, String vectorField, String[] scalarFields, int shard) {
        RowsInterceptor decoder = new RowsInterceptor(cache, vectorField, scalarFields);
        IgniteCache<Object, BinaryObject> c = ignite.<Object, BinaryObject>cache(cache).withKeepBinary();
        try (QueryCursor<Cache.Entry<Object, BinaryObject>> cur =
                 c.query(new ScanQuery<Object, BinaryObject>().setPartition(shard).setLocal(true))) {
            for (Cache.Entry<Object, BinaryObject> e : cur)
                view.putScanned(decoder.decode(WritePath.pkOf(e.getKey()), e.getValue()));
        }
        view.scanDone();
    }

    /** @return growing rows of the shard as this node's view holds them, or -1 if this node has no view of it. */
    public int growingRows(String cache, int shard) {
        ShardRows v = views.get(id(cache, shard));
        return v == null || !v.ready() ? -1 : v.growingCount();
    }

    /** Forgets every view (the cluster turned inactive). */
    public void forgetAll() {
        views.clear();
        collections.clear();
    }

    /** Forgets every view of a cache (the collection was dropped). */
    public void forget(String cache) {
        views.keySet().removeIf(k -> k.startsWith(cache + '#'));
        collections.keySet().removeIf(k -> k.startsWith(cache + '#'));
    }

}
