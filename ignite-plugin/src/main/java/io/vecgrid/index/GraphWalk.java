package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.Metric;
import java.nio.ByteBuffer;

/**
 * The HNSW search over a {@link FrozenGraph} built by jvector: greedy descent through the upper levels, then a beam
 * search of width {@code beam} on level 0 (HNSW's algorithm, as hnswlib runs it). Not thread-safe: one walk per
 * searching thread, reused across queries.
 *
 * <p>Written here rather than taken from jvector's {@code GraphSearcher}, which this replaced: per scored row the
 * search is bound by reading a row from main memory (a 784-d row is 49 cache lines at a random place), and jvector
 * scores one neighbour at a time through a virtual call and marks visits in a hash set. This walk first collects a
 * node's unvisited neighbours (visits are epoch tags in an array, one store each), then scores them four at a time
 * with a kernel that reads the four rows side by side, so their memory misses overlap, which is what hnswlib gets
 * from its software prefetch (Java has none). Measured in docs/benchmarks.md.
 *
 * <p>Keys: smaller is closer. L2: squared distance; IP: {@code -dot}; COSINE: {@code -cos}, with inverse row norms
 * precomputed. They only order the walk; the caller recomputes exact distances of the results.
 *
 * <p>Filters: rejected rows are walked through but never kept (as hnswlib's filter and jvector's accept bits do);
 * the walk stops only once {@code beam} accepted rows are kept and no candidate is closer than the worst of them.
 */
final class GraphWalk {
    private final FrozenGraph graph;
    /** The graph's region and per-level positions in it, copied here so the hot loop reads final fields. */
    private final ByteBuffer g;
    private final int[] offsetsAt;
    private final int[] adjAt;
    private final RowScorer scorer;

    private final VisitMarks visited;

    /** Candidates to expand. */
    private final CandidateQueue cand = new CandidateQueue();

    private final int[] batch;
    private final float[] batchKeys;
    /** Rows scored since the walk was made (benchmarks: time per scored row). */
    private long scored;

    GraphWalk(FrozenGraph graph, Metric metric, VectorData data, int dim, int rows, float[] inverseNorms) {
        this.graph = graph;
        this.g = graph.region();
        int levels = graph.levels();
        this.offsetsAt = new int[levels];
        this.adjAt = new int[levels];
        for (int l = 0; l < levels; l++) {
            offsetsAt[l] = graph.offsetsAt(l);
            adjAt[l] = graph.adjacencyAt(l);
        }
        this.scorer = new RowScorer(metric, data, dim, inverseNorms);
        this.visited = new VisitMarks(rows);
        // Every stored degree is at most the level's bound (checked when the graph was viewed).
        this.batch = new int[Math.max(4, graph.maxDegree())];
        this.batchKeys = new float[batch.length];
    }

    /**
     * Walks the graph for one query.
     *
     * @param accept rows that may be kept, {@code null} for all.
     * @param top receives up to {@code beam} kept rows with their keys; its capacity is the beam.
     */
    void search(float[] query, Bits accept, TopKHeap top) {
        int ep = graph.entryNodeId();
        if (ep < 0)
            return;
        scorer.reset(query);
        float epKey = scorer.key(ep);
        scored++;
        for (int level = graph.levels() - 1; level > 0; level--) {
            // Greedy: move to the closest neighbour while one is closer.
            for (boolean moved = true; moved; ) {
                moved = false;
                int n = neighbours(level, ep, false);
                for (int i = 0; i < n; i++) {
                    if (batchKeys[i] < epKey) {
                        epKey = batchKeys[i];
                        ep = batch[i];
                        moved = true;
                    }
                }
            }
        }
        visited.next();
        visited.visit(ep);
        cand.clear();
        cand.push(epKey, ep);
        if (accept == null || accept.get(ep))
            top.offer(ep, epKey);
        while (!cand.isEmpty()) {
            if (cand.bestKey() > top.worstKey())
                break; // The beam is full of accepted rows, all closer than any candidate left.
            int c = cand.pop();
            int n = neighbours(0, c, true);
            for (int i = 0; i < n; i++) {
                float k = batchKeys[i];
                if (k < top.worstKey()) {
                    int r = batch[i];
                    cand.push(k, r);
                    if (accept == null || accept.get(r))
                        top.offer(r, k);
                }
            }
        }
    }

    /** @return rows scored by this walk so far. */
    long scoredRows() {
        return scored;
    }

    /**
     * Collects the neighbours of {@code node} on {@code level} into {@link #batch} (on level 0 only those not yet
     * visited, marking them) and scores them into {@link #batchKeys}, four at a time.
     *
     * @return how many.
     */
    private int neighbours(int level, int node, boolean markVisits) {
        int p = graph.position(level, node);
        int off = offsetsAt[level] + 4 * p;
        int adj = adjAt[level];
        ByteBuffer g = this.g;
        int n = 0;
        for (int j = g.getInt(off), end = g.getInt(off + 4); j < end; j++) {
            int r = g.getInt(adj + 4 * j);
            if (markVisits && !visited.visit(r))
                continue;
            batch[n++] = r;
        }
        scorer.keys(batch, n, batchKeys);
        scored += n;
        return n;
    }
}
