package io.vecgrid.index;

import io.github.jbellis.jvector.util.Bits;
import io.vecgrid.api.Metric;
import java.nio.ByteBuffer;
import java.util.Arrays;

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
 * <p>Keys: smaller is closer. L2: squared distance; IP: {@code -dot}; COSINE: {@code -cos}, with row norms
 * precomputed. They only order the walk; the caller recomputes exact distances of the results.
 *
 * <p>Filters: rejected rows are walked through but never kept (as hnswlib's filter and jvector's accept bits do);
 * the walk stops only once {@code beam} accepted rows are kept and no candidate is closer than the worst of them.
 */
final class GraphWalk {
    private static final int L2 = 0;
    private static final int IP = 1;
    private static final int COSINE = 2;

    private final FrozenGraph graph;
    /** The graph's region and per-level positions in it, copied here so the hot loop reads final fields. */
    private final ByteBuffer g;
    private final int[] offsetsAt;
    private final int[] adjAt;
    private final int kind;
    private final VectorData data;
    private final int dim;
    private final float[] squares;

    /** Visit marks: row r is visited in this search when {@code visited[r] == epoch}. */
    private final int[] visited;
    private int epoch;

    /** Candidates to expand: a min-heap on key. */
    private float[] candKeys = new float[64];
    private int[] candOrds = new int[64];
    private int candSize;

    private final int[] batch;
    private final float[] batchKeys;
    private final float[] four = new float[4];

    private float[] q;
    private float qSquares;
    /** Rows scored since the walk was made (benchmarks: time per scored row). */
    private long scored;

    GraphWalk(FrozenGraph graph, Metric metric, VectorData data, int dim, int rows, float[] squares) {
        this.graph = graph;
        this.g = graph.region();
        int levels = graph.levels();
        this.offsetsAt = new int[levels];
        this.adjAt = new int[levels];
        for (int l = 0; l < levels; l++) {
            offsetsAt[l] = graph.offsetsAt(l);
            adjAt[l] = graph.adjacencyAt(l);
        }
        this.kind = metric == Metric.L2 ? L2 : metric == Metric.IP ? IP : COSINE;
        this.data = data;
        this.dim = dim;
        this.squares = squares;
        this.visited = new int[rows];
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
        q = query;
        qSquares = kind == COSINE ? DistanceKernel.dot(query, 0, query, 0, dim) : 0;
        float epKey = key(ep);
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
        nextEpoch();
        visited[ep] = epoch;
        candSize = 0;
        push(epKey, ep);
        if (accept == null || accept.get(ep))
            top.offer(ep, epKey);
        while (candSize > 0) {
            if (candKeys[0] > top.worstKey())
                break; // The beam is full of accepted rows, all closer than any candidate left.
            int c = candOrds[0];
            pop();
            int n = neighbours(0, c, true);
            for (int i = 0; i < n; i++) {
                float k = batchKeys[i];
                if (k < top.worstKey()) {
                    int r = batch[i];
                    push(k, r);
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
            if (markVisits) {
                if (visited[r] == epoch)
                    continue;
                visited[r] = epoch;
            }
            batch[n++] = r;
        }
        int i = 0;
        for (; i + 4 <= n; i += 4)
            keys4(i);
        for (; i < n; i++)
            batchKeys[i] = key(batch[i]);
        scored += n;
        return n;
    }

    private float key(int r) {
        switch (kind) {
            case L2:
                return DistanceKernel.squareDistance(q, 0, data, r * dim, dim);
            case IP:
                return -DistanceKernel.dot(q, 0, data, r * dim, dim);
            default:
                return -DistanceKernel.cosine(DistanceKernel.dot(q, 0, data, r * dim, dim), qSquares, squares[r]);
        }
    }

    private void keys4(int i) {
        int r0 = batch[i], r1 = batch[i + 1], r2 = batch[i + 2], r3 = batch[i + 3];
        if (kind == L2) {
            DistanceKernel.squareDistances4(q, data, r0 * dim, r1 * dim, r2 * dim, r3 * dim, dim, four);
            batchKeys[i] = four[0];
            batchKeys[i + 1] = four[1];
            batchKeys[i + 2] = four[2];
            batchKeys[i + 3] = four[3];
            return;
        }
        DistanceKernel.dots4(q, data, r0 * dim, r1 * dim, r2 * dim, r3 * dim, dim, four);
        if (kind == IP) {
            batchKeys[i] = -four[0];
            batchKeys[i + 1] = -four[1];
            batchKeys[i + 2] = -four[2];
            batchKeys[i + 3] = -four[3];
        }
        else {
            batchKeys[i] = -DistanceKernel.cosine(four[0], qSquares, squares[r0]);
            batchKeys[i + 1] = -DistanceKernel.cosine(four[1], qSquares, squares[r1]);
            batchKeys[i + 2] = -DistanceKernel.cosine(four[2], qSquares, squares[r2]);
            batchKeys[i + 3] = -DistanceKernel.cosine(four[3], qSquares, squares[r3]);
        }
    }

    private void nextEpoch() {
        if (++epoch == Integer.MAX_VALUE) {
            Arrays.fill(visited, 0);
            epoch = 1;
        }
    }

    private void push(float key, int ord) {
        if (candSize == candKeys.length) {
            candKeys = Arrays.copyOf(candKeys, candSize * 2);
            candOrds = Arrays.copyOf(candOrds, candSize * 2);
        }
        int i = candSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (candKeys[parent] <= key)
                break;
            candKeys[i] = candKeys[parent];
            candOrds[i] = candOrds[parent];
            i = parent;
        }
        candKeys[i] = key;
        candOrds[i] = ord;
    }

    private void pop() {
        float key = candKeys[--candSize];
        int ord = candOrds[candSize];
        int i = 0;
        int half = candSize >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            if (c + 1 < candSize && candKeys[c + 1] < candKeys[c])
                c++;
            if (candKeys[c] >= key)
                break;
            candKeys[i] = candKeys[c];
            candOrds[i] = candOrds[c];
            i = c;
        }
        if (candSize > 0) {
            candKeys[i] = key;
            candOrds[i] = ord;
        }
    }
}
