package io.vecgrid.segment;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.config.VecgridConfiguration;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Rewrites sealed segments of a shard into a new one: MERGE (the live rows of several segments, or of one
 * delete-heavy segment, into one segment with a new index: compaction, and growing small segments into large ones) and
 * MOVE (one segment copied as it is, index included, into another slot: balance). The sources serve throughout.
 * <ol>
 *   <li>record the operation in the shard's state: from then on every delete or upsert of a source's row also marks
 *   the row in the new segment;</li>
 *   <li>read the sources' live rows (after step 1, so a delete is either seen here or marks the new segment) and
 *   build the new segment, or copy the source's bytes for a move (and its delete marks);</li>
 *   <li>write it and wait until every live owner of its slot serves it;</li>
 *   <li>publish: it replaces the sources, which are forwarded to it;</li>
 *   <li>re-point the rows' locations to it, end the forwards and the operation, and drop the sources after a grace
 *   period for searches planned against them.</li>
 * </ol>
 * A rewrite that fails before publishing is undone; one whose node dies is undone (before step 4) or finished (after)
 * by the coordinator ({@link #finish}).
 *
 * <p>Thread-safety: one rewrite per shard at a time on this node (seals of the shard go on meanwhile); any thread may
 * call.
 */
public final class Rewriter {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final LayoutSteps steps;
    private final SegmentStore store;
    private final VecgridConfiguration cfg;
    private final IgniteLogger log;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** Attempts of the driver to finish a published rewrite (0.2 s more between each two: about 9 s in all). */
    private static final int FINISH_ATTEMPTS = 10;

    private final io.vecgrid.metrics.VecgridMetrics metrics;

    public Rewriter(Ignite ignite, MetaStore metaStore, LayoutSteps steps, SegmentStore store, VecgridConfiguration cfg,
        io.vecgrid.metrics.VecgridMetrics metrics) {
        this.ignite = ignite;
        this.metrics = metrics;
        this.metaStore = metaStore;
        this.steps = steps;
        this.store = store;
        this.cfg = cfg;
        this.log = ignite.log().getLogger(Rewriter.class);
    }

    /** Merges the live rows of {@code sources} into one new segment. @return it, or {@code null} if not done. */
    public SegmentRef merge(CollectionMeta meta, int shard, List<Long> sources) {
        return rewrite(meta, shard, LayoutOp.Kind.MERGE, sources, null);
    }

    /** Moves {@code source} into {@code slot}, bytes and index unchanged. @return the copy, or {@code null}. */
    public SegmentRef move(CollectionMeta meta, int shard, long source, int slot) {
        return rewrite(meta, shard, LayoutOp.Kind.MOVE, List.of(source), slot);
    }

    private SegmentRef rewrite(CollectionMeta meta, int shard, LayoutOp.Kind kind, List<Long> sources, Integer slot) {
        ReentrantLock lock = locks.computeIfAbsent(meta.rowsCache() + '#' + shard, k -> new ReentrantLock());
        if (!lock.tryLock())
            return null;
        try {
            int targetSlot = slot != null ? slot : SlotChooser.choose(ignite, meta, metaStore.target(meta));
            LayoutOp op = steps.begin(meta, shard, st -> {
                for (long src : sources) {
                    if (st.segment(src) == null || st.busy(src))
                        return null;
                }
                return new LayoutOp(kind, st.nextSegmentId(), targetSlot, sources, LayoutOp.Phase.BUILDING,
                    ignite.cluster().localNode().id(), System.currentTimeMillis());
            });
            if (op == null)
                return null;
            try {
                return rewriteBegun(meta, shard, kind, sources, op);
            }
            finally {
                steps.released(meta, op.segment());
            }
        }
        finally {
            lock.unlock();
        }
    }

    private SegmentRef rewriteBegun(CollectionMeta meta, int shard, LayoutOp.Kind kind, List<Long> sources, LayoutOp op) {
        long start = System.nanoTime();
        SegmentRef made;
        List<SegmentRef> refs = new ArrayList<>();
        try {
            ShardState st = metaStore.shardState(meta, shard);
            for (long src : sources)
                refs.add(st.segment(src));
            LayoutHooks.at("BEGUN", ignite, meta, shard, op);
            made = kind == LayoutOp.Kind.MOVE ? copy(meta, refs.get(0), op) : build(meta, shard, refs, op);
            LayoutHooks.at("BUILT", ignite, meta, shard, op);
            if (!steps.awaitServiceable(meta, made))
                throw new VecgridException(made + " did not become serviceable on every owner within " +
                    LayoutSteps.SERVICEABLE_TIMEOUT_MILLIS + " ms");
            LayoutHooks.at("SERVICEABLE", ignite, meta, shard, op);
            if (!steps.publish(meta, shard, op, made))
                throw new VecgridException("the operation was undone or the collection changed meanwhile");
        }
        catch (RuntimeException e) {
            if (kind == LayoutOp.Kind.MOVE)
                metrics.moveFailed();
            else
                metrics.mergeFailed();
            log.warning("Abandoned " + kind + " of " + sources + " of collection '" + meta.name() + "' into segment " +
                op.segment() + ": " + e.getMessage() + "; the sources serve on");
            try {
                steps.undo(meta, shard, op);
            }
            catch (RuntimeException undo) {
                log.warning("Could not undo segment " + op.segment() + " (the coordinator will): " + undo);
            }
            return null;
        }
        LayoutHooks.at("PUBLISHED", ignite, meta, shard, op);
        finishPublished(meta, shard, op, made);
        if (kind == LayoutOp.Kind.MOVE)
            metrics.moved((System.nanoTime() - start) / 1_000_000);
        else
            metrics.merged((System.nanoTime() - start) / 1_000_000);
        log.info((kind == LayoutOp.Kind.MOVE ? "Moved " : "Merged ") + refs + " of collection '" + meta.name() +
            "' into " + made + " (" + made.bytes() + " bytes, " + (System.nanoTime() - start) / 1_000_000 + " ms)");
        return made;
    }

    /**
     * Finishes the rewrite this node published, again while a step fails: a node leaving the cluster fails a step's
     * transaction ("retry transaction if possible"), and the coordinator finishes an operation whose driver is alive only
     * once it has been left for {@code RecoveryChecker.ORPHAN_MILLIS}, so giving up at once would leave the shard's
     * operation PUBLISHED, its compaction and balancing blocked, meanwhile.
     * {@link #finish} is idempotent.
     */
    private void finishPublished(CollectionMeta meta, int shard, LayoutOp op, SegmentRef made) {
        for (int attempt = 1; ; attempt++) {
            try {
                finish(meta, shard, metaStore.shardState(meta, shard).op(op.segment()), made);
                return;
            }
            catch (RuntimeException e) {
                if (attempt >= FINISH_ATTEMPTS)
                    throw e;
                log.warning("Could not finish published segment " + op.segment() + " of collection '" + meta.name() +
                    "' (attempt " + attempt + ", will retry): " + e.getMessage());
                try {
                    Thread.sleep(200L * attempt);
                }
                catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** @return the copy of a segment in another slot: its bytes with the new id, and its delete marks. */
    private SegmentRef copy(CollectionMeta meta, SegmentRef src, LayoutOp op) {
        ByteBuffer owner = SegmentStorage.readWhole(ignite, meta, src);
        try {
            ByteBuffer buf = DirectBuffers.aligned(owner, src.bytes());
            buf.putLong(8, op.segment());
            SegmentRef made = SegmentStorage.writeEncoded(ignite, meta, buf, op.segment(), src.shard(), src.rows(),
                op.slot(), cfg.getSegmentChunkBytes());
            // Marks written before the operation began; later deletes mark the copy themselves.
            SegmentStorage.copyMarks(ignite, meta, src.id(), src.slot(), op.segment(), op.slot());
            return made;
        }
        finally {
            DirectBuffers.free(owner);
        }
    }

    /** @return the new segment holding the live rows of {@code refs}, written. */
    private SegmentRef build(CollectionMeta meta, int shard, List<SegmentRef> refs, LayoutOp op) {
        // Each source is held until the new segment is written: this node's loaded copy (a reference keeps its memory
        // from being freed if it is retired meanwhile), else a copy read from the cluster (freed at the end).
        List<Runnable> done = new ArrayList<>();
        try {
            List<SealedSegment> segs = new ArrayList<>();
            for (SegmentRef r : refs)
                segs.add(source(meta, r, done));
            SealedSegment merged = merge(meta, shard, refs, segs, op);
            try {
                return SegmentStorage.write(ignite, meta, merged, op.slot());
            }
            finally {
                merged.free();
            }
        }
        finally {
            done.forEach(Runnable::run);
        }
    }

    /** @return the live rows of {@code segs}, in a new segment with a new index (owning its direct memory). */
    private SealedSegment merge(CollectionMeta meta, int shard, List<SegmentRef> refs, List<SealedSegment> segs, LayoutOp op) {
        CollectionSpec spec = meta.spec();
        int dim = spec.dimension();
        List<Set<Long>> dead = new ArrayList<>();
        int total = 0;
        for (SegmentRef r : refs) {
            // Read after the operation began: a delete committed later marks the new segment too.
            dead.add(SegmentStorage.deletedPks(ignite, meta, r.id(), r.slot()));
            total += r.rows();
        }
        // Live rows of every source, in primary key order (a key is live in at most one source).
        TreeSet<long[]> order = new TreeSet<>((a, b) -> Long.compare(a[0], b[0]));
        for (int s = 0; s < segs.size(); s++) {
            SealedSegment seg = segs.get(s);
            for (int i = 0; i < seg.rows(); i++) {
                if (!dead.get(s).contains(seg.pk(i)) && !order.add(new long[] {seg.pk(i), s, i}))
                    log.warning("Primary key " + seg.pk(i) + " is live in two segments of shard " + shard + " of '" +
                        meta.name() + "'; the merge keeps one");
            }
        }
        int n = order.size();
        long[] pks = new long[n];
        List<ScalarField> fields = spec.scalarFields();
        Object[][] cols = new Object[fields.size()][n];
        // The rows are copied from the sources' images into direct memory (64-byte aligned, as in the new image) and
        // the graph is built over them there: no heap array of the whole merged segment's vectors.
        long vecBytes = 4L * n * dim;
        ByteBuffer owner = DirectBuffers.allocateAligned(vecBytes);
        try {
            ByteBuffer vectors = DirectBuffers.aligned(owner, vecBytes);
            int row = 0;
            for (long[] e : order) {
                SealedSegment seg = segs.get((int)e[1]);
                int ord = (int)e[2];
                pks[row] = e[0];
                seg.copyVector(ord, vectors, 4 * row * dim);
                for (int c = 0; c < cols.length; c++)
                    cols[c][row] = seg.scalars()[c].value(ord);
                row++;
            }
            ScalarColumn[] scalars = new ScalarColumn[fields.size()];
            for (int c = 0; c < scalars.length; c++)
                scalars[c] = ScalarColumn.of(fields.get(c).type(), cols[c]);
            int seed = seedSource(spec, segs, dead);
            int[] seedRows = seed < 0 ? null : seedRows(order, seed, segs.get(seed).rows());
            byte[] index = seedRows == null ? SegmentIndexes.build(spec, vectors, n)
                : SegmentIndexes.build(spec, vectors, n, segs.get(seed), seedRows);
            int seeded = seedRows == null ? 0 : (int)Arrays.stream(seedRows).filter(r -> r >= 0).count();
            metrics.mergeBuilt(n, spec.index().type() != IndexType.HNSW ? 0 : n - seeded);
            log.info("Built segment " + op.segment() + " of collection '" + meta.name() + "' from " + total + " rows of " +
                refs.size() + " segments (" + n + " live" + (seedRows == null ? "" : "; " + (n - seeded) +
                " rows inserted into the graph of segment " + refs.get(seed).id() + ", " + (seedRows.length - seeded) +
                " of its rows dropped from it") + ")");
            return SealedSegment.assemble(op.segment(), shard, dim, spec.metric(), spec.index(), pks, vectors, scalars,
                index, cfg.getSegmentChunkBytes());
        }
        finally {
            DirectBuffers.free(owner);
        }
    }

    /**
     * Largest share of a source's rows that may be deleted for its graph to seed a merge: each deleted row leaves the
     * graph and the lists that named it are chosen again around it, which costs about as much as inserting a row for
     * each list mended, so a source with many deleted rows is cheaper rebuilt.
     */
    static final double SEED_MAX_DELETED = 0.1;

    /**
     * @return the source whose graph the merged segment's graph starts from, or -1: the HNSW source with the most live
     *      rows among those with at most {@link #SEED_MAX_DELETED} of their rows deleted, so only the other sources'
     *      rows are inserted. Which source seeds changes the cost only: HNSW inserts a row into a graph of other rows
     *      the same way whichever rows those are.
     */
    private static int seedSource(CollectionSpec spec, List<SealedSegment> segs, List<Set<Long>> dead) {
        if (spec.index().type() != IndexType.HNSW)
            return -1;
        int best = -1;
        long bestLive = 0;
        for (int s = 0; s < segs.size(); s++) {
            SealedSegment seg = segs.get(s);
            long live = seg.rows() - dead.get(s).size();
            if (seg.index().type() == IndexType.HNSW && live > bestLive && dead.get(s).size() <= SEED_MAX_DELETED * seg.rows()) {
                best = s;
                bestLive = live;
            }
        }
        return best;
    }

    /**
     * @return where each row of source {@code seed} landed in the merged segment ({@code order} is its rows: pk,
     *      source, row), -1 for a row that did not (deleted, or its key live in another source too, which kept it).
     */
    private static int[] seedRows(Collection<long[]> order, int seed, int rows) {
        int[] at = new int[rows];
        Arrays.fill(at, -1);
        int row = 0;
        for (long[] e : order) {
            if (e[1] == seed)
                at[(int)e[2]] = row;
            row++;
        }
        return at;
    }

    /**
     * @return a source's content: this node's loaded copy if it has one (referenced), else read from the cluster;
     *      {@code done} receives what gives it back (release or free).
     */
    private SealedSegment source(CollectionMeta meta, SegmentRef ref, List<Runnable> done) {
        LoadedSegment local = store.get(meta, ref.id());
        if (local != null && local.acquire()) {
            done.add(local::release);
            return local.segment();
        }
        SealedSegment read = SegmentStorage.read(ignite, meta, ref);
        done.add(read::free);
        return read;
    }

    /**
     * Finishes a published rewrite: re-points the locations of its rows from the sources to the new segment, ends the
     * forwards and the operation, and drops the sources after {@code replacedSegmentGraceMillis}. Idempotent: the
     * coordinator calls it again when the node that published died before finishing.
     *
     * @param made the new segment, or {@code null} to look it up in the shard's state.
     */
    public void finish(CollectionMeta meta, int shard, LayoutOp op, SegmentRef made) {
        if (op == null || op.phase() != LayoutOp.Phase.PUBLISHED)
            return;
        ShardState st = metaStore.shardState(meta, shard);
        if (made == null)
            made = st.segment(op.segment());
        if (made != null) {
            LoadedSegment local = store.get(meta, made.id());
            long[] pks = null;
            if (local != null && local.acquire()) {
                try {
                    pks = local.segment().pks();
                }
                finally {
                    local.release();
                }
            }
            if (pks == null)
                pks = SegmentStorage.readPks(ignite, meta, made);
            steps.repoint(meta, shard, pks, new HashSet<>(op.sources()), made.id());
        }
        LayoutHooks.at("REPOINTED", ignite, meta, shard, op); // only when this node drives op, not when recovering it
        // Growing entries still marked by a source (its seal's driver died between publishing and handing off): the
        // source is forwarded until the next step, after which no hand-off would ever take them out.
        steps.handOff(meta, shard);
        // The sources stay in the shard's state until the coordinator drops them after the grace period (searches
        // planned against an older target may still read them), whoever finished the operation.
        long dropAt = System.currentTimeMillis() + cfg.getReplacedSegmentGraceMillis();
        steps.changeState(meta, shard, s -> s.forwardsDone(op.segment(), dropAt));
        if (made != null && made.rows() == 0)
            SegmentStorage.remove(ignite, meta, made.id(), made.slot(), made.chunks());
    }

    /**
     * Drops the chunks and delete marks of retired segments whose grace period is over, then takes them out of the
     * shard's state. Idempotent: run again if this node dies in between.
     *
     * @return what was done.
     */
    public String dropRetired(CollectionMeta meta, int shard) {
        ShardState st = metaStore.shardState(meta, shard);
        List<SegmentRef> due = st == null ? List.of() : st.droppable(System.currentTimeMillis());
        if (due.isEmpty())
            return "nothing to drop";
        Set<Long> ids = new HashSet<>();
        for (SegmentRef r : due) {
            SegmentStorage.remove(ignite, meta, r.id(), r.slot(), r.chunks());
            ids.add(r.id());
        }
        steps.changeState(meta, shard, s -> s.dropped(ids));
        return "dropped replaced segments " + ids;
    }
}
