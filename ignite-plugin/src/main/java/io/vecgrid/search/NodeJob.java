package io.vecgrid.search;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.Metric;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.filter.ScalarFilter;
import io.vecgrid.index.SearchHits;
import io.vecgrid.segment.LoadedSegment;
import io.vecgrid.shard.ShardRows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The search work one node does for one search, sent by the router as one message ({@link SearchMessages}): a batch of
 * sealed segments (searched in this node's loaded copies) and the growing rows of the shards this node leads for the
 * search, all in parallel on the node's search executor, reduced here to the top-k of every query and answered as one
 * small {@link NodeAnswer}.
 *
 * <p>A node that cannot serve a segment or shard says so in the answer rather than wait for a load. When the search
 * is answered without this job (its work was hedged elsewhere) or gives up, the router cancels the job: segments not
 * started yet are then skipped, not searched. A job whose search timed out before it started is not run at all.
 */
final class NodeJob extends WireMessage {
    private static final long serialVersionUID = 1L;

    /** The search on its router ({@link SearchMessages}). */
    long searchId;
    /** The job within the search. */
    int unit;
    private String collection;
    private String uid;
    private long[] segments;
    private int[] shards;
    private float[][] queries;
    /** The queries one after the other, as they travel, and their number. */
    private transient float[] flat;
    private transient int nq;
    private int k;
    private int ef;
    private String filter;
    private boolean eventually;
    /** The node routing the search. */
    java.util.UUID router;
    /** Time left of the search when the job was sent, ms: a job that waited longer is dropped, not run. */
    private long timeoutMillis;

    private transient volatile boolean cancelled;

    private static final Field<WireMessage>[] FIELDS = fieldsOf(
        new Field<NodeJob>((m, w) -> w.writeLong("searchId", m.searchId), (m, r) -> m.searchId = r.readLong("searchId")),
        new Field<NodeJob>((m, w) -> w.writeInt("unit", m.unit), (m, r) -> m.unit = r.readInt("unit")),
        new Field<NodeJob>((m, w) -> w.writeString("collection", m.collection), (m, r) -> m.collection = r.readString("collection")),
        new Field<NodeJob>((m, w) -> w.writeString("uid", m.uid), (m, r) -> m.uid = r.readString("uid")),
        new Field<NodeJob>((m, w) -> w.writeLongArray("segments", m.segments), (m, r) -> m.segments = r.readLongArray("segments")),
        new Field<NodeJob>((m, w) -> w.writeIntArray("shards", m.shards), (m, r) -> m.shards = r.readIntArray("shards")),
        new Field<NodeJob>((m, w) -> w.writeInt("nq", m.queries.length), (m, r) -> m.nq = r.readInt("nq")),
        new Field<NodeJob>((m, w) -> w.writeFloatArray("queries", m.flat()), (m, r) -> m.flat = r.readFloatArray("queries")),
        new Field<NodeJob>((m, w) -> w.writeInt("k", m.k), (m, r) -> m.k = r.readInt("k")),
        new Field<NodeJob>((m, w) -> w.writeInt("ef", m.ef), (m, r) -> m.ef = r.readInt("ef")),
        new Field<NodeJob>((m, w) -> w.writeString("filter", m.filter), (m, r) -> m.filter = r.readString("filter")),
        new Field<NodeJob>((m, w) -> w.writeBoolean("eventually", m.eventually), (m, r) -> m.eventually = r.readBoolean("eventually")),
        new Field<NodeJob>((m, w) -> w.writeUuid("router", m.router), (m, r) -> m.router = r.readUuid("router")),
        new Field<NodeJob>((m, w) -> w.writeLong("timeoutMillis", m.timeoutMillis), (m, r) -> m.timeoutMillis = r.readLong("timeoutMillis")));

    NodeJob(SearchContext c, long searchId, int unit, long[] segments, int[] shards, long timeoutMillis) {
        this.searchId = searchId;
        this.unit = unit;
        this.collection = c.meta.name();
        this.uid = c.meta.uid();
        this.segments = segments;
        this.shards = shards;
        this.queries = c.queries;
        this.k = c.topK;
        this.ef = c.ef;
        this.filter = c.filterExpr;
        this.eventually = c.eventually;
        this.router = c.router;
        this.timeoutMillis = timeoutMillis;
    }

    /** For Ignite's message factory: the fields are read from the wire. */
    NodeJob() {
    }

    @Override Field<WireMessage>[] fields() {
        return FIELDS;
    }

    @Override public short directType() {
        return JOB_TYPE;
    }

    private float[] flat() {
        float[] f = flat;
        if (f == null) {
            int dim = queries[0].length;
            f = new float[queries.length * dim];
            for (int q = 0; q < queries.length; q++)
                System.arraycopy(queries[q], 0, f, q * dim, dim);
            flat = f;
        }
        return f;
    }

    @Override void onRead() {
        queries = new float[nq][];
        int dim = nq == 0 ? 0 : flat.length / nq;
        for (int q = 0; q < nq; q++)
            queries[q] = java.util.Arrays.copyOfRange(flat, q * dim, (q + 1) * dim);
        flat = null;
    }

    long[] segments() {
        return segments;
    }

    int[] shards() {
        return shards;
    }

    /** Segments and shards not started yet are skipped; the answer says the job was cancelled. */
    void cancel() {
        cancelled = true;
    }

    /**
     * Runs the job on this node's search executor and hands {@code done} its outcome, a {@link NodeAnswer} or the
     * {@link Throwable} that ended it, exactly once, from one of the executor's threads (or from this thread if the
     * executor refuses the work).
     *
     * @param receivedNanos when the job reached this node ({@link System#nanoTime()}).
     */
    void run(Vecgrid vg, long receivedNanos, java.util.function.Consumer<Object> done) {
        vg.metrics().jobStarted();
        vg.router().routedBy(router);
        if (timeoutMillis > 0 && System.nanoTime() - receivedNanos > timeoutMillis * 1_000_000L)
            cancelled = true;
        try {
            new Run(vg, done).start();
        }
        catch (RuntimeException e) {
            vg.metrics().jobFinished(false);
            done.accept(e instanceof RejectedExecutionException ?
                new VecgridException("search executor of node " + vg.ignite().cluster().localNode().id() + " is stopped") : e);
        }
    }

    /** One execution: every segment and shard a task of the search executor; the last one to finish answers. */
    private final class Run {
        private final Vecgrid vg;
        private final java.util.function.Consumer<Object> done;
        private final long start = System.nanoTime();
        private final AtomicInteger left = new AtomicInteger(segments.length + shards.length);
        private final Object lock = new Object();
        private final List<List<long[]>> hits = new ArrayList<>();
        private final List<Long> searched = new ArrayList<>();
        private final List<Long> unavailable = new ArrayList<>();
        private final List<Long> loading = new ArrayList<>();
        private final List<Integer> shardsSearched = new ArrayList<>();
        private final List<Integer> shardsUnavailable = new ArrayList<>();
        private final List<List<SegmentRef>> leaderSegs = new ArrayList<>();
        private final List<Long> leaderVersions = new ArrayList<>();
        private volatile Throwable failure;
        private CollectionMeta meta;
        private ScalarFilter parsed;

        Run(Vecgrid vg, java.util.function.Consumer<Object> done) {
            this.vg = vg;
            this.done = done;
            for (int q = 0; q < queries.length; q++)
                hits.add(new ArrayList<>());
        }

        void start() {
            // The router planned against one generation of caches; a replica change keeps the previous one serving.
            // This node's router copy of the catalog saves a cache read per job; it may be a moment behind, so a
            // generation it does not know yet is looked up in the catalog itself.
            CollectionMeta cur = vg.router().knownMeta(collection);
            meta = cur == null ? null : cur.generation(uid);
            if (meta == null) {
                cur = vg.metaStore().meta(collection);
                meta = cur == null ? null : cur.generation(uid);
            }
            if (meta != null && filter != null)
                parsed = ScalarFilter.parse(filter, meta.spec().scalarFields());
            if (left.get() == 0) {
                finish();
                return;
            }
            // Every segment and shard a task of the search executor, but when this thread is one of its threads
            // (a job from another node arrives in it) it takes the last one itself: one hand-off less per job.
            List<Runnable> work = new ArrayList<>(segments.length + shards.length);
            for (long s : segments)
                work.add(() -> unit(() -> segment(s)));
            for (int sh : shards)
                work.add(() -> unit(() -> shard(sh)));
            ExecutorService pool = vg.searchExecutor();
            int forked = Vecgrid.onSearchThread() ? work.size() - 1 : work.size();
            for (int i = 0; i < forked; i++)
                pool.execute(work.get(i));
            if (forked < work.size())
                work.get(forked).run();
        }

        private void unit(Runnable r) {
            try {
                if (!cancelled && failure == null)
                    r.run();
            }
            catch (Throwable t) {
                failure = t;
            }
            finally {
                if (left.decrementAndGet() == 0)
                    finish();
            }
        }

        private void segment(long id) {
            // The test delay stands for a slow node (a job that waited in its queue): it counts in the latency this
            // node reports, as real slowness would, and comes before the copy is looked up.
            // A cancelled job stops waiting, as a real one would stop before its next segment.
            long until = System.nanoTime() + vg.configuration().getTestSearchDelayMillis() * 1_000_000L;
            while (!cancelled && System.nanoTime() < until) {
                try {
                    Thread.sleep(Math.min(10, Math.max(1, (until - System.nanoTime()) / 1_000_000L)));
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (cancelled)
                return;
            LoadedSegment seg = meta == null ? null : vg.segments().get(meta, id);
            // The reference keeps the copy's off-heap memory from being freed while it is read (a retired copy fails).
            if (seg == null || !seg.acquire()) {
                synchronized (lock) {
                    unavailable.add(id);
                    if (seg != null)
                        loading.add(id);
                }
                return;
            }
            try {
                SearchHits[] res = seg.search(queries, k, ef, parsed);
                synchronized (lock) {
                    for (int q = 0; q < res.length; q++) {
                        for (int i = 0; i < res[q].size(); i++)
                            hits.get(q).add(new long[] {seg.segment().pk(res[q].ordinal(i)), Float.floatToIntBits(res[q].distance(i))});
                    }
                    searched.add(id);
                }
            }
            finally {
                seg.release();
            }
        }

        private void shard(int sh) {
            ShardRows rows = meta == null ? null : vg.growing().rows(meta.name(), meta.rowsCache(),
                meta.spec().vectorField(), CollectionCaches.scalarNames(meta), sh);
            if (rows == null) {
                synchronized (lock) {
                    shardsUnavailable.add(sh);
                }
                return;
            }
            // The shard's state and its growing rows must be one view: a hand-off removes rows right after their
            // segment is served, so take the rows between two reads of the state and start again if it changed. A
            // snapshot reused as it is needs no second read: it was built as one view with this state version, and
            // the rows have not changed since the state was read (their change counter is read after it).
            ShardState st;
            GrowingSnapshot snap;
            while (true) {
                st = vg.metaStore().shardStateCached(meta, sh);
                if (st == null) {
                    synchronized (lock) {
                        shardsUnavailable.add(sh);
                    }
                    return;
                }
                Object before = rows.derived();
                snap = snapshot(rows, st);
                if (snap == before)
                    break;
                ShardState again = vg.metaStore().shardStateCached(meta, sh);
                if (again != null && again.version() == st.version())
                    break;
            }
            SearchHits[] res = snap.rows() == 0 ? null : snap.index.search(queries, k, ef,
                parsed == null ? null : parsed.acceptBits(snap, snap.rows(), null));
            synchronized (lock) {
                if (res != null) {
                    for (int q = 0; q < res.length; q++) {
                        for (int i = 0; i < res[q].size(); i++)
                            hits.get(q).add(new long[] {snap.pks[res[q].ordinal(i)], Float.floatToIntBits(res[q].distance(i))});
                    }
                }
                shardsSearched.add(sh);
                leaderSegs.add(st.segments());
                leaderVersions.add(st.version());
            }
        }

        /** The snapshot for this shard state, rebuilt when rows or state changed (EVENTUALLY reuses it a while). */
        private GrowingSnapshot snapshot(ShardRows rows, ShardState st) {
            Object d = rows.derived();
            long mod = rows.modCount();
            if (d instanceof GrowingSnapshot) {
                GrowingSnapshot s = (GrowingSnapshot)d;
                if (s.targetVersion == st.version() && (s.modCount == mod || (eventually &&
                    System.nanoTime() - s.builtNanos < vg.configuration().getRoutingRefreshMillis() * 1_000_000L)))
                    return s;
            }
            Set<Long> served = new HashSet<>();
            for (SegmentRef r : st.segments())
                served.add(r.id());
            GrowingSnapshot s = GrowingSnapshot.build(meta.spec(), mod, st.version(), rows.rowsOutside(served));
            rows.derived(s);
            return s;
        }

        private void finish() {
            Object outcome;
            try {
                outcome = failure != null ? failure : answer();
            }
            catch (Throwable t) {
                outcome = t;
            }
            vg.metrics().jobFinished(cancelled);
            done.accept(outcome);
        }

        private NodeAnswer answer() {
            int units = Math.max(1, searched.size() + shardsSearched.size());
            long per = (System.nanoTime() - start) / units;
            Metric metric = meta == null ? Metric.L2 : meta.spec().metric();
            int[] counts = new int[queries.length];
            List<long[]> out = new ArrayList<>();
            for (int q = 0; q < queries.length; q++) {
                List<long[]> list = hits.get(q);
                list.sort((a, b) -> {
                    float ra = metric.rankKey(Float.intBitsToFloat((int)a[1]));
                    float rb = metric.rankKey(Float.intBitsToFloat((int)b[1]));
                    return ra != rb ? Float.compare(ra, rb) : Long.compare(a[0], b[0]);
                });
                Set<Long> seen = new HashSet<>();
                for (long[] h : list) {
                    if (counts[q] == k)
                        break;
                    if (seen.add(h[0])) {
                        out.add(h);
                        counts[q]++;
                    }
                }
            }
            long[] pks = new long[out.size()];
            float[] dist = new float[out.size()];
            for (int i = 0; i < pks.length; i++) {
                pks[i] = out.get(i)[0];
                dist[i] = Float.intBitsToFloat((int)out.get(i)[1]);
            }
            return new NodeAnswer(counts, pks, dist, longs(searched), longs(unavailable), longs(loading),
                ints(shardsSearched),
                ints(shardsUnavailable), leaderSegs, longs(leaderVersions), per,
                Math.max(0, vg.metrics().inFlightJobs() - 1), vg.router().recentRouters(), cancelled);
        }
    }

    private static long[] longs(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override public String toString() {
        return "NodeJob[" + collection + ", segments " + Arrays.toString(segments) + ", shards " + Arrays.toString(shards) + "]";
    }
}
