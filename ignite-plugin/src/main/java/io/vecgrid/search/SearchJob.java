package io.vecgrid.search;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionCaches;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.ShardState;
import io.vecgrid.filter.ScalarFilter;
import io.vecgrid.index.SearchHits;
import io.vecgrid.segment.LoadedSegment;
import io.vecgrid.shard.ShardRows;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.compute.ComputeJobContinuationAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * One unit of search work on one node: a sealed segment (searched in this node's loaded copy) or a shard's growing
 * rows (searched by the shard's leader, which also reports the shard's segment list from its own target). The work
 * runs on the node's dedicated search executor: the job parks its Ignite thread with a continuation meanwhile.
 * A node that cannot serve the work says so rather than wait for a load.
 */
final class SearchJob extends ComputeJobContinuationAdapter {
    private static final long serialVersionUID = 1L;

    private final String collection;
    private final String uid;
    private final long segmentId;
    private final int shard;
    private final float[][] queries;
    private final int k;
    private final int ef;
    private final String filter;
    private final List<String> outputFields;
    private final boolean eventually;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private transient volatile Object outcome;

    private SearchJob(String collection, String uid, long segmentId, int shard, float[][] queries, int k, int ef,
        String filter, List<String> outputFields, boolean eventually) {
        this.collection = collection;
        this.uid = uid;
        this.segmentId = segmentId;
        this.shard = shard;
        this.queries = queries;
        this.k = k;
        this.ef = ef;
        this.filter = filter;
        this.outputFields = outputFields;
        this.eventually = eventually;
    }

    static SearchJob segment(SearchContext c, long segmentId) {
        return new SearchJob(c.meta.name(), c.meta.uid(), segmentId, -1, c.queries, c.topK, c.ef, c.filterExpr,
            c.outputFields, c.eventually);
    }

    static SearchJob growing(SearchContext c, int shard) {
        return new SearchJob(c.meta.name(), c.meta.uid(), -1, shard, c.queries, c.topK, c.ef, c.filterExpr,
            c.outputFields, c.eventually);
    }

    long segmentId() {
        return segmentId;
    }

    int shard() {
        return shard;
    }

    boolean isGrowing() {
        return segmentId < 0;
    }

    @Override public Object execute() {
        Object res = outcome;
        if (res != null) {
            if (res instanceof Throwable)
                throw new IgniteException(((Throwable)res).getMessage(), (Throwable)res);
            return res;
        }
        Vecgrid vg = Vecgrid.local(ignite);
        vg.metrics().jobStarted();
        holdcc();
        try {
            vg.searchExecutor().execute(() -> {
                try {
                    outcome = run(vg);
                }
                catch (Throwable t) {
                    outcome = t;
                }
                finally {
                    vg.metrics().jobFinished();
                    callcc();
                }
            });
        }
        catch (RejectedExecutionException e) {
            vg.metrics().jobFinished();
            outcome = new VecgridException("search executor of node " + ignite.cluster().localNode().id() + " is stopped");
            callcc();
        }
        return null;
    }

    private PartialHits run(Vecgrid vg) throws InterruptedException {
        CollectionMeta cur = vg.metaStore().meta(collection);
        // The router planned against one generation of caches; a replica change keeps the previous one serving.
        CollectionMeta meta = cur == null ? null : cur.generation(uid);
        if (meta == null)
            return PartialHits.unavailable(segmentId, shard);
        CollectionSpec spec = meta.spec();
        ScalarFilter f = filter == null ? null : ScalarFilter.parse(filter, spec.scalarFields());
        return isGrowing() ? runGrowing(vg, meta, f) : runSegment(vg, meta, f);
    }

    private PartialHits runSegment(Vecgrid vg, CollectionMeta meta, ScalarFilter f) throws InterruptedException {
        long start = System.nanoTime();
        // The test delay stands for a slow node (a job that waited in its queue), so it counts in the latency this node
        // reports, as real slowness would, and comes before the copy is looked up.
        long delay = vg.configuration().getTestSearchDelayMillis();
        if (delay > 0)
            Thread.sleep(delay);
        LoadedSegment seg = vg.segments().get(meta, segmentId);
        if (seg == null || !seg.serviceable())
            return PartialHits.unavailable(segmentId, -1);
        SearchHits[] hits = seg.search(queries, k, ef, f);
        vg.searchStats().record(System.nanoTime() - start);
        HitWriter w = new HitWriter(meta.spec(), outputFields, queries.length, hits);
        for (int q = 0; q < hits.length; q++) {
            for (int i = 0; i < hits[q].size(); i++) {
                int ord = hits[q].ordinal(i);
                w.add(seg.segment().pk(ord), hits[q].distance(i), col -> seg.segment().scalars()[col].value(ord),
                    seg.segment().vectors(), ord);
            }
        }
        return w.build(segmentId, -1, null, 0);
    }

    private PartialHits runGrowing(Vecgrid vg, CollectionMeta meta, ScalarFilter f) {
        ShardRows rows = vg.growing().rows(meta.name(), meta.rowsCache(), meta.spec().vectorField(),
            CollectionCaches.scalarNames(meta), shard);
        if (rows == null)
            return PartialHits.unavailable(-1, shard);
        // The shard's state and its growing rows must be one view: a hand-off removes rows right after their segment
        // is served, so take the rows between two reads of the state and start again if the state changed.
        ShardState st;
        GrowingSnapshot snap;
        while (true) {
            st = vg.metaStore().shardState(meta, shard);
            if (st == null)
                return PartialHits.unavailable(-1, shard);
            snap = snapshot(vg, meta, rows, st);
            ShardState again = vg.metaStore().shardState(meta, shard);
            if (again != null && again.version() == st.version())
                break;
        }
        SearchHits[] hits;
        if (snap.rows() == 0)
            hits = emptyHits(queries.length);
        else
            hits = snap.index.search(queries, k, ef, f == null ? null : f.acceptBits(snap, snap.rows(), null));
        HitWriter w = new HitWriter(meta.spec(), outputFields, queries.length, hits);
        for (int q = 0; q < hits.length; q++) {
            for (int i = 0; i < hits[q].size(); i++) {
                int ord = hits[q].ordinal(i);
                GrowingSnapshot s = snap;
                w.add(s.pks[ord], hits[q].distance(i), col -> s.scalars[ord][col], s.vectors, ord);
            }
        }
        return w.build(-1, shard, st.segments(), st.version());
    }

    /** The snapshot for this shard state, rebuilt when rows or state changed (EVENTUALLY reuses it for a refresh interval). */
    private GrowingSnapshot snapshot(Vecgrid vg, CollectionMeta meta, ShardRows rows, ShardState st) {
        Object d = rows.derived();
        long mod = rows.modCount();
        if (d instanceof GrowingSnapshot) {
            GrowingSnapshot s = (GrowingSnapshot)d;
            if (s.targetVersion == st.version() && (s.modCount == mod || (eventually &&
                System.nanoTime() - s.builtNanos < vg.configuration().getRoutingRefreshMillis() * 1_000_000L)))
                return s;
        }
        java.util.Set<Long> served = new java.util.HashSet<>();
        for (io.vecgrid.collection.SegmentRef r : st.segments())
            served.add(r.id());
        GrowingSnapshot s = GrowingSnapshot.build(meta.spec(), mod, st.version(), rows.rowsOutside(served));
        rows.derived(s);
        return s;
    }

    private static SearchHits[] emptyHits(int nq) {
        SearchHits[] res = new SearchHits[nq];
        java.util.Arrays.fill(res, SearchHits.EMPTY);
        return res;
    }
}
