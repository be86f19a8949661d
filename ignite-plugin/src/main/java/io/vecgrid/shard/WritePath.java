package io.vecgrid.shard;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.segment.DeleteKey;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import java.util.ArrayList;
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
 * Insert, upsert, delete, get and count. Writes are one pessimistic transaction over the rows cache (and the deletes
 * cache when a sealed row is replaced or deleted), committed {@code FULL_SYNC}: when a call returns, every replica
 * holds the change. Keys are locked in (shard, pk) order so concurrent writers and sealers never deadlock.
 *
 * <p>A sealed row that is replaced or deleted gets a delete mark next to its segment ({@link DeleteKey}) in the same
 * transaction, so searches of that segment stop returning it as soon as the write is acknowledged.
 */
public final class WritePath {
    /** Transaction timeout, ms: a write stuck behind a failed node gives up rather than hangs. */
    private static final long TX_TIMEOUT_MILLIS = 60_000;

    private static final Comparator<RowKey> KEY_ORDER =
        Comparator.comparingInt(RowKey::shard).thenComparingLong(RowKey::pk);

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final int maxBatchRows;

    public WritePath(Ignite ignite, MetaStore metaStore, int maxBatchRows) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.maxBatchRows = maxBatchRows;
    }

    public long insert(String collection, List<VectorRow> rows) {
        return write(collection, rows, false);
    }

    public long upsert(String collection, List<VectorRow> rows) {
        return write(collection, rows, true);
    }

    private long write(String collection, List<VectorRow> rows, boolean upsert) {
        CollectionMeta meta = metaStore.awaitWritable(collection);
        Object[][] scalars = RowValidator.validate(meta.spec(), rows, maxBatchRows);
        long n = writeTo(meta, rows, scalars, upsert);
        // A replica change may have copied the collection while this write committed to the caches it replaces:
        // apply the write to the new caches as well before acknowledging it.
        for (CollectionMeta now = metaStore.meta(collection); movedOn(meta, now); now = metaStore.meta(collection)) {
            meta = metaStore.awaitWritable(collection);
            writeTo(meta, rows, scalars, true);
        }
        return n;
    }

    /** @return {@code true} if the collection is changing its caches, or has changed them since {@code used}. */
    private static boolean movedOn(CollectionMeta used, CollectionMeta now) {
        return now != null && (now.state() == CollectionState.RESHAPING || !now.uid().equals(used.uid()));
    }

    private long writeTo(CollectionMeta meta, List<VectorRow> rows, Object[][] scalars, boolean upsert) {
        String collection = meta.name();
        CollectionSpec spec = meta.spec();
        RowCodec codec = new RowCodec(ignite, meta);

        TreeMap<RowKey, BinaryObject> batch = new TreeMap<>(KEY_ORDER);
        for (int i = 0; i < rows.size(); i++) {
            VectorRow r = rows.get(i);
            float[] vec = Arrays.copyOf(r.vector(), r.vector().length);
            batch.put(RowKey.of(r.pk(), spec.shards()),
                codec.encode(r.pk(), vec, scalars[i], ThreadLocalRandom.current().nextLong()));
        }

        IgniteCache<RowKey, BinaryObject> rowsCache = rows(meta);
        // Opened before the transaction: on a node that has not used the cache yet (a thick client) this starts it,
        // which Ignite refuses inside a transaction.
        IgniteCache<DeleteKey, Boolean> deletesCache = deletes(meta);
        try (Transaction tx = txStart(batch.size())) {
            Map<RowKey, BinaryObject> existing = rowsCache.getAll(batch.navigableKeySet());
            if (!upsert && !existing.isEmpty()) {
                long pk = byPk(existing).keySet().stream().min(Long::compare).orElse(0L);
                throw new InvalidRequestException("primary key " + pk + " already exists in collection '" + collection +
                    "' (" + existing.size() + " of the batch's keys exist); nothing was written; use upsert to replace rows");
            }
            Map<DeleteKey, Boolean> marks = deleteMarks(existing);
            rowsCache.putAll(batch);
            if (!marks.isEmpty())
                deletesCache.putAll(marks);
            tx.commit();
        }
        catch (VecgridException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new VecgridException("write to collection '" + collection + "' failed, nothing was acknowledged: " +
                e.getMessage(), e);
        }
        return batch.size();
    }

    public long delete(String collection, long... pks) {
        CollectionMeta meta = metaStore.awaitWritable(collection);
        RowValidator.checkBatchSize(pks == null ? 0 : pks.length, maxBatchRows, "primary keys");
        long n = deleteFrom(meta, pks);
        for (CollectionMeta now = metaStore.meta(collection); movedOn(meta, now); now = metaStore.meta(collection)) {
            meta = metaStore.awaitWritable(collection);
            deleteFrom(meta, pks);
        }
        return n;
    }

    private long deleteFrom(CollectionMeta meta, long[] pks) {
        String collection = meta.name();
        Set<RowKey> keys = sortedKeys(meta.spec(), pks);
        IgniteCache<RowKey, BinaryObject> rowsCache = rows(meta);
        IgniteCache<DeleteKey, Boolean> deletesCache = deletes(meta); // before the transaction, as in writeTo
        try (Transaction tx = txStart(keys.size())) {
            Map<RowKey, BinaryObject> existing = rowsCache.getAll(keys);
            Map<DeleteKey, Boolean> marks = deleteMarks(existing);
            Map<Long, BinaryObject> existingByPk = byPk(existing);
            TreeSet<RowKey> present = new TreeSet<>(KEY_ORDER);
            for (RowKey k : keys) {
                if (existingByPk.containsKey(k.pk()))
                    present.add(k);
            }
            rowsCache.removeAll(present);
            if (!marks.isEmpty())
                deletesCache.putAll(marks);
            tx.commit();
            return present.size();
        }
        catch (RuntimeException e) {
            throw new VecgridException("delete from collection '" + collection + "' failed, nothing was acknowledged: " +
                e.getMessage(), e);
        }
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
        Map<Long, BinaryObject> byPk = byPk(rows(meta).getAll(sortedKeys(spec, pks)));
        RowCodec codec = new RowCodec(ignite, meta);
        List<VectorRow> res = new ArrayList<>();
        for (long pk : pks) {
            BinaryObject row = byPk.get(pk);
            if (row != null)
                res.add(codec.toRow(pk, row, withVector, scalarNames));
        }
        return res;
    }

    public long count(String collection) {
        return count(metaStore.requireServing(collection));
    }

    /** @return live rows: each shard counted on a node that owns its partition, all shards at once. */
    public long count(CollectionMeta meta) {
        List<IgniteFuture<Long>> sizes = new ArrayList<>();
        for (int shard = 0; shard < meta.spec().shards(); shard++) {
            sizes.add(ignite.compute().affinityCallAsync(List.of(meta.rowsCache()), shard,
                new ShardSizeJob(meta.rowsCache(), shard)));
        }
        long n = 0;
        try {
            for (IgniteFuture<Long> f : sizes)
                n += f.get();
        }
        catch (RuntimeException e) {
            throw new VecgridException("count of collection '" + meta.name() + "' failed: " + e.getMessage(), e);
        }
        return n;
    }

    /** Delete marks for those of {@code existing} that a sealed segment holds. */
    private static Map<DeleteKey, Boolean> deleteMarks(Map<?, BinaryObject> existing) {
        Map<DeleteKey, Boolean> marks = new TreeMap<>(Comparator.comparingLong(DeleteKey::segmentId)
            .thenComparingLong(DeleteKey::pk));
        for (Map.Entry<?, BinaryObject> e : existing.entrySet()) {
            long seg = RowCodec.segment(e.getValue());
            if (seg != 0)
                marks.put(new DeleteKey(seg, pkOf(e.getKey()), RowCodec.slot(e.getValue())), Boolean.TRUE);
        }
        return marks;
    }

    private static TreeSet<RowKey> sortedKeys(CollectionSpec spec, long[] pks) {
        TreeSet<RowKey> keys = new TreeSet<>(KEY_ORDER);
        for (long pk : pks)
            keys.add(RowKey.of(pk, spec.shards()));
        return keys;
    }

    /**
     * @param rows result of a keep-binary {@code getAll} on a rows cache: its keys are binary objects whatever the
     *      map's declared type, so never iterate it through a typed lambda.
     * @return the rows by primary key.
     */
    public static Map<Long, BinaryObject> byPk(Map<?, BinaryObject> rows) {
        Map<Long, BinaryObject> res = new HashMap<>();
        for (Map.Entry<?, BinaryObject> e : rows.entrySet())
            res.put(pkOf(e.getKey()), e.getValue());
        return res;
    }

    /** @return primary key of a rows-cache key, whether deserialized or binary. */
    public static long pkOf(Object key) {
        return RowKey.from(key).pk();
    }

    private Transaction txStart(int size) {
        return ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ,
            TX_TIMEOUT_MILLIS, size);
    }

    public IgniteCache<RowKey, BinaryObject> rows(CollectionMeta meta) {
        return ignite.<RowKey, BinaryObject>cache(meta.rowsCache()).withKeepBinary();
    }

    private IgniteCache<DeleteKey, Boolean> deletes(CollectionMeta meta) {
        return ignite.<DeleteKey, Boolean>cache(meta.deletesCache()).withKeepBinary();
    }
}
