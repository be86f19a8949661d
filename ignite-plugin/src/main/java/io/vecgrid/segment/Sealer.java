package io.vecgrid.segment;

import io.vecgrid.api.CollectionState;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.shard.GrowingRegistry;
import io.vecgrid.shard.GrowingRow;
import io.vecgrid.shard.RowCodec;
import io.vecgrid.shard.RowKey;
import io.vecgrid.shard.ShardRows;
import io.vecgrid.shard.WritePath;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import javax.cache.Cache;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Seals growing rows into sealed segments, on the primary node of each shard.
 *
 * <p>One seal: take a snapshot of the shard's growing rows from this node's {@link ShardRows} (exact: the rows
 * cache's interceptor fed it every committed write), build the segment, write it to the segments cache, then
 * <ol>
 *   <li>in one pessimistic transaction lock the snapshot's rows, mark each unchanged row as held by the segment and
 *   put a delete mark for each row that changed or vanished since the snapshot;</li>
 *   <li>in a second one, check under lock that no other sealer re-marked those rows and add the segment to the
 *   target.</li>
 * </ol>
 * A search uses one target version, and searches a row in its segment if that target names the segment, else among
 * the growing rows: since every mark is on every replica before the target names the segment, a row is never in both
 * places and never in neither. If another sealer got there first (a primary changed mid-seal), the seal is abandoned
 * and its segment entry removed.
 *
 * <p>Thread-safety: seals of one shard on this node are serialised by a lock; any thread may call.
 */
public final class Sealer {
    private static final long TX_TIMEOUT_MILLIS = 120_000;

    /**
     * Rows marked by a seal whose segment has not reached the target after this long were stranded by a sealer that
     * died between its two steps: they are sealed again.
     */
    static final long STRANDED_MILLIS = 3 * TX_TIMEOUT_MILLIS;

    /** How long a seal waits for a first serviceable copy of its segment before it gives up. */
    static final long SERVICEABLE_TIMEOUT_MILLIS = 120_000;

    /** After the first copy is serviceable, how long a seal waits for the other owners' copies. */
    static final long ALL_COPIES_GRACE_MILLIS = 2_000;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final GrowingRegistry growing;
    private final VecgridConfiguration cfg;
    private final IgniteLogger log;
    private final RoutingCache routing;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public Sealer(Ignite ignite, MetaStore metaStore, GrowingRegistry growing, RoutingCache routing,
        VecgridConfiguration cfg) {
        this.ignite = ignite;
        this.routing = routing;
        this.metaStore = metaStore;
        this.growing = growing;
        this.cfg = cfg;
        this.log = ignite.log().getLogger(Sealer.class);
    }

    /**
     * Seals while the shard has at least sealRows growing rows (the coordinator's seal task). Must run on the shard's
     * primary.
     *
     * @return number of segments sealed.
     */
    public int sealPastThreshold(CollectionMeta meta, int shard) {
        if (!isPrimary(meta, shard))
            throw new VecgridException("node " + ignite.cluster().localNode().id() + " is not the primary of shard " +
                shard + " of collection '" + meta.name() + "'");
        ShardRows rows = shardRows(meta, shard);
        int sealed = 0;
        while (rows != null && rows.growingCount() >= cfg.getSealRows()) {
            if (sealOnce(meta, shard) == null)
                break;
            sealed++;
        }
        return sealed;
    }

    /**
     * Seals every row of the shard that is growing now (in segments of at most sealRows rows). Must run on the
     * shard's primary.
     *
     * @return number of segments sealed.
     */
    public int sealAll(CollectionMeta meta, int shard) {
        if (!isPrimary(meta, shard))
            throw new VecgridException("node " + ignite.cluster().localNode().id() + " is not the primary of shard " +
                shard + " of collection '" + meta.name() + "'");
        ShardRows rows = shardRows(meta, shard);
        if (rows == null)
            throw new VecgridException("shard " + shard + " of collection '" + meta.name() + "' is not OWNING on node " +
                ignite.cluster().localNode().id());
        int budget = rows.growingCount() / cfg.getSealRows() + 2;
        int sealed = 0;
        while (budget-- > 0 && rows.growingCount() > 0) {
            if (sealOnce(meta, shard) == null)
                break;
            sealed++;
        }
        return sealed;
    }

    private ShardRows shardRows(CollectionMeta meta, int shard) {
        return growing.rows(meta.name(), meta.rowsCache(), meta.spec().vectorField(), CollectionCaches.scalarNames(meta), shard);
    }

    private boolean isPrimary(CollectionMeta meta, int shard) {
        ClusterNode primary = ignite.affinity(meta.rowsCache()).mapPartitionToNode(shard);
        return primary != null && primary.isLocal();
    }

    /** Seals up to sealRows growing rows of the shard. @return the new segment, or {@code null} if nothing was sealed. */
    SegmentRef sealOnce(CollectionMeta meta, int shard) {
        ReentrantLock lock = lock(meta, shard);
        lock.lock();
        try {
            ShardRows rows = shardRows(meta, shard);
            if (rows == null)
                return null;
            CollectionTarget target = metaStore.target(meta);
            List<GrowingRow> snapshot = rows.sealable(cfg.getSealRows(), target.segmentIds(), STRANDED_MILLIS);
            return build(meta, shard, target, snapshot, List.of(), SlotChooser.choose(ignite, meta, target), "Sealed");
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Rewrites the live rows of {@code sources} (segments of one shard) into one new segment, then replaces them in
     * the target: compaction (small or delete-heavy segments) and re-slotting (balance) are both this. Must run on
     * the shard's primary: the rows come from its local partition, where every live row of a segment is marked with it.
     *
     * @param slot affinity slot of the new segment, or {@code null} to choose the least loaded.
     * @return the new segment, or {@code null} if the rewrite was abandoned (sources changed meanwhile).
     */
    public SegmentRef reseal(CollectionMeta meta, int shard, List<SegmentRef> sources, Integer slot) {
        if (!isPrimary(meta, shard))
            throw new VecgridException("node " + ignite.cluster().localNode().id() + " is not the primary of shard " +
                shard + " of collection '" + meta.name() + "'");
        ReentrantLock lock = lock(meta, shard);
        lock.lock();
        try {
            CollectionTarget target = metaStore.target(meta);
            Set<Long> ids = new HashSet<>();
            for (SegmentRef s : sources) {
                if (!target.contains(s.id()))
                    return null;
                ids.add(s.id());
            }
            List<GrowingRow> snapshot = growing.scanMarked(meta.name(), meta.rowsCache(), meta.spec().vectorField(),
                CollectionCaches.scalarNames(meta), shard, ids);
            return build(meta, shard, target, snapshot, sources, slot != null ? slot : SlotChooser.choose(ignite, meta, target),
                sources.size() == 1 ? "Re-slotted" : "Compacted");
        }
        finally {
            lock.unlock();
        }
    }

    private ReentrantLock lock(CollectionMeta meta, int shard) {
        return locks.computeIfAbsent(meta.rowsCache() + '#' + shard, k -> new ReentrantLock());
    }

    /**
     * Builds a segment of {@code snapshot}, writes it, waits for a serviceable copy, marks the rows, and publishes
     * it in the target in place of {@code sources}; removes the sources' entries and delete marks afterwards.
     */
    private SegmentRef build(CollectionMeta meta, int shard, CollectionTarget target, List<GrowingRow> snapshot,
        List<SegmentRef> sources, int slot, String what) {
        if (snapshot.isEmpty() && sources.isEmpty())
            return null;
        long estimate = 4L * meta.spec().dimension() * snapshot.size() * 2;
        if (io.vecgrid.cluster.DiskGuard.shortHere(ignite, cfg.getMinFreeDiskBytes(), estimate)) {
            log.warning("Did not seal " + snapshot.size() + " rows of shard " + shard + " of collection '" + meta.name() +
                "': this node's data directories are short of disk space (minFreeDiskBytes " + cfg.getMinFreeDiskBytes() +
                "); the rows stay growing and searchable until space is freed");
            return null;
        }
        long id = reserveId(meta);
        long start = System.nanoTime();
        SealedSegment seg = SegmentBuilder.build(id, shard, meta.spec(), snapshot);
        byte[] bytes = seg.encode();
        SegmentKey key = new SegmentKey(id, slot);
        IgniteCache<SegmentKey, byte[]> segments = ignite.cache(meta.segmentsCache());
        SegmentRef ref = new SegmentRef(id, shard, slot, snapshot.size());
        if (!snapshot.isEmpty()) {
            segments.put(key, bytes);
            if (!awaitServiceable(meta, ref)) {
                segments.remove(key);
                log.warning("Abandoned " + ref + " of collection '" + meta.name() + "': no copy became " +
                    "serviceable within " + SERVICEABLE_TIMEOUT_MILLIS + " ms; its rows stay where they were");
                return null;
            }
        }
        long marking = System.nanoTime();
        if (!markRows(meta, ref, snapshot, target) || !publish(meta, ref, snapshot, sources)) {
            segments.remove(key);
            log.info("Abandoned " + ref + " of collection '" + meta.name() + "': its rows changed hands meanwhile");
            return null;
        }
        dropSources(meta, sources);
        log.info(what + " " + ref + (sources.isEmpty() ? "" : " from " + sources) + " of collection '" + meta.name() +
            "' (" + bytes.length + " bytes, " + (System.nanoTime() - start) / 1_000_000 + " ms, of which marking rows and " +
            "publishing " + (System.nanoTime() - marking) / 1_000_000 + " ms)");
        return ref;
    }

    /**
     * Removes replaced segments and their delete marks after a short grace, so that searches planned against the
     * previous target still find loaded copies; a search that comes later still completes: it finds the segment gone
     * from the target and searches the shard's current segments instead.
     */
    private void dropSources(CollectionMeta meta, List<SegmentRef> sources) {
        if (sources.isEmpty())
            return;
        CompletableFuture.delayedExecutor(cfg.getReplacedSegmentGraceMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            try {
                dropNow(meta, sources);
            }
            catch (RuntimeException e) {
                // The node stopped or the collection was dropped meanwhile: nothing left to drop from here.
                log.info("Did not drop replaced segments " + sources + " of collection '" + meta.name() + "': " + e);
            }
        });
    }

    private void dropNow(CollectionMeta meta, List<SegmentRef> sources) {
        IgniteCache<SegmentKey, byte[]> segments = ignite.cache(meta.segmentsCache());
        IgniteCache<Object, Object> deletes = ignite.cache(meta.deletesCache()).withKeepBinary();
        for (SegmentRef s : sources) {
            segments.remove(new SegmentKey(s.id(), s.slot()));
            TreeMap<DeleteKey, Boolean> marks = new TreeMap<>(Comparator.comparingLong(DeleteKey::pk));
            try (QueryCursor<Cache.Entry<Object, Object>> cur = deletes.query(new ScanQuery<>().setPartition(s.slot()))) {
                for (Cache.Entry<Object, Object> e : cur) {
                    DeleteKey k = DeleteKey.from(e.getKey());
                    if (k.segmentId() == s.id())
                        marks.put(k, Boolean.TRUE);
                }
            }
            if (!marks.isEmpty())
                deletes.removeAll(marks.keySet());
        }
    }

    /**
     * Waits until at least one node reports a serviceable copy of the new segment (a search can then use it), and
     * then a short while for every owner, so that a node loss right after the seal costs no reload.
     */
    private boolean awaitServiceable(CollectionMeta meta, SegmentRef ref) {
        long start = System.currentTimeMillis();
        long firstCopyAt = 0;
        while (true) {
            List<UUID> copies = routing.refresh().copies(meta.segmentsCache(), ref.id());
            long now = System.currentTimeMillis();
            if (!copies.isEmpty()) {
                if (firstCopyAt == 0)
                    firstCopyAt = now;
                Set<UUID> owners = new HashSet<>();
                for (ClusterNode n : ignite.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(ref.slot()))
                    owners.add(n.id());
                if (copies.containsAll(owners) || now - firstCopyAt > ALL_COPIES_GRACE_MILLIS)
                    return true;
            }
            if (now - start > SERVICEABLE_TIMEOUT_MILLIS)
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

    private long reserveId(CollectionMeta meta) {
        try (Transaction tx = metaStore.txStart()) {
            CollectionTarget t = metaStore.targetForUpdate(meta);
            if (t == null)
                throw new VecgridException("collection '" + meta.name() + "' has no target; was it dropped?");
            metaStore.putTarget(meta, t.withReservedId());
            tx.commit();
            return t.nextSegmentId();
        }
    }

    /**
     * Step 1: marks the snapshot's unchanged rows as held by the segment and puts delete marks for rows that changed
     * since the snapshot. The target does not name the segment yet, so searches still find these rows among the
     * growing ones.
     */
    private boolean markRows(CollectionMeta meta, SegmentRef ref, List<GrowingRow> snapshot, CollectionTarget target) {
        IgniteCache<RowKey, BinaryObject> rowsCache = rows(meta);
        IgniteCache<DeleteKey, Boolean> deletes = ignite.<DeleteKey, Boolean>cache(meta.deletesCache()).withKeepBinary();
        TreeMap<RowKey, GrowingRow> byKey = keys(ref, snapshot);
        try (Transaction tx = txStart(snapshot.size())) {
            if (!stillServing(meta))
                return false;
            Map<Long, BinaryObject> current = lockRows(rowsCache, byKey);
            TreeMap<RowKey, BinaryObject> marks = new TreeMap<>(Comparator.comparingLong(RowKey::pk));
            TreeMap<DeleteKey, Boolean> dels = new TreeMap<>(Comparator.comparingLong(DeleteKey::pk));
            for (Map.Entry<RowKey, GrowingRow> e : byKey.entrySet()) {
                BinaryObject cur = current.get(e.getKey().pk());
                if (cur == null || RowCodec.version(cur) != e.getValue().version())
                    dels.put(new DeleteKey(ref.id(), e.getKey().pk(), ref.slot()), Boolean.TRUE);
                else if (RowCodec.segment(cur) != e.getValue().segment())
                    return false;
                else
                    marks.put(e.getKey(), RowCodec.markSealed(cur, ref.id(), ref.slot()));
            }
            rowsCache.putAll(marks);
            if (!dels.isEmpty())
                deletes.putAll(dels);
            tx.commit();
            return true;
        }
    }

    /**
     * Step 2: adds the segment to the target, after checking under lock that no other sealer re-marked its rows.
     * Every mark of step 1 is on every replica before this starts (FULL_SYNC), so a search whose target names the
     * segment never finds its rows among the growing ones.
     */
    private boolean publish(CollectionMeta meta, SegmentRef ref, List<GrowingRow> snapshot, List<SegmentRef> sources) {
        IgniteCache<RowKey, BinaryObject> rowsCache = rows(meta);
        try (Transaction tx = txStart(snapshot.size() + 1)) {
            if (!stillServing(meta))
                return false;
            Map<Long, BinaryObject> current = lockRows(rowsCache, keys(ref, snapshot));
            for (BinaryObject cur : current.values()) {
                long seg = RowCodec.segment(cur);
                if (seg != 0 && seg != ref.id())
                    return false;
            }
            CollectionTarget t = metaStore.targetForUpdate(meta);
            if (t == null)
                return false;
            List<Long> removed = new ArrayList<>();
            for (SegmentRef src : sources) {
                if (!t.contains(src.id()))
                    return false;
                removed.add(src.id());
            }
            metaStore.putTarget(meta, t.withChange(ref.rows() == 0 ? List.of() : List.of(ref), removed));
            tx.commit();
            return true;
        }
    }

    /**
     * Locks the collection's metadata inside the current transaction and checks that the collection is READY on the
     * same caches: a replica change (which flips the state under the same lock) and a seal never interleave.
     */
    private boolean stillServing(CollectionMeta meta) {
        CollectionMeta cur = metaStore.collections().get(meta.name());
        return cur != null && cur.state() == CollectionState.READY && cur.uid().equals(meta.uid());
    }

    private IgniteCache<RowKey, BinaryObject> rows(CollectionMeta meta) {
        return ignite.<RowKey, BinaryObject>cache(meta.rowsCache()).withKeepBinary();
    }

    private static TreeMap<RowKey, GrowingRow> keys(SegmentRef ref, List<GrowingRow> snapshot) {
        TreeMap<RowKey, GrowingRow> byKey = new TreeMap<>(Comparator.comparingLong(RowKey::pk));
        for (GrowingRow r : snapshot)
            byKey.put(new RowKey(r.pk(), ref.shard()), r);
        return byKey;
    }

    private static Map<Long, BinaryObject> lockRows(IgniteCache<RowKey, BinaryObject> rowsCache,
        TreeMap<RowKey, GrowingRow> byKey) {
        return WritePath.byPk(rowsCache.getAll(byKey.navigableKeySet()));
    }

    private Transaction txStart(int size) {
        return ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ,
            TX_TIMEOUT_MILLIS, size);
    }
}
