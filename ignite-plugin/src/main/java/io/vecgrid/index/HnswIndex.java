package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HNSW graph index: built by {@link GraphBuilder} into a {@link FrozenGraph}, searched by {@link GraphWalk} (see
 * each for why not jvector's builder and searcher). Immutable; any
 * number of threads may search at once (each borrows a walk from a small pool, so searches allocate little beyond
 * their result).
 *
 * <p>Graph shape, as hnswlib/Milvus read {@code M}: up to {@code 2M} neighbours on level 0 and {@code M} above;
 * {@code efConstruction} is the build's beam width. Searches use a beam of {@code max(ef, k)}.
 *
 * <p>Filters: the accept mask goes to the walk, which walks rejected nodes but never returns them. When so few
 * rows are accepted that the walk would cost more than scoring them ({@code accepted^2 <= rows * beam * degree}),
 * the search scans the accepted rows exactly instead; and if the walk ever returns fewer than {@code k} hits while
 * more rows are accepted (an unreachable region), the exact scan answers. So {@code min(k, accepted)} hits always
 * come back.
 *
 * <p>Distances are recomputed exactly for the returned rows with the single-row kernel (the walk's four-row kernel
 * may differ in the last bits), and the hits sorted by them.
 */
final class HnswIndex extends BaseIndex {
    private static final int MAX_POOLED = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final FrozenGraph graph;
    private final int m;
    private final int efConstruction;
    private final int defaultEf;
    /** The rows' inverse norms for COSINE ({@link FlatScan#inverseNorms}), else {@code null}. */
    private final float[] inverseNorms;
    private final ConcurrentLinkedQueue<Searcher> searchers = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();

    private HnswIndex(FlatScan flat, Metric metric, int dim, VectorData data, int rows, FrozenGraph graph, int m, int efConstruction,
        int defaultEf) {
        super(flat, metric, dim, data, rows);
        this.graph = graph;
        this.m = m;
        this.efConstruction = efConstruction;
        this.defaultEf = defaultEf;
        this.inverseNorms = flat.inverseNorms();
    }

    static HnswIndex build(IndexSpec spec, Metric metric, int dim, VectorData data, int rows, ForkJoinPool pool) {
        return build(spec, metric, dim, data, rows, pool, null, null);
    }

    /** As {@link #build(IndexSpec, Metric, int, VectorData, int, ForkJoinPool)}, from {@code seed}'s graph (see GraphBuilder). */
    static HnswIndex build(IndexSpec spec, Metric metric, int dim, VectorData data, int rows, ForkJoinPool pool, HnswIndex seed,
        int[] seedRows) {
        FlatScan flat = new FlatScan(metric, data, dim, rows);
        if (rows == 0)
            return new HnswIndex(flat, metric, dim, data, 0, FrozenGraph.empty(dim), spec.m(), spec.efConstruction(), spec.ef());
        FrozenGraph graph = GraphBuilder.build(metric, data, dim, rows, flat.inverseNorms(), spec.m(), spec.efConstruction(), pool,
            seed == null ? null : seed.graph, seedRows);
        return new HnswIndex(flat, metric, dim, data, rows, graph, spec.m(), spec.efConstruction(), spec.ef());
    }

    /** Reads what {@link #write} wrote after the header; the graph is copied onto the heap. */
    static HnswIndex read(IndexSpec spec, Metric metric, int dim, VectorData data, int rows, DataInput in, int version) throws IOException {
        int m = in.readInt();
        int efConstruction = in.readInt();
        FrozenGraph graph = version == IndexFormat.VERSION_1 ? FrozenGraph.readVersion1(in, rows, dim) : FrozenGraph.read(in, rows, dim);
        return new HnswIndex(new FlatScan(metric, data, dim, rows), metric, dim, data, rows, graph, m, efConstruction, spec.ef());
    }

    /**
     * Reads what {@link #write} wrote, the header included, from {@code in}'s position (not moved): the graph is
     * viewed in place, never copied.
     */
    static HnswIndex read(IndexSpec spec, Metric metric, int dim, VectorData data, int rows, ByteBuffer in) throws IOException {
        ByteBuffer b = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (b.remaining() < IndexFormat.HNSW_GRAPH_REGION_AT)
            throw new IOException("truncated HNSW index: " + b.remaining() + " bytes");
        int m = b.getInt(b.position() + IndexFormat.HEADER_BYTES);
        int efConstruction = b.getInt(b.position() + IndexFormat.HEADER_BYTES + 4);
        b.position(b.position() + IndexFormat.HEADER_BYTES + 8);
        FrozenGraph graph = FrozenGraph.view(b, rows, dim, ByteOrder.BIG_ENDIAN);
        return new HnswIndex(new FlatScan(metric, data, dim, rows), metric, dim, data, rows, graph, m, efConstruction, spec.ef());
    }

    @Override public IndexType type() {
        return IndexType.HNSW;
    }

    @Override public void write(DataOutput out) throws IOException {
        IndexFormat.writeHeader(out, IndexType.HNSW, metric, dim, rows);
        out.writeInt(m);
        out.writeInt(efConstruction);
        graph.write(out);
    }

    @Override public long ramBytesUsed() {
        // The pooled searchers' scratch counts too: a visit mark per row each, the rest small.
        long searcher = 64 + VisitMarks.bytes(rows) + 2 * (16 + 8L * 64) + 2 * (16 + 4L * Math.max(4, graph.maxDegree()));
        return 64 + 40 + 32 + graph.ramBytesUsed() + flat.ramBytesUsed() + Math.max(0, pooled.get()) * searcher;
    }

    @Override public long offHeapBytesUsed() {
        return graph.offHeapBytesUsed();
    }

    /** @return the M the graph was built with. */
    int m() {
        return m;
    }

    /** @return the frozen graph (tests). */
    FrozenGraph graph() {
        return graph;
    }

    private int beam(int k, int ef) {
        return Math.max(k, ef > 0 ? ef : defaultEf);
    }

    /**
     * @return true when scanning the accepted rows exactly is cheaper than walking the graph. (A segment no larger
     *      than the beam is always scanned: the walk would visit every row anyway, and on tiny graphs built in
     *      parallel some rows may be unreachable.)
     */
    private boolean exactIsCheaper(int accepted, int beam) {
        return (double)accepted * accepted <= (double)rows * beam * graph.getDegree(0);
    }

    @Override public SearchHits search(float[] query, int k, int ef, Bits accept) {
        checkQuery(query);
        checkK(k);
        if (rows == 0)
            return SearchHits.EMPTY;
        int beam = beam(k, ef);
        if (rows <= beam || (accept != null && exactIsCheaper(AcceptedRows.estimate(accept, rows), beam)))
            return exactSearch(query, k, accept);
        Searcher s = borrow();
        try {
            return graphSearch(s, query, k, beam, accept);
        }
        finally {
            giveBack(s);
        }
    }

    @Override public SearchHits[] search(float[][] queries, int k, int ef, Bits accept) {
        checkQueries(queries);
        checkK(k);
        SearchHits[] res = new SearchHits[queries.length];
        if (rows == 0) {
            java.util.Arrays.fill(res, SearchHits.EMPTY);
            return res;
        }
        int beam = beam(k, ef);
        if (rows <= beam || (accept != null && exactIsCheaper(AcceptedRows.estimate(accept, rows), beam)))
            return exactSearch(queries, k, accept);
        Searcher s = borrow();
        try {
            for (int i = 0; i < queries.length; i++)
                res[i] = graphSearch(s, queries[i], k, beam, accept);
        }
        finally {
            giveBack(s);
        }
        return res;
    }

    /** The graph walk alone, skipping the choice of an exact scan for selective filters (tests). */
    SearchHits searchGraph(float[] query, int k, int ef, Bits accept) {
        checkQuery(query);
        checkK(k);
        Searcher s = borrow();
        try {
            return rows == 0 ? SearchHits.EMPTY : graphSearch(s, query, k, beam(k, ef), accept);
        }
        finally {
            giveBack(s);
        }
    }

    private SearchHits graphSearch(Searcher s, float[] query, int k, int beam, Bits accept) {
        TopKHeap top = new TopKHeap(beam);
        s.walk.search(query, accept, top);
        int[] walked = top.drain(metric).ordinals();
        int n = Math.min(k, walked.length);
        if (n < k && n < AcceptedRows.count(accept, rows))
            return exactSearch(query, k, accept); // Part of the accepted rows unreachable: answer exactly.
        int[] ords = new int[n];
        float[] dist = new float[n];
        float qs = flat.querySquares(query);
        for (int i = 0; i < n; i++) {
            int node = walked[i];
            assert accept == null || accept.get(node);
            ords[i] = node;
            dist[i] = flat.distance(query, 0, qs, node);
        }
        sortBestFirst(ords, dist, n);
        return n == 0 ? SearchHits.EMPTY : new SearchHits(ords, dist, n);
    }

    /** Insertion sort by (rank key, ordinal): k is small and jvector's order is already nearly right. */
    private void sortBestFirst(int[] ords, float[] dist, int n) {
        for (int i = 1; i < n; i++) {
            int o = ords[i];
            float d = dist[i];
            float key = metric.rankKey(d);
            int j = i - 1;
            while (j >= 0) {
                float kj = metric.rankKey(dist[j]);
                if (kj < key || (kj == key && ords[j] < o))
                    break;
                ords[j + 1] = ords[j];
                dist[j + 1] = dist[j];
                j--;
            }
            ords[j + 1] = o;
            dist[j + 1] = d;
        }
    }

    private Searcher borrow() {
        Searcher s = searchers.poll();
        if (s == null)
            return new Searcher();
        pooled.decrementAndGet();
        return s;
    }

    private void giveBack(Searcher s) {
        if (pooled.incrementAndGet() <= MAX_POOLED)
            searchers.offer(s);
        else
            pooled.decrementAndGet();
    }

    /** A graph walk with its scratch. Not thread-safe: borrowed by one search at a time. */
    private final class Searcher {
        private final GraphWalk walk = new GraphWalk(graph, metric, data, dim, rows, inverseNorms);
    }

    /** @return rows scored by the walk of a fresh searcher for one query (benchmarks: where a query's time goes). */
    long scoredRows(float[] query, int k, int ef) {
        Searcher s = new Searcher();
        graphSearch(s, query, k, beam(k, ef), null);
        return s.walk.scoredRows();
    }
}
