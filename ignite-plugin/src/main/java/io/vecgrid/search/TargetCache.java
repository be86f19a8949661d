package io.vecgrid.search;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.ShardState;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's view of each collection's target, kept deserialized: a search reads only the shard states' version
 * fields from the local replica of the state cache (binary, nothing deserialized) and rebuilds the target only when a
 * version changed, instead of deserializing every shard's segment list on every search. Thread-safe.
 */
final class TargetCache {
    private final MetaStore metaStore;
    private final ConcurrentHashMap<String, Entry> cached = new ConcurrentHashMap<>();

    TargetCache(MetaStore metaStore) {
        this.metaStore = metaStore;
    }

    /** @return the collection's current target. */
    CollectionTarget target(CollectionMeta meta) {
        IgniteCache<String, BinaryObject> c = metaStore.state(meta).withKeepBinary();
        int n = meta.spec().shards();
        TreeSet<String> keys = new TreeSet<>();
        for (int s = 0; s < n; s++)
            keys.add(MetaStore.shardKey(s));
        Map<String, BinaryObject> bin = c.getAll(keys);
        long[] versions = new long[n];
        for (int s = 0; s < n; s++) {
            BinaryObject b = bin.get(MetaStore.shardKey(s));
            versions[s] = b == null ? -1 : b.<Long>field("version");
        }
        Entry e = cached.get(meta.stateCache());
        if (e != null && java.util.Arrays.equals(e.versions, versions))
            return e.target;
        List<ShardState> states = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            BinaryObject b = bin.get(MetaStore.shardKey(s));
            states.add(b == null ? ShardState.empty(s) : b.deserialize());
        }
        CollectionTarget t = CollectionTarget.of(states);
        cached.put(meta.stateCache(), new Entry(versions, t));
        return t;
    }

    private static final class Entry {
        final long[] versions;
        final CollectionTarget target;

        Entry(long[] versions, CollectionTarget target) {
            this.versions = versions;
            this.target = target;
        }
    }
}
