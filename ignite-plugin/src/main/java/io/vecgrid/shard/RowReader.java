package io.vecgrid.shard;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.segment.SegmentReads;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;
import org.apache.ignite.transactions.TransactionOptimisticException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code get} and {@code count}. A row's scalar fields come from its location entry; its vector from its growing entry
 * while it has one, else from a loaded copy of the segment holding it ({@link SegmentReads}), since a sealed row's
 * vector lives only in its segment. The locations, growing entries and shard states are read in one optimistic
 * serializable transaction, so they are one consistent view (a concurrent change makes the read start again).
 */
public final class RowReader {
    private static final int ATTEMPTS = 20;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final int maxBatchRows;
    private final SegmentReads segmentReads;

    public RowReader(Ignite ignite, MetaStore metaStore, int maxBatchRows, SegmentReads segmentReads) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.maxBatchRows = maxBatchRows;
        this.segmentReads = segmentReads;
    }

    public List<VectorRow> get(String collection, long[] pks, List<String> outputFields) {
        CollectionMeta meta = metaStore.requireServing(collection);
        RowValidator.checkBatchSize(pks == null ? 0 : pks.length, maxBatchRows, "primary keys");
        CollectionSpec spec = meta.spec();
        boolean withVector = outputFields == null || outputFields.contains(spec.vectorField());
        List<String> scalarNames = null;
        if (outputFields != null) {
            scalarNames = new ArrayList<>();
            for (String f : outputFields) {
                if (f.equals(spec.vectorField()) || f.equals(spec.pkField()))
                    continue;
                if (spec.scalarIndex(f) < 0) {
                    throw new InvalidRequestException("unknown output field '" + f + "'; collection '" + collection +
                        "' has fields " + spec.pkField() + ", " + spec.vectorField() + ", " + spec.scalarFields());
                }
                scalarNames.add(f);
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return read(meta, pks, withVector, scalarNames);
            }
            catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !retriable(e))
                    throw e instanceof VecgridException ? e : new VecgridException("get from collection '" + collection +
                        "' failed: " + e.getMessage(), e);
                sleep(Math.min(100, 5L * attempt));
            }
        }
    }

    private static boolean retriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransactionOptimisticException || t instanceof SegmentReads.SegmentGoneException)
                return true;
        }
        return false;
    }

    private List<VectorRow> read(CollectionMeta meta, long[] pks, boolean withVector, List<String> scalarNames) {
        int shards = meta.spec().shards();
        TreeSet<LocKey> locKeys = new TreeSet<>(Comparator.comparingLong(LocKey::pk));
        TreeSet<RowKey> rowKeys = new TreeSet<>(RowKey.ORDER);
        TreeSet<String> stateKeys = new TreeSet<>();
        for (long pk : pks) {
            LocKey k = LocKey.of(pk, shards);
            locKeys.add(k);
            rowKeys.add(new RowKey(pk, k.shard()));
            stateKeys.add(MetaStore.shardKey(k.shard()));
        }
        Map<Long, BinaryObject> locs;
        Map<Long, BinaryObject> rows = Map.of();
        Map<Integer, ShardState> states = new HashMap<>();
        org.apache.ignite.IgniteCache<LocKey, BinaryObject> locCache =
            ignite.<LocKey, BinaryObject>cache(meta.locsCache()).withKeepBinary();
        org.apache.ignite.IgniteCache<RowKey, BinaryObject> rowCache =
            ignite.<RowKey, BinaryObject>cache(meta.rowsCache()).withKeepBinary();
        org.apache.ignite.IgniteCache<String, Object> stateCache = metaStore.state(meta);
        // Read without a transaction (a read must not fail on, or wait for, the locks of seals and merges): locations
        // first, then growing entries and states. A row that changed in between shows: its growing entry has another
        // version than its location, or neither a growing entry nor a segment holds it; the read then starts again.
        locs = WritePath.byPk(locCache.getAll(locKeys));
        if (withVector) {
            rows = WritePath.byPk(rowCache.getAll(rowKeys));
            for (Object v : stateCache.getAll(stateKeys).values())
                states.put(((ShardState)v).shard(), (ShardState)v);
        }
        RowCodec codec = new RowCodec(ignite, meta);
        Map<Long, float[]> vectors = new HashMap<>();
        if (withVector) {
            // Sealed rows by the segment holding them now.
            Map<Long, List<Long>> bySegment = new HashMap<>();
            Map<Long, SegmentRef> refs = new HashMap<>();
            for (Map.Entry<Long, BinaryObject> e : locs.entrySet()) {
                long pk = e.getKey();
                BinaryObject row = rows.get(pk);
                if (row != null && RowCodec.version(row) == RowCodec.version(e.getValue())) {
                    vectors.put(pk, codec.vector(row));
                    continue;
                }
                long seg = RowCodec.segment(e.getValue());
                if (seg == 0)
                    throw new SegmentReads.SegmentGoneException("pk " + pk + " changed while it was read");
                ShardState st = states.get(RowKey.shardOf(pk, shards));
                SegmentRef ref = st == null ? null : st.segment(st.current(seg));
                if (ref == null)
                    throw new SegmentReads.SegmentGoneException("segment " + seg + " holding pk " + pk + " is not served");
                refs.put(ref.id(), ref);
                bySegment.computeIfAbsent(ref.id(), k -> new ArrayList<>()).add(pk);
            }
            for (Map.Entry<Long, List<Long>> e : bySegment.entrySet())
                vectors.putAll(segmentReads.vectors(meta, refs.get(e.getKey()), e.getValue()));
        }
        List<VectorRow> res = new ArrayList<>();
        for (long pk : pks) {
            BinaryObject loc = locs.get(pk);
            if (loc != null)
                res.add(codec.toRow(pk, loc, withVector ? vectors.get(pk) : null, scalarNames));
        }
        return res;
    }

    public long count(String collection) {
        return count(metaStore.requireServing(collection));
    }

    /**
     * @return live rows: the location entries, each partition counted once on its primary. The nodes count in one
     *      broadcast; if primaries moved meanwhile (some partition counted twice or not at all), it counts again.
     */
    public long count(CollectionMeta meta) {
        return count(meta, 50);
    }

    /**
     * @return live rows as {@link #count(CollectionMeta)} counts them, or -1 if three tries in a row found partitions
     *      moving (a node left or joined a moment ago): for views that must answer at once, such as the cluster status.
     */
    public long countIfSettled(CollectionMeta meta) {
        try {
            return count(meta, 3);
        }
        catch (VecgridException e) {
            return -1;
        }
    }

    private long count(CollectionMeta meta, int attempts) {
        for (int attempt = 1; ; attempt++) {
            Collection<Map<Integer, Long>> parts;
            try {
                parts = ignite.compute(ignite.cluster().forServers()).broadcast(new PrimaryCounts(meta.locsCache()));
            }
            catch (RuntimeException e) {
                if (attempt >= Math.min(10, attempts))
                    throw new VecgridException("count of collection '" + meta.name() + "' failed: " + e.getMessage(), e);
                sleep(100L * attempt);
                continue;
            }
            Map<Integer, Long> all = new HashMap<>();
            boolean twice = false;
            for (Map<Integer, Long> m : parts) {
                for (Map.Entry<Integer, Long> e : m.entrySet())
                    twice |= all.put(e.getKey(), e.getValue()) != null;
            }
            if (!twice && all.size() == meta.rowPartitions())
                return all.values().stream().mapToLong(Long::longValue).sum();
            java.util.Collection<Integer> lost = ignite.cache(meta.locsCache()).lostPartitions();
            if (!lost.isEmpty()) {
                // Not moving: no online node holds them; waiting would not help.
                throw new VecgridException("count of collection '" + meta.name() + "' failed: " + lost.size() + " of " +
                    meta.rowPartitions() + " partitions are lost (every node holding a copy is offline); it counts " +
                    "again once those nodes are back");
            }
            if (attempt >= attempts) {
                throw new VecgridException("count of collection '" + meta.name() + "' failed: partitions are moving (" +
                    all.size() + " of " + meta.rowPartitions() + " counted on their primaries); retry");
            }
            sleep(Math.min(500, 20L * attempt));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecgridException("interrupted", e);
        }
    }

    /** Counts, on one node, the entries of the partitions of a cache it holds OWNING as primary. */
    static final class PrimaryCounts implements IgniteCallable<Map<Integer, Long>> {
        private static final long serialVersionUID = 1L;

        private final String cache;

        @IgniteInstanceResource
        private transient Ignite ignite;

        PrimaryCounts(String cache) {
            this.cache = cache;
        }

        @Override public Map<Integer, Long> call() {
            Map<Integer, Long> res = new HashMap<>();
            if (ignite.cache(cache) == null)
                return res;
            org.apache.ignite.cache.affinity.Affinity<Object> aff = ignite.affinity(cache);
            org.apache.ignite.cluster.ClusterNode local = ignite.cluster().localNode();
            for (int p : aff.primaryPartitions(local)) {
                if (LocalPartitions.owning(ignite, cache, p) != null)
                    res.put(p, ignite.cache(cache).localSizeLong(p, org.apache.ignite.cache.CachePeekMode.PRIMARY,
                        org.apache.ignite.cache.CachePeekMode.BACKUP));
            }
            return res;
        }
    }
}
