package io.vecgrid.recall;

import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.SearchDiagnostics;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.GroundTruth;
import org.apache.ignite.Ignite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recall on a real data set through the whole collection path: a collection with the default HNSW index
 * ({@link IndexSpec#hnsw()}), two shards and two in-memory replicas, the first {@code n} base vectors inserted in
 * batches (primary key = position in the base file), flushed into several sealed segments, then searched by the
 * router of every server node in turn and compared with exact ground truth computed on the same subset.
 */
public final class RealDataRecall {
    static final int K = 10;
    private static final int INSERT_BATCH = 1000;
    /** Queries per search request (nq). */
    private static final int SEARCH_BATCH = 50;

    /** A node to create, inspect and search the collection through (a server or a thick client). */
    private final Supplier<Ignite> any;
    /** The routers {@link #assertRecallOnEveryRouter} searches through. */
    private final Supplier<List<Ignite>> routers;
    private final Dataset ds;
    private final String name;
    private final int n;
    private final float[][] queries;
    private final int[][] truth;

    /** Loads the subset and its exact ground truth, creates the collection, inserts and flushes. */
    public RealDataRecall(TestCluster cluster, Dataset ds, String name, int n, int q) {
        this(cluster::any, cluster::servers, ds, name, n, q);
    }

    /**
     * As {@link #RealDataRecall(TestCluster, Dataset, String, int, int)}, through the node {@code any} returns (asked
     * again at every use, so a test may replace it, e.g. a thick client started again after a cluster restart).
     */
    public RealDataRecall(Supplier<Ignite> any, Supplier<List<Ignite>> routers, Dataset ds, String name, int n, int q) {
        this.any = any;
        this.routers = routers;
        this.ds = ds;
        this.name = name;
        this.n = n;
        long t0 = System.nanoTime();
        float[] base = ds.loadBase(n);
        float[] flatQueries = ds.loadQueries(q);
        queries = new float[q][];
        for (int i = 0; i < q; i++)
            queries[i] = Arrays.copyOfRange(flatQueries, i * ds.dim(), (i + 1) * ds.dim());
        truth = ds.groundTruth(n, q, K);
        log("loaded %d x %d-d base, %d queries and exact top-%d (%s) in %d ms", n, ds.dim(), q, K, ds.metric(), ms(t0));

        VectorGrid vg = Vecgrid.of(any.get());
        t0 = System.nanoTime();
        vg.createCollection(CollectionSpec.builder(name).dimension(ds.dim()).metric(ds.metric()).index(IndexSpec.hnsw())
            .shards(2).replicas(2).build());
        for (int from = 0; from < n; from += INSERT_BATCH) {
            List<VectorRow> rows = new ArrayList<>(INSERT_BATCH);
            for (int i = from; i < Math.min(n, from + INSERT_BATCH); i++)
                rows.add(new VectorRow(i, Arrays.copyOfRange(base, i * ds.dim(), (i + 1) * ds.dim())));
            assertEquals(rows.size(), vg.insert(name, rows));
        }
        long inserted = ms(t0);
        t0 = System.nanoTime();
        vg.flush(name);
        log("inserted %d rows in %d ms, flushed (sealed and indexed) in %d ms", n, inserted, ms(t0));
        assertEquals(n, vg.count(name));
    }

    /** @return the target's segments, after checking that they hold every row once and that there are several. */
    public List<SegmentRef> segments(int minSegments) {
        List<SegmentRef> segs = new SegmentInspector(any.get(), name).target().segments();
        int rows = segs.stream().mapToInt(SegmentRef::rows).sum();
        assertEquals(n, rows, "sealed rows in the target: " + segs);
        assertTrue(segs.size() >= minSegments, "at least " + minSegments + " sealed segments: " + segs);
        return segs;
    }

    /**
     * Waits until compaction has merged the collection down to one segment per shard (the coordinator merges a quiet
     * shard's small segments), with no layout operation left in progress.
     *
     * @return the settled segments.
     */
    public List<SegmentRef> settle(int shards, long timeoutMillis) {
        long t0 = System.nanoTime();
        SegmentInspector insp = new SegmentInspector(any.get(), name);
        TestCluster.awaitTrue(name + " settled at one segment per shard", () -> {
            List<io.vecgrid.collection.ShardState> st = Vecgrid.local(any.get()).metaStore().shardStates(insp.meta());
            return st.stream().allMatch(s -> s.segments().size() == 1 && s.ops().isEmpty());
        }, timeoutMillis);
        List<SegmentRef> segs = segments(shards);
        log("%s settled at one segment per shard in %d ms: %s", name, ms(t0), segs);
        return segs;
    }

    /**
     * Searches every query through {@code router} with {@code ef} (0: the collection's default) and checks that each
     * request searched every sealed segment.
     *
     * @return recall@{@value #K} against the exact ground truth.
     */
    public double recall(Ignite router, int ef, int segments) {
        return recall(router, ef, segments, d -> { });
    }

    /** As {@link #recall(Ignite, int, int)}, handing every request's diagnostics to {@code check}. */
    public double recall(Ignite router, int ef, int segments, java.util.function.Consumer<SearchDiagnostics> check) {
        int[][] found = new int[queries.length][];
        for (int from = 0; from < queries.length; from += SEARCH_BATCH) {
            float[][] batch = Arrays.copyOfRange(queries, from, Math.min(queries.length, from + SEARCH_BATCH));
            SearchResult r = Vecgrid.of(router).search(SearchRequest.builder(name, batch, K).ef(ef).diagnostics(true).build());
            assertTrue(!r.partial(), "complete result");
            // At least every settled segment: a balance move may still copy a segment into another slot meanwhile,
            // and a search planned before it also searches the copy its shard leader names (its rows once, by key).
            assertTrue(r.diagnostics().segmentNodes().size() >= segments, "every sealed segment searched: " +
                r.diagnostics());
            check.accept(r.diagnostics());
            for (int i = 0; i < batch.length; i++) {
                List<SearchHit> hits = r.hits(i);
                assertEquals(K, hits.size(), "query " + (from + i) + " got " + K + " hits");
                found[from + i] = hits.stream().mapToInt(h -> Math.toIntExact(h.pk())).toArray();
            }
        }
        return GroundTruth.recall(truth, found, K);
    }

    /**
     * Asserts recall@K at the collection's default ef through every server node as router, and logs it.
     *
     * @param segments number of sealed segments the search must cover.
     */
    public void assertRecallOnEveryRouter(int segments, double target) {
        for (Ignite router : routers.get()) {
            long t1 = System.nanoTime();
            double recall = recall(router, 0, segments);
            log("%s: recall@%d %.4f at the default ef %d (%s), router %s, %d queries in %d ms", ds.name(), K, recall,
                IndexSpec.DFLT_EF, IndexSpec.hnsw(), router.name(), queries.length, ms(t1));
            assertTrue(recall >= target, ds.name() + " recall@" + K + " " + recall + " < " + target + " at default ef "
                + IndexSpec.DFLT_EF + " via " + router.name());
        }
    }

    /** Drops the collection (before the cluster stops, so no node has segment work left). */
    public void drop() {
        Vecgrid.of(any.get()).dropCollection(name);
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Checks, from the nodes' metrics, that the merges started from a source's graph: nothing was deleted, so every
     * merge inserts only the rows of its smaller sources into its largest source's graph, never all of its rows.
     */
    static void assertMergesStartedFromAGraph(List<Ignite> servers) {
        long rows = 0, graphRows = 0;
        for (Ignite ig : servers) {
            var reg = ig.metrics().getOrCreate(io.vecgrid.metrics.VecgridMetrics.REGISTRY);
            rows += ((org.apache.ignite.spi.metric.LongMetric)reg.findMetric("MergeRows")).value();
            graphRows += ((org.apache.ignite.spi.metric.LongMetric)reg.findMetric("MergeGraphRows")).value();
        }
        log("merges built segments of %d rows in all, inserting %d of them into a graph (%.0f%%)", rows, graphRows,
            rows == 0 ? 0.0 : 100.0 * graphRows / rows);
        assertTrue(rows > 0, "the collection was merged");
        assertTrue(graphRows < rows, "merges started from their largest source's graph: " + graphRows + " of " + rows +
            " rows inserted into graphs");
    }

    static void log(String fmt, Object... args) {
        System.out.printf("[recall] " + fmt + "%n", args);
    }
}
