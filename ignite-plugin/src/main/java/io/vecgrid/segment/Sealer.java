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
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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

    /** Periodic check: seals every shard this node is primary for whose growing rows reached the threshold. */
    public void checkAll() {
        for (Cache.Entry<String, CollectionMeta> e : metaStore.collections().localEntries(CachePeekMode.ALL)) {
            CollectionMeta meta = e.getValue();
            if (meta.state() != CollectionState.READY)
                continue;
            for (int shard = 0; shard < meta.spec().shards(); shard++) {
                try {
                    if (!isPrimary(meta, shard))
                        continue;
                    ShardRows rows = shardRows(meta, shard);
                    while (rows != null && rows.growingCount() >= cfg.getSealRows()) {
                        if (sealOnce(meta, shard) == null)
                            break;
                    }
                }
                catch (RuntimeException ex) {
                    if (metaStore.meta(meta.name()) != null)
                        log.warning("Seal check of collection '" + meta.name() + "' shard " + shard + " failed: " + ex, ex);
                }
            }
        }
        growing.purgeSealed(cfg.getSearchTimeoutMillis() + 5_000, name -> metaStore.target(name).segmentIds());
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

    /** @return the new segment, or {@code null} if nothing was sealed. */
    SegmentRef sealOnce(CollectionMeta meta, int shard) {
        ReentrantLock lock = locks.computeIfAbsent(meta.rowsCache() + '#' + shard, k -> new ReentrantLock());
        lock.lock();
        try {
            ShardRows rows = shardRows(meta, shard);
            if (rows == null)
                return null;
            CollectionTarget target = metaStore.target(meta.name());
            List<GrowingRow> snapshot = rows.sealable(cfg.getSealRows(), target.segmentIds(), STRANDED_MILLIS);
            if (snapshot.isEmpty())
                return null;
            long id = reserveId(meta);
            int slot = SlotChooser.choose(ignite, meta, target);
            long start = System.nanoTime();
            SealedSegment seg = SegmentBuilder.build(id, shard, meta.spec(), snapshot);
            byte[] bytes = seg.encode();
            SegmentKey key = new SegmentKey(id, slot);
            IgniteCache<SegmentKey, byte[]> segments = ignite.cache(meta.segmentsCache());
            segments.put(key, bytes);
            SegmentRef ref = new SegmentRef(id, shard, slot, snapshot.size());
            if (!awaitServiceable(meta, ref)) {
                segments.remove(key);
                log.warning("Abandoned seal of " + ref + " of collection '" + meta.name() + "': no copy became " +
                    "serviceable within " + SERVICEABLE_TIMEOUT_MILLIS + " ms; its rows stay growing");
                return null;
            }
            if (!markRows(meta, ref, snapshot, target) || !publish(meta, ref, snapshot)) {
                segments.remove(key);
                log.info("Abandoned seal of " + ref + " of collection '" + meta.name() + "': rows were sealed elsewhere");
                return null;
            }
            log.info("Sealed " + ref + " of collection '" + meta.name() + "' (" + bytes.length + " bytes, " +
                (System.nanoTime() - start) / 1_000_000 + " ms)");
            return ref;
        }
        finally {
            lock.unlock();
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
            CollectionTarget t = metaStore.targets().get(meta.name());
            if (t == null)
                throw new VecgridException("collection '" + meta.name() + "' has no target; was it dropped?");
            metaStore.targets().put(meta.name(), t.withReservedId());
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
                else if (RowCodec.segment(cur) != 0 && target.contains(RowCodec.segment(cur)))
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
    private boolean publish(CollectionMeta meta, SegmentRef ref, List<GrowingRow> snapshot) {
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
            CollectionTarget t = metaStore.targets().get(meta.name());
            if (t == null)
                return false;
            metaStore.targets().put(meta.name(), t.withChange(List.of(ref), List.of()));
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
