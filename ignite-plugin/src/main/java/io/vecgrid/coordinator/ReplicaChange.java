package io.vecgrid.coordinator;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CacheWriteGuard;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionManager;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.search.RoutingTable;
import io.vecgrid.segment.DeleteKey;
import io.vecgrid.segment.SegmentStorage;
import io.vecgrid.shard.LocKey;
import io.vecgrid.shard.RowCodec;
import io.vecgrid.shard.RowKey;
import io.vecgrid.shard.WritePath;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

import javax.cache.Cache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Changes the replica number of a collection while it serves searches and writes. Ignite cannot change the backups
 * of a cache, so the change builds a new generation of caches beside the current one. The change is owned by the
 * coordinator, not by the caller, and every step is recorded in the collection's metadata and safe to repeat, so it
 * finishes even if the node that asked for it, or the one carrying it out, dies:
 * <ol>
 *   <li>{@link #request}: the collection turns RESHAPING with the new generation as its {@code pending} one (one
 *   transaction). From then on every write goes to both generations (see {@code WritePath}); searches go on against
 *   the current one; seals, merges and moves wait (those in progress finish or are undone first).</li>
 *   <li>{@link #drive} (the coordinator's task, on any node, again after a failure): create the new generation's
 *   caches, copy the rows, locations, delete marks and segment chunks into them (a copied key is read under lock in
 *   the current generation, so the copy never overwrites a newer write), and wait until every segment of the target
 *   has a serviceable copy on every owner in the new generation;</li>
 *   <li>switch, in one transaction that checks no layout operation runs: the new generation is current and READY, the
 *   old one retired; searches planned before the switch finish on it;</li>
 *   <li>{@link #retire}: after a grace period, the coordinator destroys the retired generation's caches.</li>
 * </ol>
 * Writes are not blocked by the copy: they go on, growing rows accumulate while seals wait (up to each shard's growing
 * cap, past which writers are slowed and then refused until seals resume after the switch).
 */
public final class ReplicaChange {
    /** How long the retired generation keeps serving searches planned before the switch, ms. */
    static final long RETIRE_GRACE_MILLIS = 3_000;
    /** How long {@link #request} waits for the change to finish before it returns, ms (the change goes on anyway). */
    static final long REQUEST_WAIT_MILLIS = 600_000;
    private static final int COPY_BATCH = 500;
    private static final long SERVICEABLE_TIMEOUT_MILLIS = 300_000;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final CollectionManager collections;
    private final RoutingCache routing;
    private final IgniteLogger log;

    public ReplicaChange(Ignite ignite, MetaStore metaStore, CollectionManager collections, RoutingCache routing) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.collections = collections;
        this.routing = routing;
        this.log = ignite.log().getLogger(ReplicaChange.class);
    }

    /**
     * Asks for the change (step 1) and waits until the coordinator finished it.
     *
     * @return the collection's description once it has {@code replicas} replicas.
     * @throws InvalidRequestException if {@code replicas} is out of range or another change is in progress.
     */
    public CollectionDescription request(String name, int replicas) {
        int servers = ignite.cluster().forServers().nodes().size();
        if (replicas < 1 || replicas > servers) {
            throw new InvalidRequestException("replicaNumber must be in [1, " + servers + "] (the number of server nodes), got " +
                replicas);
        }
        awaitRetired(name);
        CollectionMeta next;
        try (Transaction tx = metaStore.txStart()) {
            CollectionMeta cur = metaStore.collections().get(name);
            if (cur == null || (cur.state() != CollectionState.READY && cur.state() != CollectionState.RESHAPING))
                throw new VecgridException("collection '" + name + "' is " + (cur == null ? "gone" : cur.state()) + ", not READY");
            if (cur.pending() != null) {
                if (cur.pending().spec().replicas() != replicas) {
                    throw new InvalidRequestException("collection '" + name + "' is already changing its replica number to " +
                        cur.pending().spec().replicas() + "; wait until it is done, then ask again");
                }
                next = cur.pending();
            }
            else if (cur.retired() != null) {
                throw new InvalidRequestException("collection '" + name + "' is still retiring its previous replica change; " +
                    "retry in a few seconds");
            }
            else if (cur.spec().replicas() == replicas) {
                tx.commit();
                return collections.describe(name);
            }
            else {
                next = cur.nextGeneration(UUID.randomUUID().toString().substring(0, 8), replicas);
                metaStore.putMeta(cur.reshapingTo(next));
                log.info("Replica change of collection '" + name + "' to " + replicas + " replicas requested (was " +
                    cur.spec().replicas() + "); the coordinator carries it out");
            }
            tx.commit();
        }
        long deadline = System.currentTimeMillis() + REQUEST_WAIT_MILLIS;
        while (true) {
            CollectionMeta m = metaStore.meta(name);
            if (m == null)
                throw new VecgridException("collection '" + name + "' was dropped during its replica change");
            if (m.uid().equals(next.uid()))
                return collections.describe(name);
            if (m.pending() == null || !m.pending().uid().equals(next.uid()))
                throw new VecgridException("the replica change of collection '" + name + "' was abandoned (" + m + ")");
            if (System.currentTimeMillis() > deadline) {
                throw new VecgridException("the replica change of collection '" + name + "' to " + replicas +
                    " replicas did not finish within " + REQUEST_WAIT_MILLIS + " ms; it goes on: 'describe' shows when it is done");
            }
            sleep(50);
        }
    }

    /**
     * Steps 2 and 3: copies the collection into its pending generation and switches to it. Idempotent: run again after
     * any failure, on any node.
     *
     * @return what happened.
     */
    public String drive(String name) {
        CollectionMeta cur = metaStore.meta(name);
        if (cur == null || cur.state() != CollectionState.RESHAPING || cur.pending() == null)
            return "nothing to do";
        CollectionMeta next = cur.pending();
        long start = System.nanoTime();
        CollectionCaches.changeCaches(() ->
            ignite.getOrCreateCaches(CollectionCaches.configurations(next, collections.segmentsRegion())));
        if (!noLayoutOps(cur))
            return "waiting for layout operations to finish";
        CollectionTarget target;
        try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
            copy(cur.rowsCache(), next.rowsCache(), next, false);
            copy(cur.locsCache(), next.locsCache(), next, true);
            copyDeletes(cur, next);
            target = metaStore.target(cur);
            copySegments(cur, next, target);
        }
        awaitServiceable(next, target);
        try (Transaction tx = metaStore.txStart()) {
            CollectionMeta now = metaStore.collections().get(name);
            if (now == null || !now.uid().equals(cur.uid()) || now.pending() == null || !now.pending().uid().equals(next.uid()))
                return "changed meanwhile";
            List<ShardState> shards = metaStore.shardStates(now);
            for (ShardState st : shards) {
                if (!st.ops().isEmpty())
                    return "a layout operation began meanwhile";
            }
            // No seal published since the copy: the target copied is still the target.
            if (CollectionTarget.of(shards).version() != target.version())
                return "the target changed meanwhile";
            metaStore.putMeta(now.switched(System.currentTimeMillis()));
            tx.commit();
        }
        log.info("Collection '" + name + "' now has " + next.spec().replicas() + " replicas (was " + cur.spec().replicas() +
            "), copied in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        return "switched to " + next.spec().replicas() + " replicas";
    }

    /**
     * Step 4: drops the retired generation once searches planned against it are over, and gives the current one the
     * SQL table (Ignite allows one table per name).
     */
    public String retire(String name) {
        CollectionMeta cur = metaStore.meta(name);
        if (cur == null || cur.retired() == null)
            return "nothing to do";
        if (System.currentTimeMillis() - cur.retiredAtMillis() < RETIRE_GRACE_MILLIS)
            return "not yet";
        CollectionMeta old = cur.retired();
        try (Transaction tx = metaStore.txStart()) {
            CollectionMeta now = metaStore.collections().get(name);
            if (now != null && now.uid().equals(cur.uid()) && now.retired() != null)
                metaStore.putMeta(now.withoutRetired());
            tx.commit();
        }
        CollectionCaches.changeCaches(() -> ignite.destroyCaches(CollectionCaches.names(old)));
        io.vecgrid.sql.CollectionTables.attach(ignite, cur);
        return "retired generation " + old.uid();
    }

    /** Waits (bounded) until a previous replica change of the collection has dropped its retired generation. */
    private void awaitRetired(String name) {
        long deadline = System.currentTimeMillis() + 20 * RETIRE_GRACE_MILLIS;
        while (true) {
            CollectionMeta m = metaStore.meta(name);
            if (m == null || m.retired() == null || System.currentTimeMillis() > deadline)
                return;
            sleep(50);
        }
    }

    /** @return whether no shard of the collection has a layout operation in progress. */
    private boolean noLayoutOps(CollectionMeta meta) {
        for (ShardState st : metaStore.shardStates(meta)) {
            if (!st.ops().isEmpty())
                return false;
        }
        return true;
    }

    /**
     * Copies the growing rows or the locations of the current generation, recoded for the new one. Each batch reads
     * its keys under lock in the current generation, so a write that committed meanwhile (to both generations) is
     * never overwritten by an older value, and a key deleted meanwhile is not brought back.
     */
    private void copy(String fromCache, String toCache, CollectionMeta next, boolean locs) {
        IgniteCache<Object, BinaryObject> from = ignite.<Object, BinaryObject>cache(fromCache).withKeepBinary();
        IgniteCache<Object, BinaryObject> to = ignite.<Object, BinaryObject>cache(toCache).withKeepBinary();
        RowCodec codec = new RowCodec(ignite, next);
        List<Object> keys = new ArrayList<>();
        try (QueryCursor<Object> cur = from.query(new ScanQuery<Object, BinaryObject>(), Cache.Entry::getKey)) {
            for (Object k : cur) {
                keys.add(locs ? LocKey.from(k) : RowKey.from(k));
                if (keys.size() >= COPY_BATCH) {
                    copyBatch(from, to, keys, codec, locs);
                    keys.clear();
                }
            }
        }
        if (!keys.isEmpty())
            copyBatch(from, to, keys, codec, locs);
    }

    private void copyBatch(IgniteCache<Object, BinaryObject> from, IgniteCache<Object, BinaryObject> to, List<Object> keys,
        RowCodec codec, boolean locs) {
        TreeSet<Object> sorted = new TreeSet<>(Comparator.comparingLong(WritePath::pkOf));
        sorted.addAll(keys);
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC,
            TransactionIsolation.REPEATABLE_READ, 60_000, 0)) {
            Map<Object, BinaryObject> cur = from.getAll(sorted);
            TreeMap<Object, BinaryObject> batch = new TreeMap<>(Comparator.comparingLong(WritePath::pkOf));
            for (Map.Entry<Object, BinaryObject> e : cur.entrySet()) {
                Object key = locs ? LocKey.from(e.getKey()) : RowKey.from(e.getKey());
                batch.put(key, codec.recode(e.getValue(), locs));
            }
            to.putAll(batch);
            tx.commit();
        }
    }

    private void copyDeletes(CollectionMeta old, CollectionMeta next) {
        IgniteCache<Object, Object> from = ignite.cache(old.deletesCache()).withKeepBinary();
        IgniteCache<Object, Object> to = ignite.cache(next.deletesCache()).withKeepBinary();
        TreeMap<DeleteKey, Object> batch = new TreeMap<>(DeleteKey.ORDER);
        try (QueryCursor<Cache.Entry<Object, Object>> cur = from.query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur) {
                batch.put(DeleteKey.from(e.getKey()), e.getValue());
                if (batch.size() >= COPY_BATCH) {
                    to.putAll(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty())
            to.putAll(batch);
    }

    /** Copies the target's segments (immutable: a plain copy), skipping those already there. */
    private void copySegments(CollectionMeta old, CollectionMeta next, CollectionTarget target) {
        for (SegmentRef ref : target.segments())
            SegmentStorage.copy(ignite, old, next, ref);
    }

    private void awaitServiceable(CollectionMeta next, CollectionTarget target) {
        long deadline = System.currentTimeMillis() + SERVICEABLE_TIMEOUT_MILLIS;
        while (true) {
            RoutingTable table = routing.refresh();
            boolean all = true;
            for (SegmentRef ref : target.segments()) {
                Set<UUID> owners = new HashSet<>();
                for (ClusterNode n : ignite.affinity(next.segmentsCache()).mapPartitionToPrimaryAndBackups(ref.slot()))
                    owners.add(n.id());
                if (owners.isEmpty() || !table.copies(next.segmentsCache(), ref.id()).containsAll(owners)) {
                    all = false;
                    break;
                }
            }
            if (all)
                return;
            if (System.currentTimeMillis() > deadline) {
                throw new VecgridException("the new copies of collection '" + next.name() + "' did not become serviceable within " +
                    SERVICEABLE_TIMEOUT_MILLIS + " ms; the change is tried again");
            }
            sleep(50);
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
