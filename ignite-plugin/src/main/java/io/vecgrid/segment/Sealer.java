package io.vecgrid.segment;

import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.shard.GrowingRow;
import io.vecgrid.shard.ShardRows;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cluster.ClusterNode;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Seals growing rows into small segments, on the primary node of each shard. One seal, each step a short
 * transaction ({@link LayoutSteps}):
 * <ol>
 *   <li>record a SEAL operation with the new segment's id and slot in the shard's state;</li>
 *   <li>take a snapshot of the shard's growing rows from this node's {@link ShardRows} (exact: the rows cache's
 *   interceptor fed it every committed write), build the segment (index built once), write its chunks;</li>
 *   <li>wait until every live owner of its slot serves a copy;</li>
 *   <li>mark the snapshot's unchanged rows with the segment (a changed or deleted row gets a delete mark in it
 *   instead);</li>
 *   <li>publish: the segment joins the shard's served segments and the operation ends;</li>
 *   <li>hand off: the growing entries of the sealed rows leave the rows cache (only their location entries stay).</li>
 * </ol>
 * A search reads one shard state, and searches a row in its segment if that state serves the segment, else among the
 * growing rows: since every mark is on every replica before the publish, a row is never in both places and never in
 * neither. A seal that fails is undone (rows unmarked, chunks removed, operation gone); if its node dies, the
 * coordinator undoes it the same way.
 *
 * <p>Thread-safety: seals of one shard on this node are serialised by a lock; seals of different shards run in
 * parallel; any thread may call.
 */
public final class Sealer {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final LayoutSteps steps;
    private final VecgridConfiguration cfg;
    private final IgniteLogger log;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    private final io.vecgrid.metrics.VecgridMetrics metrics;

    public Sealer(Ignite ignite, MetaStore metaStore, LayoutSteps steps, VecgridConfiguration cfg,
        io.vecgrid.metrics.VecgridMetrics metrics) {
        this.ignite = ignite;
        this.metrics = metrics;
        this.metaStore = metaStore;
        this.steps = steps;
        this.cfg = cfg;
        this.log = ignite.log().getLogger(Sealer.class);
    }

    /**
     * Hands off rows of served segments, then seals while the shard has at least sealRows growing rows (the
     * coordinator's seal task). Must run on the shard's primary.
     *
     * @return number of segments sealed.
     */
    public int sealPastThreshold(CollectionMeta meta, int shard) {
        requirePrimary(meta, shard);
        steps.handOff(meta, shard);
        ShardRows rows = steps.shardRows(meta, shard);
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
        requirePrimary(meta, shard);
        ShardRows rows = steps.shardRows(meta, shard);
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
        steps.handOff(meta, shard);
        return sealed;
    }

    private void requirePrimary(CollectionMeta meta, int shard) {
        ClusterNode primary = ignite.affinity(meta.rowsCache()).mapPartitionToNode(shard);
        if (primary == null || !primary.isLocal())
            throw new VecgridException("node " + ignite.cluster().localNode().id() + " is not the primary of shard " +
                shard + " of collection '" + meta.name() + "'");
    }

    /** Seals up to sealRows growing rows of the shard. @return the new segment, or {@code null} if nothing was sealed. */
    SegmentRef sealOnce(CollectionMeta meta, int shard) {
        ReentrantLock lock = locks.computeIfAbsent(meta.rowsCache() + '#' + shard, k -> new ReentrantLock());
        lock.lock();
        try {
            ShardRows rows = steps.shardRows(meta, shard);
            if (rows == null)
                return null;
            List<GrowingRow> snapshot = rows.sealable(cfg.getSealRows());
            if (snapshot.isEmpty())
                return null;
            long estimate = 8L * meta.spec().dimension() * snapshot.size();
            if (io.vecgrid.cluster.DiskGuard.shortHere(ignite, cfg.getMinFreeDiskBytes(), estimate)) {
                log.warning("Did not seal " + snapshot.size() + " rows of shard " + shard + " of collection '" +
                    meta.name() + "': this node's data directories are short of disk space (minFreeDiskBytes " +
                    cfg.getMinFreeDiskBytes() + "); the rows stay growing and searchable until space is freed");
                return null;
            }
            return seal(meta, shard, snapshot);
        }
        finally {
            lock.unlock();
        }
    }

    private SegmentRef seal(CollectionMeta meta, int shard, List<GrowingRow> snapshot) {
        long start = System.nanoTime();
        int slot = SlotChooser.choose(ignite, meta, metaStore.target(meta));
        LayoutOp op = steps.begin(meta, shard, st -> new LayoutOp(LayoutOp.Kind.SEAL, st.nextSegmentId(), slot, List.of(),
            LayoutOp.Phase.BUILDING, ignite.cluster().localNode().id(), System.currentTimeMillis()));
        if (op == null)
            return null;
        try {
            return sealBegun(meta, shard, snapshot, op, start);
        }
        finally {
            steps.released(meta, op.segment());
        }
    }

    private SegmentRef sealBegun(CollectionMeta meta, int shard, List<GrowingRow> snapshot, LayoutOp op, long start) {
        SegmentRef ref = null;
        long marking = 0;
        try {
            LayoutHooks.at(LayoutHooks.Point.SEAL_BEGUN, ignite, meta, shard, op);
            SealedSegment seg = SegmentBuilder.build(op.segment(), shard, meta.spec(), snapshot, cfg.getSegmentChunkBytes());
            try {
                ref = SegmentStorage.write(ignite, meta, seg, op.slot());
            }
            finally {
                seg.free();
            }
            LayoutHooks.at(LayoutHooks.Point.SEAL_BUILT, ignite, meta, shard, op);
            if (!steps.awaitServiceable(meta, ref))
                throw new VecgridException("no copy of " + ref + " became serviceable on every owner within " +
                    LayoutSteps.SERVICEABLE_TIMEOUT_MILLIS + " ms");
            LayoutHooks.at(LayoutHooks.Point.SEAL_SERVICEABLE, ignite, meta, shard, op);
            marking = System.nanoTime();
            steps.markRows(meta, ref, snapshot);
            LayoutHooks.at(LayoutHooks.Point.SEAL_MARKED, ignite, meta, shard, op);
            if (!steps.publish(meta, shard, op, ref))
                throw new VecgridException("the operation was undone or the collection changed meanwhile");
        }
        catch (RuntimeException e) {
            log.warning("Abandoned the seal of " + snapshot.size() + " rows of shard " + shard + " of collection '" +
                meta.name() + "' (segment " + op.segment() + "): " + e.getMessage() + "; its rows stay growing");
            metrics.sealFailed();
            try {
                steps.undo(meta, shard, op);
            }
            catch (RuntimeException undo) {
                log.warning("Could not undo the seal of segment " + op.segment() + " (the coordinator will): " + undo);
            }
            return null;
        }
        long published = System.nanoTime();
        metrics.sealed((published - start) / 1_000_000);
        LayoutHooks.at(LayoutHooks.Point.SEAL_PUBLISHED, ignite, meta, shard, op);
        int handed = steps.handOff(meta, shard);
        log.info("Sealed " + ref + " of collection '" + meta.name() + "' (" + ref.bytes() + " bytes in " + ref.chunks() +
            " chunks, " + (System.nanoTime() - start) / 1_000_000 + " ms, of which marking rows and publishing " +
            (published - marking) / 1_000_000 + " ms; " + handed + " growing rows handed off)");
        return ref;
    }
}
