package io.vecgrid.metrics;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.segment.SegmentStore;
import io.vecgrid.shard.GrowingRegistry;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.metric.MetricRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-collection gauges of this node, one registry per collection, {@code vecgrid.collection.<name>}: the segment
 * copies it serves and loads, their live rows and heap bytes, and the growing rows of the shards it is the primary
 * of; and one registry per shard, {@code vecgrid.collection.<name>.shard.<n>}, with the shard's growing rows (on its
 * primary; 0 on other nodes). Registries follow the collections: made when one appears, removed when it is dropped.
 *
 * <p>Thread-safe: {@link #sync} runs on the node's upkeep thread.
 */
public final class CollectionMetrics {
    /** Prefix of the per-collection registries. */
    public static final String PREFIX = VecgridMetrics.REGISTRY + ".collection.";

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final SegmentStore segments;
    private final GrowingRegistry growing;
    /** Registered collections: name to their number of shards. */
    private final Map<String, Integer> registered = new HashMap<>();

    public CollectionMetrics(Ignite ignite, MetaStore metaStore, SegmentStore segments, GrowingRegistry growing) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.segments = segments;
        this.growing = growing;
    }

    /** Makes the registries of new collections and removes those of dropped ones. */
    public synchronized void sync(List<CollectionMeta> serving) {
        Map<String, Integer> now = new HashMap<>();
        for (CollectionMeta m : serving)
            now.put(m.name(), m.spec().shards());
        for (Map.Entry<String, Integer> e : new ArrayList<>(registered.entrySet())) {
            if (!e.getValue().equals(now.get(e.getKey())))
                unregister(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Integer> e : now.entrySet()) {
            if (!registered.containsKey(e.getKey()))
                register(e.getKey(), e.getValue());
        }
    }

    /** Removes every registry (the node stops or the cluster turned inactive). */
    public synchronized void clear() {
        for (Map.Entry<String, Integer> e : new ArrayList<>(registered.entrySet()))
            unregister(e.getKey(), e.getValue());
    }

    private void register(String name, int shards) {
        MetricRegistry reg = ignite.metrics().getOrCreate(PREFIX + name);
        reg.register("Segments", () -> stat(name, 0), "Serviceable segment copies of the collection on this node.");
        reg.register("LoadingSegments", () -> stat(name, 1), "Segment copies of the collection queued or being loaded on this node.");
        reg.register("Rows", () -> stat(name, 2), "Live rows in the collection's segment copies on this node (every copy counts).");
        reg.register("MemoryBytes", () -> stat(name, 3), "Memory (heap and direct) held by the collection's segment copies on this node.");
        reg.register("GrowingRows", () -> {
            long n = 0;
            for (int s = 0; s < shards; s++)
                n += growingRows(name, s);
            return n;
        }, "Growing (not yet sealed) rows of the collection's shards this node is the primary of.");
        for (int s = 0; s < shards; s++) {
            int shard = s;
            ignite.metrics().getOrCreate(shardRegistry(name, s)).register("GrowingRows", () -> growingRows(name, shard),
                "Growing (not yet sealed) rows of the shard, on its primary node (0 elsewhere).");
        }
        registered.put(name, shards);
    }

    private void unregister(String name, int shards) {
        ignite.metrics().remove(PREFIX + name);
        for (int s = 0; s < shards; s++)
            ignite.metrics().remove(shardRegistry(name, s));
        registered.remove(name);
    }

    static String shardRegistry(String collection, int shard) {
        return PREFIX + collection + ".shard." + shard;
    }

    /** @return every generation of the collection (one, or two while its replica number changes). */
    private List<CollectionMeta> generations(String name) {
        CollectionMeta m = metaStore.meta(name);
        List<CollectionMeta> res = new ArrayList<>(3);
        if (m == null)
            return res;
        res.add(m);
        if (m.retired() != null)
            res.add(m.retired());
        if (m.pending() != null)
            res.add(m.pending());
        return res;
    }

    private long stat(String name, int i) {
        long n = 0;
        for (CollectionMeta g : generations(name))
            n += segments.stats(g.segmentsCache())[i];
        return n;
    }

    /** @return growing rows of a shard, if this node is its primary; 0 otherwise. */
    private long growingRows(String name, int shard) {
        try {
            CollectionMeta m = metaStore.meta(name);
            if (m == null || !ignite.cluster().state().active())
                return 0;
            ClusterNode primary = ignite.affinity(m.rowsCache()).mapPartitionToNode(shard);
            if (primary == null || !primary.isLocal())
                return 0;
            return Math.max(0, growing.growingRows(m.rowsCache(), shard));
        }
        catch (RuntimeException e) {
            return 0; // The collection is being dropped: its caches are gone.
        }
    }

    /** @return growing rows of every shard this node is the primary of, over every collection. */
    public synchronized long growingRows() {
        long n = 0;
        for (Map.Entry<String, Integer> e : registered.entrySet()) {
            for (int s = 0; s < e.getValue(); s++)
                n += growingRows(e.getKey(), s);
        }
        return n;
    }
}
