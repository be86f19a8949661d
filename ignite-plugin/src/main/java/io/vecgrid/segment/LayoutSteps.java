package io.vecgrid.segment;

import io.vecgrid.api.CollectionState;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CacheWriteGuard;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.shard.GrowingRegistry;
import io.vecgrid.shard.GrowingRow;
import io.vecgrid.shard.LocKey;
import io.vecgrid.shard.RowCodec;
import io.vecgrid.shard.RowKey;
import io.vecgrid.shard.ShardRows;
import io.vecgrid.shard.WritePath;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The steps every layout operation is made of, each a short transaction, each safe to repeat: record the operation
 * in the shard's state, mark rows with a new segment, publish it, re-point locations, hand growing rows off, and undo
 * an operation that did not publish. {@link Sealer} and {@link Rewriter} compose them; the coordinator's recovery
 * calls the same steps to finish or undo the operations of a node that died.
 *
 * <p>Lock order, shared with every writer: locations (by primary key), then growing rows, then delete marks; the
 * shard state is locked first by these steps and read (optimistically, validated at commit) by writers.
 */
public final class LayoutSteps {
    /**
     * Rows per transaction when rows are marked, unmarked, handed off or re-pointed: small, since writers whose keys
     * such a step holds locked retry until it is over.
     */
    static final int ROW_BATCH = 500;

    /** Transaction timeout of one step, ms. */
    static final long TX_TIMEOUT_MILLIS = 120_000;

    /** How long a new segment may take to become serviceable on every owner before its operation is undone, ms. */
    static final long SERVICEABLE_TIMEOUT_MILLIS = 120_000;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final GrowingRegistry growing;
    private final RoutingCache routing;
    /**
     * Operations this node's threads drive right now ({@link #key}): the coordinator recovers an operation of a live
     * driver only when its node no longer drives it (it gave up and could not undo it).
     */
    private final java.util.Set<String> driving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public LayoutSteps(Ignite ignite, MetaStore metaStore, GrowingRegistry growing, RoutingCache routing) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.growing = growing;
        this.routing = routing;
    }

    /** @return the shard's growing rows as this node holds them, or {@code null} if it does not own the shard. */
    ShardRows shardRows(CollectionMeta meta, int shard) {
        return growing.rows(meta.name(), meta.rowsCache(), meta.spec().vectorField(), CollectionCaches.scalarNames(meta), shard);
    }

    /**
     * Records a new operation in the shard's state: from this commit on, every writer that deletes or upserts a row of
     * its sources also marks the row in the new segment (writers validate the state they read at commit).
     *
     * @param make builds the operation from the locked state (its segment id is {@code st.nextSegmentId()}); returns
     *      {@code null} when the operation should not start (sources gone or busy).
     * @return the operation, or {@code null} if it did not start.
     */
    LayoutOp begin(CollectionMeta meta, int shard, java.util.function.Function<ShardState, LayoutOp> make) {
        String key = null;
        try (Transaction tx = txStart()) {
            if (!serving(meta))
                return null;
            ShardState st = metaStore.shardState(meta, shard);
            if (st == null)
                return null;
            LayoutOp op = make.apply(st);
            if (op == null)
                return null;
            key = key(meta, op.segment());
            driving.add(key);
            metaStore.putShardState(meta, st.withOp(op));
            tx.commit();
            key = null;
            return op;
        }
        finally {
            if (key != null)
                driving.remove(key); // Not begun after all.
        }
    }

    /** The driver's thread is done with the operation (finished, undone, or given up). */
    void released(CollectionMeta meta, long segment) {
        driving.remove(key(meta, segment));
    }

    /** @return whether a thread of this node drives the operation making {@code segment} right now. */
    public boolean driving(CollectionMeta meta, long segment) {
        return driving.contains(key(meta, segment));
    }

    java.util.UUID localNodeId() {
        return ignite.cluster().localNode().id();
    }

    /** @return whether {@code node} is in the topology. */
    boolean alive(java.util.UUID node) {
        return ignite.cluster().node(node) != null;
    }

    private static String key(CollectionMeta meta, long segment) {
        return meta.uid() + '#' + segment;
    }

    /**
     * Publishes the operation's segment: it joins the shard's served segments in place of its sources (which are
     * forwarded to it). Locks the collection's metadata too, so that a replica change and a publish never interleave.
     *
     * @return {@code false} if the operation is no longer in the state (undone meanwhile) or the collection changed.
     */
    boolean publish(CollectionMeta meta, int shard, LayoutOp op, SegmentRef made) {
        try (Transaction tx = txStart()) {
            if (!serving(meta))
                return false;
            ShardState st = metaStore.shardState(meta, shard);
            LayoutOp cur = st == null ? null : st.op(op.segment());
            if (cur == null || cur.phase() != LayoutOp.Phase.BUILDING)
                return false;
            for (long src : op.sources()) {
                if (st.segment(src) == null)
                    return false;
            }
            metaStore.putShardState(meta, st.published(made, cur));
            tx.commit();
            return true;
        }
    }

    /** Applies {@code change} to the shard's state in a transaction; {@code change} may return the state unchanged. */
    void changeState(CollectionMeta meta, int shard, UnaryOperator<ShardState> change) {
        try (Transaction tx = txStart()) {
            ShardState st = metaStore.shardState(meta, shard);
            if (st == null)
                return;
            ShardState next = change.apply(st);
            if (next != st)
                metaStore.putShardState(meta, next);
            tx.commit();
        }
    }

    /**
     * Marks the snapshot's rows as held by {@code seg}: each row unchanged since the snapshot gets the segment in its
     * location and growing entry; a row that changed or left gets a delete mark in the segment instead (the segment
     * holds a version no longer live). The segment is not served yet, so searches keep finding these rows among the
     * growing ones.
     */
    void markRows(CollectionMeta meta, SegmentRef seg, List<GrowingRow> snapshot) {
        List<GrowingRow> sorted = new ArrayList<>(snapshot);
        sorted.sort(Comparator.comparingLong(GrowingRow::pk));
        for (int from = 0; from < sorted.size(); from += ROW_BATCH) {
            List<GrowingRow> batch = sorted.subList(from, Math.min(sorted.size(), from + ROW_BATCH));
            TreeMap<LocKey, GrowingRow> byLoc = new TreeMap<>(Comparator.comparingLong(LocKey::pk));
            TreeSet<RowKey> rowKeys = new TreeSet<>(RowKey.ORDER);
            for (GrowingRow r : batch) {
                byLoc.put(new LocKey(r.pk(), seg.shard()), r);
                rowKeys.add(new RowKey(r.pk(), seg.shard()));
            }
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal(); Transaction tx = txStart()) {
                Map<Long, BinaryObject> locs = WritePath.byPk(locs(meta).getAll(byLoc.navigableKeySet()));
                Map<Long, BinaryObject> rows = WritePath.byPk(rows(meta).getAll(rowKeys));
                TreeMap<LocKey, BinaryObject> newLocs = new TreeMap<>(Comparator.comparingLong(LocKey::pk));
                TreeMap<RowKey, BinaryObject> newRows = new TreeMap<>(RowKey.ORDER);
                TreeMap<DeleteKey, Boolean> marks = new TreeMap<>(DeleteKey.ORDER);
                for (Map.Entry<LocKey, GrowingRow> e : byLoc.entrySet()) {
                    long pk = e.getKey().pk();
                    BinaryObject loc = locs.get(pk);
                    BinaryObject row = rows.get(pk);
                    long v = e.getValue().version();
                    if (loc != null && row != null && RowCodec.version(loc) == v && RowCodec.version(row) == v &&
                        RowCodec.segment(loc) == 0 && RowCodec.segment(row) == 0) {
                        newLocs.put(e.getKey(), RowCodec.withSegment(loc, seg.id()));
                        newRows.put(new RowKey(pk, seg.shard()), RowCodec.withSegment(row, seg.id()));
                    }
                    else
                        marks.put(new DeleteKey(seg.id(), pk, seg.slot()), Boolean.TRUE);
                }
                locs(meta).putAll(newLocs);
                rows(meta).putAll(newRows);
                if (!marks.isEmpty())
                    deletes(meta).putAll(marks);
                tx.commit();
            }
        }
    }

    /**
     * Undoes {@link #markRows}: rows still marked with {@code segmentId} go back to growing. Used when a seal is
     * undone; a row upserted or deleted since was marked anew by its writer and is left alone.
     */
    void unmarkRows(CollectionMeta meta, int shard, long segmentId) {
        ShardRows view = shardRows(meta, shard);
        if (view == null)
            throw new VecgridException("shard " + shard + " of collection '" + meta.name() + "' is not OWNING on node " +
                ignite.cluster().localNode().id() + "; cannot undo segment " + segmentId + " here");
        List<GrowingRow> marked = view.markedBy(segmentId);
        for (int from = 0; from < marked.size(); from += ROW_BATCH) {
            List<GrowingRow> batch = marked.subList(from, Math.min(marked.size(), from + ROW_BATCH));
            TreeSet<LocKey> locKeys = new TreeSet<>(Comparator.comparingLong(LocKey::pk));
            TreeSet<RowKey> rowKeys = new TreeSet<>(RowKey.ORDER);
            for (GrowingRow r : batch) {
                locKeys.add(new LocKey(r.pk(), shard));
                rowKeys.add(new RowKey(r.pk(), shard));
            }
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal(); Transaction tx = txStart()) {
                Map<Long, BinaryObject> locs = WritePath.byPk(locs(meta).getAll(locKeys));
                Map<Long, BinaryObject> rows = WritePath.byPk(rows(meta).getAll(rowKeys));
                TreeMap<LocKey, BinaryObject> newLocs = new TreeMap<>(Comparator.comparingLong(LocKey::pk));
                TreeMap<RowKey, BinaryObject> newRows = new TreeMap<>(RowKey.ORDER);
                for (LocKey k : locKeys) {
                    BinaryObject loc = locs.get(k.pk());
                    BinaryObject row = rows.get(k.pk());
                    if (loc != null && RowCodec.segment(loc) == segmentId)
                        newLocs.put(k, RowCodec.withSegment(loc, 0));
                    if (row != null && RowCodec.segment(row) == segmentId)
                        newRows.put(new RowKey(k.pk(), shard), RowCodec.withSegment(row, 0));
                }
                locs(meta).putAll(newLocs);
                rows(meta).putAll(newRows);
                tx.commit();
            }
        }
    }

    /**
     * The hand-off: removes the growing entries of rows whose segment the shard serves now (their vectors live in the
     * segment from here on). A row that changed since it was sealed is growing again and stays.
     *
     * @return rows handed off.
     */
    int handOff(CollectionMeta meta, int shard) {
        ShardState st = metaStore.shardState(meta, shard);
        if (st == null)
            return 0;
        Set<Long> served = new HashSet<>();
        for (SegmentRef s : st.segments())
            served.add(s.id());
        served.addAll(st.forwards().keySet());
        long[] done = markedRows(meta, shard, served);
        int n = 0;
        for (int from = 0; from < done.length; from += ROW_BATCH) {
            TreeSet<RowKey> keys = new TreeSet<>(RowKey.ORDER);
            for (int i = from; i < Math.min(done.length, from + ROW_BATCH); i++)
                keys.add(new RowKey(done[i], shard));
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal(); Transaction tx = txStart()) {
                Map<Long, BinaryObject> rows = WritePath.byPk(rows(meta).getAll(keys));
                TreeSet<RowKey> remove = new TreeSet<>(RowKey.ORDER);
                for (RowKey k : keys) {
                    BinaryObject row = rows.get(k.pk());
                    if (row != null && served.contains(RowCodec.segment(row)))
                        remove.add(k);
                }
                rows(meta).removeAll(remove);
                tx.commit();
                n += remove.size();
            }
        }
        return n;
    }

    /**
     * Primary keys of the shard's growing entries marked by one of {@code segments}, in key order: from this node's
     * view when it holds the shard's rows, else from a scan of the shard's partition on a node that does. A merge or
     * move may be finished on a node the partition left while it ran (a node joined or left meanwhile); its hand-off
     * must still happen there, as the sources stop being forwarded right after it, and rows marked by a segment the
     * shard no longer knows would never be handed off (nor sealed again).
     */
    private long[] markedRows(CollectionMeta meta, int shard, Set<Long> segments) {
        ShardRows view = shardRows(meta, shard);
        List<Long> pks = new ArrayList<>();
        if (view != null) {
            for (GrowingRow r : view.marked()) {
                if (segments.contains(r.segment()))
                    pks.add(r.pk());
            }
        }
        else {
            IgniteCache<Object, BinaryObject> rows = ignite.<Object, BinaryObject>cache(meta.rowsCache()).withKeepBinary();
            try (org.apache.ignite.cache.query.QueryCursor<Long> cur = rows.query(
                new org.apache.ignite.cache.query.ScanQuery<Object, BinaryObject>().setPartition(shard)
                    .setFilter(new MarkedBy(segments)), new PkOf())) {
                for (Long pk : cur)
                    pks.add(pk);
            }
        }
        return pks.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Scan filter: growing entries marked by one of the given segments. Runs on the node holding the partition. */
    private static final class MarkedBy implements org.apache.ignite.lang.IgniteBiPredicate<Object, BinaryObject> {
        private static final long serialVersionUID = 1L;
        private final HashSet<Long> segments;

        MarkedBy(Set<Long> segments) {
            this.segments = new HashSet<>(segments);
        }

        @Override public boolean apply(Object key, BinaryObject row) {
            long seg = RowCodec.segment(row);
            return seg != 0 && segments.contains(seg);
        }
    }

    /** Scan transformer: only the primary key of a found entry travels back. */
    private static final class PkOf implements org.apache.ignite.lang.IgniteClosure<javax.cache.Cache.Entry<Object, BinaryObject>, Long> {
        private static final long serialVersionUID = 1L;

        @Override public Long apply(javax.cache.Cache.Entry<Object, BinaryObject> e) {
            return WritePath.pkOf(e.getKey());
        }
    }

    /**
     * Re-points the locations of {@code pks} (rows of the published segment {@code made}) from any of the operation's
     * sources to {@code made}, so that the forwards can go. Idempotent.
     */
    void repoint(CollectionMeta meta, int shard, long[] pks, Set<Long> sources, long made) {
        for (int from = 0; from < pks.length; from += ROW_BATCH) {
            TreeSet<LocKey> keys = new TreeSet<>(Comparator.comparingLong(LocKey::pk));
            for (int i = from; i < Math.min(pks.length, from + ROW_BATCH); i++)
                keys.add(new LocKey(pks[i], shard));
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal(); Transaction tx = txStart()) {
                Map<Long, BinaryObject> locs = WritePath.byPk(locs(meta).getAll(keys));
                TreeMap<LocKey, BinaryObject> next = new TreeMap<>(Comparator.comparingLong(LocKey::pk));
                for (LocKey k : keys) {
                    BinaryObject loc = locs.get(k.pk());
                    if (loc != null && sources.contains(RowCodec.segment(loc)))
                        next.put(k, RowCodec.withSegment(loc, made));
                }
                locs(meta).putAll(next);
                tx.commit();
            }
        }
    }

    /**
     * Waits until every live owner of the segment's slot reports a serviceable copy: only then may it be published
     * (losing any node right after costs no search) and may its sources leave.
     *
     * @return {@code false} on timeout, or if the collection was dropped or changed its caches meanwhile.
     */
    boolean awaitServiceable(CollectionMeta meta, SegmentRef ref) {
        long deadline = System.currentTimeMillis() + SERVICEABLE_TIMEOUT_MILLIS;
        while (true) {
            List<UUID> copies = routing.refresh().copies(meta.segmentsCache(), ref.id());
            Set<UUID> owners = new HashSet<>();
            for (ClusterNode n : ignite.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(ref.slot()))
                owners.add(n.id());
            if (!owners.isEmpty() && copies.containsAll(owners))
                return true;
            if (System.currentTimeMillis() > deadline)
                return false;
            CollectionMeta cur = metaStore.meta(meta.name());
            if (cur == null || cur.generation(meta.uid()) == null || cur.state() == CollectionState.DROPPING)
                return false;
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Undoes an operation that did not publish: it leaves the state, its segment's chunks and marks are removed. */
    void undo(CollectionMeta meta, int shard, LayoutOp op) {
        if (op.kind() == LayoutOp.Kind.SEAL)
            unmarkRows(meta, shard, op.segment());
        changeState(meta, shard, st -> {
            LayoutOp cur = st.op(op.segment());
            return cur != null && cur.phase() == LayoutOp.Phase.BUILDING ? st.withoutOp(op.segment()) : st;
        });
        SegmentStorage.remove(ignite, meta, op.segment(), op.slot(), -1);
    }

    /**
     * Locks the collection's metadata inside the current transaction and checks that it is READY on the same caches:
     * a replica change (which flips the state under the same lock) and a layout step never interleave.
     */
    private boolean serving(CollectionMeta meta) {
        CollectionMeta cur = metaStore.collections().get(meta.name());
        return cur != null && cur.state() == CollectionState.READY && cur.uid().equals(meta.uid());
    }

    private IgniteCache<LocKey, BinaryObject> locs(CollectionMeta meta) {
        return ignite.<LocKey, BinaryObject>cache(meta.locsCache()).withKeepBinary();
    }

    private IgniteCache<RowKey, BinaryObject> rows(CollectionMeta meta) {
        return ignite.<RowKey, BinaryObject>cache(meta.rowsCache()).withKeepBinary();
    }

    private IgniteCache<DeleteKey, Boolean> deletes(CollectionMeta meta) {
        return ignite.<DeleteKey, Boolean>cache(meta.deletesCache()).withKeepBinary();
    }

    private Transaction txStart() {
        return ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ,
            TX_TIMEOUT_MILLIS, 0);
    }
}
