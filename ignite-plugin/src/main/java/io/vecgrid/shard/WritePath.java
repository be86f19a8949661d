package io.vecgrid.shard;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.cluster.DiskGuard;
import io.vecgrid.cluster.WriteQuorum;
import io.vecgrid.collection.CacheWriteGuard;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.ShardState;
import io.vecgrid.segment.DeleteKey;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;
import org.apache.ignite.transactions.TransactionOptimisticException;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Insert, upsert and delete. A write is one transaction over the collection's caches, committed {@code FULL_SYNC}:
 * when a call returns, every replica holds the change.
 * <ul>
 *   <li>every live row has a location entry (locations cache: version, the segment holding it, scalar fields); a
 *   growing row also has its whole value in the rows cache, until the segment sealing it is served;</li>
 *   <li>a write that replaces or deletes a sealed row puts a delete mark next to every segment that may hold the row
 *   ({@link ShardState#markTargets}: its segment, the segment an operation in progress is making from it, the one it
 *   is forwarded to), so that searches of those segments stop returning it as soon as the write is acknowledged.</li>
 * </ul>
 * The transaction is OPTIMISTIC SERIALIZABLE and reads the states of the shards it touches and the collection's
 * catalog entry: a layout operation that starts or ends while the write runs changes a state it read, a replica change
 * that starts or switches changes the entry, so the write fails at commit and is retried with the new ones. So its
 * marks always reach every segment the state says they must, and during a replica change it reaches both generations
 * of caches. Conflicts with concurrent writes of the same keys are retried the same way.
 */
public final class WritePath {
    /** Transaction timeout, ms: a write stuck behind a failed node gives up rather than hangs. */
    private static final long TX_TIMEOUT_MILLIS = 60_000;
    /**
     * How long a write whose transaction meets concurrent changes keeps trying, ms. An optimistic transaction fails at
     * once on a key a seal, merge or copy holds locked (for one short step, but a loaded machine stretches it), so
     * it backs off and tries again.
     */
    private static final long RETRY_MILLIS = 30_000;

    private static final Comparator<LocKey> LOC_ORDER = Comparator.comparingLong(LocKey::pk);

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final int maxBatchRows;
    private final DiskGuard disk;
    private final GrowingThrottle throttle;

    public WritePath(Ignite ignite, MetaStore metaStore, int maxBatchRows, DiskGuard disk, GrowingThrottle throttle) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.maxBatchRows = maxBatchRows;
        this.disk = disk;
        this.throttle = throttle;
    }

    public long insert(String collection, List<VectorRow> rows) {
        return write(collection, rows, false);
    }

    public long upsert(String collection, List<VectorRow> rows) {
        return write(collection, rows, true);
    }

    private long write(String collection, List<VectorRow> rows, boolean upsert) {
        CollectionMeta first = metaStore.requireWritable(collection);
        Object[][] scalars = RowValidator.validate(first.spec(), rows, maxBatchRows);
        String what = (upsert ? "upsert into" : "insert into") + " collection '" + collection + "'";
        disk.checkWritable(what);
        WriteQuorum.check(ignite, what);
        throttle.admit(first, shardsOf(first.spec(), rows), what);
        long[] versions = new long[rows.size()];
        for (int i = 0; i < versions.length; i++)
            versions[i] = ThreadLocalRandom.current().nextLong();
        return retrying(collection, meta -> writeTo(meta, rows, scalars, versions, upsert));
    }

    private static Set<Integer> shardsOf(CollectionSpec spec, List<VectorRow> rows) {
        Set<Integer> res = new TreeSet<>();
        for (VectorRow r : rows)
            res.add(RowKey.shardOf(r.pk(), spec.shards()));
        return res;
    }

    /**
     * Runs {@code tx} with the collection's current metadata, again while it fails on a concurrent change (an
     * optimistic conflict, or the collection's generations changed: a replica change began or switched).
     */
    private long retrying(String collection, java.util.function.ToLongFunction<CollectionMeta> tx) {
        long deadline = System.currentTimeMillis() + RETRY_MILLIS;
        for (int attempt = 1; ; attempt++) {
            CollectionMeta meta = metaStore.requireWritable(collection);
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
                return tx.applyAsLong(meta);
            }
            catch (RuntimeException e) {
                if (!conflict(e) || System.currentTimeMillis() > deadline) {
                    if (e instanceof VecgridException && !(e instanceof GenerationsChanged))
                        throw e;
                    // Never Ignite's transaction dump (kilobytes of internals) in a user-facing message.
                    throw new VecgridException("write to collection '" + collection + "' failed, nothing was " +
                        "acknowledged: " + (conflict(e) ? "it met concurrent changes of the same rows (or a seal or " +
                        "merge holding them, or nodes leaving) for " + RETRY_MILLIS / 1000 + " s over " + attempt +
                        " attempts; retry" :
                        e.getMessage()), e);
                }
                sleep(Math.min(200, attempt * 5L) + ThreadLocalRandom.current().nextInt(10));
            }
        }
    }

    /** @return whether every row of the batch exists with the version this write gave it (a retried write that landed). */
    private static boolean appliedBefore(List<VectorRow> rows, long[] versions, Map<Long, BinaryObject> existing) {
        if (existing.size() != rows.size())
            return false;
        for (int i = 0; i < rows.size(); i++) {
            BinaryObject b = existing.get(rows.get(i).pk());
            if (b == null || RowCodec.version(b) != versions[i])
                return false;
        }
        return true;
    }

    /**
     * @return whether the transaction failed before it could commit and can simply run again: an optimistic conflict,
     *     the generations changed, or the topology changed while it prepared (a node left or joined: Ignite rolls the
     *     transaction back; a node stopping gracefully causes this too). Never an outcome Ignite could not settle
     *     (heuristic), which may have been applied.
     */
    private static boolean conflict(Throwable e) {
        boolean topology = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransactionOptimisticException || t instanceof GenerationsChanged)
                return true;
            if (t instanceof org.apache.ignite.transactions.TransactionHeuristicException)
                return false;
            if (t instanceof org.apache.ignite.cluster.ClusterTopologyException ||
                t instanceof org.apache.ignite.internal.cluster.ClusterTopologyCheckedException)
                topology = true;
        }
        return topology;
    }

    /**
     * @return the generations of caches a write must reach: the current one and, while a replica change copies the
     *      collection, the one it is building (the copy never overwrites a newer write, and this keeps the new
     *      generation from missing one made during the copy).
     */
    private List<Caches> generations(CollectionMeta meta) {
        List<Caches> res = new java.util.ArrayList<>(2);
        res.add(new Caches(meta));
        if (meta.pending() != null)
            res.add(new Caches(meta.pending()));
        return res;
    }

    /**
     * Reads the catalog entry in the current transaction: a replica change that starts or switches generations
     * changes it, so the write fails at commit (optimistic validation) or here, and is retried with the new ones.
     */
    private void checkGenerations(CollectionMeta meta) {
        CollectionMeta cur = metaStore.collections().get(meta.name());
        boolean same = cur != null && cur.uid().equals(meta.uid()) &&
            (cur.pending() == null ? meta.pending() == null : meta.pending() != null && cur.pending().uid().equals(meta.pending().uid()));
        if (!same)
            throw new GenerationsChanged(meta.name());
    }

    private long writeTo(CollectionMeta meta, List<VectorRow> rows, Object[][] scalars, long[] versions, boolean upsert) {
        CollectionSpec spec = meta.spec();
        List<Caches> gens = generations(meta);
        TreeSet<LocKey> locKeys = new TreeSet<>(LOC_ORDER);
        TreeSet<RowKey> rowKeys = new TreeSet<>(RowKey.ORDER);
        for (VectorRow r : rows) {
            locKeys.add(LocKey.of(r.pk(), spec.shards()));
            rowKeys.add(RowKey.of(r.pk(), spec.shards()));
        }
        try (Transaction tx = txStart(rows.size() * gens.size())) {
            checkGenerations(meta);
            Caches cur = gens.get(0);
            Map<Integer, ShardState> states = states(cur, rowKeys);
            Map<Long, BinaryObject> existing = byPk(cur.locs.getAll(locKeys));
            if (!upsert && !existing.isEmpty() && appliedBefore(rows, versions, existing)) {
                // An earlier attempt of this very write committed although its caller saw the topology change
                // (commit outcome settled by Ignite's recovery): the rows are there with this write's versions.
                return rows.size();
            }
            if (!upsert && !existing.isEmpty()) {
                long pk = existing.keySet().stream().min(Long::compare).orElse(0L);
                throw new InvalidRequestException("primary key " + pk + " already exists in collection '" + meta.name() +
                    "' (" + existing.size() + " of the batch's keys exist); nothing was written; use upsert to replace rows");
            }
            Map<DeleteKey, Boolean> marks = deleteMarks(meta, existing, states);
            for (Caches g : gens) {
                RowCodec codec = new RowCodec(ignite, g.meta);
                TreeMap<LocKey, BinaryObject> locs = new TreeMap<>(LOC_ORDER);
                TreeMap<RowKey, BinaryObject> growing = new TreeMap<>(RowKey.ORDER);
                for (int i = 0; i < rows.size(); i++) {
                    VectorRow r = rows.get(i);
                    float[] vec = Arrays.copyOf(r.vector(), r.vector().length);
                    locs.put(LocKey.of(r.pk(), spec.shards()), codec.encodeLoc(scalars[i], versions[i], 0));
                    growing.put(RowKey.of(r.pk(), spec.shards()), codec.encodeRow(vec, scalars[i], versions[i]));
                }
                g.locs.putAll(locs);
                g.rows.putAll(growing);
                if (!marks.isEmpty())
                    g.deletes.putAll(marks);
            }
            tx.commit();
        }
        return rows.size();
    }

    public long delete(String collection, long... pks) {
        metaStore.requireWritable(collection);
        RowValidator.checkBatchSize(pks == null ? 0 : pks.length, maxBatchRows, "primary keys");
        WriteQuorum.check(ignite, "delete from collection '" + collection + "'");
        return retrying(collection, meta -> deleteFrom(meta, pks));
    }

    private long deleteFrom(CollectionMeta meta, long[] pks) {
        CollectionSpec spec = meta.spec();
        TreeSet<LocKey> keys = new TreeSet<>(LOC_ORDER);
        for (long pk : pks)
            keys.add(LocKey.of(pk, spec.shards()));
        List<Caches> gens = generations(meta);
        try (Transaction tx = txStart(keys.size() * gens.size())) {
            checkGenerations(meta);
            Caches cur = gens.get(0);
            Map<Long, BinaryObject> existing = byPk(cur.locs.getAll(keys));
            TreeSet<RowKey> rowKeys = new TreeSet<>(RowKey.ORDER);
            TreeSet<LocKey> present = new TreeSet<>(LOC_ORDER);
            for (LocKey k : keys) {
                if (existing.containsKey(k.pk())) {
                    present.add(k);
                    rowKeys.add(new RowKey(k.pk(), k.shard()));
                }
            }
            Map<Integer, ShardState> states = states(cur, rowKeys);
            Map<DeleteKey, Boolean> marks = deleteMarks(meta, existing, states);
            for (Caches g : gens) {
                g.locs.removeAll(present);
                g.rows.removeAll(rowKeys);
                if (!marks.isEmpty())
                    g.deletes.putAll(marks);
            }
            tx.commit();
            return present.size();
        }
    }

    /** @return the states of the shards of {@code keys}, read in the current transaction (validated at commit). */
    private Map<Integer, ShardState> states(Caches c, Set<RowKey> keys) {
        TreeSet<String> stateKeys = new TreeSet<>();
        for (RowKey k : keys)
            stateKeys.add(MetaStore.shardKey(k.shard()));
        Map<Integer, ShardState> res = new HashMap<>();
        if (stateKeys.isEmpty())
            return res;
        for (Object v : c.state.getAll(stateKeys).values()) {
            ShardState st = (ShardState)v;
            res.put(st.shard(), st);
        }
        return res;
    }

    /**
     * @return delete marks for the rows of {@code existing} (locations by pk) that a segment holds or is sealing:
     *      one per segment that may hold the row.
     */
    static Map<DeleteKey, Boolean> deleteMarks(CollectionMeta meta, Map<Long, BinaryObject> existing,
        Map<Integer, ShardState> states) {
        Map<DeleteKey, Boolean> marks = new TreeMap<>(DeleteKey.ORDER);
        for (Map.Entry<Long, BinaryObject> e : existing.entrySet()) {
            long seg = RowCodec.segment(e.getValue());
            if (seg == 0)
                continue;
            long pk = e.getKey();
            ShardState st = states.get(RowKey.shardOf(pk, meta.spec().shards()));
            if (st == null)
                throw new VecgridException("collection '" + meta.name() + "' has no state for the shard of pk " + pk +
                    "; was it dropped?");
            for (long target : st.markTargets(seg)) {
                int slot = st.slotOf(target);
                if (slot >= 0)
                    marks.put(new DeleteKey(target, pk, slot), Boolean.TRUE);
            }
        }
        return marks;
    }

    /**
     * @param rows result of a keep-binary {@code getAll} on a rows or locations cache: its keys are binary objects
     *      whatever the map's declared type, so never iterate it through a typed lambda.
     * @return the values by primary key.
     */
    public static Map<Long, BinaryObject> byPk(Map<?, BinaryObject> rows) {
        Map<Long, BinaryObject> res = new HashMap<>();
        for (Map.Entry<?, BinaryObject> e : rows.entrySet())
            res.put(pkOf(e.getKey()), e.getValue());
        return res;
    }

    /** @return primary key of a rows-cache or locations-cache key, whether deserialized or binary. */
    public static long pkOf(Object key) {
        if (key instanceof RowKey)
            return ((RowKey)key).pk();
        if (key instanceof LocKey)
            return ((LocKey)key).pk();
        return ((BinaryObject)key).<Long>field("pk");
    }

    private Transaction txStart(int size) {
        return ignite.transactions().txStart(TransactionConcurrency.OPTIMISTIC, TransactionIsolation.SERIALIZABLE,
            TX_TIMEOUT_MILLIS, 2 * size + 4);
    }

    public IgniteCache<RowKey, BinaryObject> rows(CollectionMeta meta) {
        return ignite.<RowKey, BinaryObject>cache(meta.rowsCache()).withKeepBinary();
    }

    public IgniteCache<LocKey, BinaryObject> locs(CollectionMeta meta) {
        return ignite.<LocKey, BinaryObject>cache(meta.locsCache()).withKeepBinary();
    }

    private IgniteCache<DeleteKey, Boolean> deletes(CollectionMeta meta) {
        return ignite.<DeleteKey, Boolean>cache(meta.deletesCache()).withKeepBinary();
    }

    /**
     * The caches a write touches, opened before its transaction: on a node that has not used a cache yet (a thick
     * client) opening it starts it, which Ignite refuses inside a transaction.
     */
    private final class Caches {
        final CollectionMeta meta;
        final IgniteCache<LocKey, BinaryObject> locs;
        final IgniteCache<RowKey, BinaryObject> rows;
        final IgniteCache<DeleteKey, Boolean> deletes;
        final IgniteCache<String, Object> state;

        Caches(CollectionMeta meta) {
            this.meta = meta;
            // A generation dropped since its metadata was read (a replica change retired it): start again.
            if (ignite.cache(meta.locsCache()) == null || ignite.cache(meta.rowsCache()) == null ||
                ignite.cache(meta.deletesCache()) == null)
                throw new GenerationsChanged(meta.name());
            locs = locs(meta);
            rows = rows(meta);
            deletes = deletes(meta);
            state = metaStore.state(meta);
        }
    }

    /** The collection's generations of caches changed while a write ran: it starts again with the new ones. */
    private static final class GenerationsChanged extends VecgridException {
        private static final long serialVersionUID = 1L;

        GenerationsChanged(String collection) {
            super("collection '" + collection + "' changed its caches (replica change) during the write");
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
}
