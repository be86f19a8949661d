package io.vecgrid.index;

import io.vecgrid.api.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Builds the HNSW graph of a segment's rows on a pool of threads and freezes it into a {@link FrozenGraph}.
 *
 * <p>The algorithm is HNSW's insertion (Malkov and Yashunin), run as hnswlib runs it: each row draws its top level
 * (geometric, {@code 1 / ln M}), descends greedily from the entry node to that level, then on each level from there
 * down searches a beam of {@code efConstruction} rows, keeps a diverse subset of at most M of them as its neighbours
 * and links back from each of them; a list holds up to 2M rows on level 0 and M above. Lists may overflow their bound
 * by {@link #OVERFLOW} while rows are inserted and are pruned back when they pass it (and once more at the end), as
 * jvector's builder does, so a list is pruned once per several insertions that reach it rather than at each.
 *
 * <p>Diversity (the "heuristic" of HNSW, with Vamana's relaxation): a candidate {@code c} of row {@code q}, taken
 * closest first, is kept unless a neighbour {@code s} already kept is closer to it than {@code q} is; a second pass
 * over the candidates left relaxes that to {@code alpha * d(c, s) < d(c, q)} and fills the list up to its bound.
 * Distances here are the squared L2 distance, {@code 1 - cos} and {@code 1 - dot}. Inner product's distances may be
 * negative, where a factor means nothing, and its first pass keeps few rows (a row of large norm is "closer" to most
 * rows than they are to each other), so its second pass fills the list with the closest candidates left.
 *
 * <p>Written here rather than taken from jvector (which built vecgrid's graphs before): graph builds are the largest
 * background cost of compaction, and jvector's builder scores one neighbour at a time through a virtual call and
 * keeps its lists in concurrent maps; measured on Fashion-MNIST 60k (M 16, efConstruction 200), it took 3.3 times the
 * CPU-seconds of hnswlib's C++ build. This one scores rows four at a time ({@link RowScorer}, the same kernel as the
 * search walk), keeps every list in flat {@code int} arrays and marks visits with epoch tags. On that data it scores
 * 88 million rows against hnswlib's 89 million (counted), and its graph reaches recall@10 0.976 scoring 286 rows per
 * query, where jvector's graph scored 317 and hnswlib's 317 (for 0.979).
 *
 * <p>Concurrency: a list is written under its stripe's lock and read without one; a reader may see a list being
 * rewritten (some entries old, some new), which costs at most a slightly worse candidate set, never a wrong row:
 * every entry ever stored is a valid row. Levels are drawn from a fixed seed, and a pool of one thread inserts the
 * rows in order, so a one-thread build is reproducible.
 */
final class GraphBuilder {
    /** Temporary degree overflow while inserting: a list is pruned back to its bound when it passes this factor. */
    static final float OVERFLOW = 1.2f;
    /**
     * Diversity relaxation of the second pass: 1.0 is HNSW's heuristic alone; 1.2 keeps some longer edges, which
     * reached recall@10 0.993 at ef 16 on Fashion-MNIST 20k where 1.0 needed ef 32 (measured with jvector's builder,
     * whose selection this follows).
     */
    static final float ALPHA = 1.2f;
    /**
     * A row's neighbours are chosen among its closest {@code SELECT_FROM x bound} candidates, not the whole beam:
     * farther ones are seldom kept (a closer kept row usually covers them) and checking each costs distances to
     * every row kept. On Fashion-MNIST 60k (measured while a new row still took up to 2M neighbours) this cut the
     * build's scored rows by 30%, for recall@10 at ef 32 of 0.9960 against 0.9967 from the whole beam.
     */
    static final int SELECT_FROM = 3;
    private static final int MAX_LEVEL = 31;
    private static final int STRIPES = 1 << 12;
    private static final int CHUNK = 64;
    /** Chunks of rows a parallel build inserts on one thread before the others join (see build). */
    private static final int SERIAL_CHUNKS = 8;
    private static final long SEED = 0x5eedL;

    private final Metric metric;
    private final VectorData data;
    private final int dim;
    private final int rows;
    private final float[] inverseNorms;
    private final int efc;
    /** Degree bounds: level 0, levels above. */
    private final int bound0;
    private final int boundUp;
    /** List capacities with the overflow. */
    private final int cap0;
    private final int capUp;

    /** Each row's top level. */
    private final int[] levels;
    /** Level 0: row r's neighbours at {@code adj0[r * cap0 ..]}, {@code deg0[r]} of them. */
    private final int[] adj0;
    private final int[] deg0;
    /** Levels above 0 of a row whose top level is above 0: per level {@code [degree, neighbours x capUp]}. */
    private final int[][] upper;
    private final Object[] locks = new Object[STRIPES];
    /** (top level << 32) | entry row; written under {@link #entryLock}. */
    private volatile long entry = -1;
    private final Object entryLock = new Object();
    private final ConcurrentLinkedQueue<Inserter> inserters = new ConcurrentLinkedQueue<>();
    /** Per level, seeded rows whose lists named a dropped row, with their candidates (see {@link #copyLists}). */
    private final List<Map<Integer, int[]>> mend;

    private GraphBuilder(Metric metric, VectorData data, int dim, int rows, float[] inverseNorms, int m, int efc, FrozenGraph seed,
        int[] seedRows) {
        this.metric = metric;
        this.data = data;
        this.dim = dim;
        this.rows = rows;
        this.inverseNorms = inverseNorms;
        this.efc = Math.max(efc, 1);
        this.bound0 = 2 * m;
        this.boundUp = m;
        this.cap0 = (int)Math.ceil(bound0 * OVERFLOW);
        this.capUp = (int)Math.ceil(boundUp * OVERFLOW);
        if ((long)rows * cap0 > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("rows: " + rows + " rows with up to " + cap0 + " neighbours each do not fit one graph");
        this.levels = new int[rows];
        this.adj0 = new int[rows * cap0];
        this.deg0 = new int[rows];
        this.upper = new int[rows][];
        for (int i = 0; i < STRIPES; i++)
            locks[i] = new Object();
        SplittableRandom rnd = new SplittableRandom(SEED);
        double mult = 1 / Math.log(Math.max(m, 2));
        for (int r = 0; r < rows; r++)
            levels[r] = (int)Math.min(MAX_LEVEL, -Math.log(1 - rnd.nextDouble()) * mult);
        if (seed != null) {
            for (int i = 0; i < seedRows.length; i++) {
                if (seedRows[i] >= 0)
                    levels[seedRows[i]] = 0;
            }
            for (int l = 1; l < seed.levels(); l++) {
                for (var it = seed.getNodes(l); it.hasNext(); ) {
                    int r = seedRows[it.nextInt()];
                    if (r >= 0)
                        levels[r] = l;
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            if (levels[r] > 0)
                upper[r] = new int[levels[r] * (capUp + 1)];
        }
        this.mend = seed == null ? List.of() : copyLists(seed, seedRows);
    }

    /**
     * Takes the seed graph's lists (and entry) as the lists of the rows its rows became, without the dropped rows. A
     * list that named a dropped row gets, in its place, that row's own neighbours as candidates: the list is chosen
     * again from all of them by {@link Inserter#mend} (as FreshDiskANN consolidates deletes), so paths that went
     * through a dropped row go round it.
     *
     * @return per level, the rows whose lists must be chosen again and their candidates (own list first).
     */
    private List<Map<Integer, int[]>> copyLists(FrozenGraph seed, int[] seedRows) {
        List<Map<Integer, int[]>> mend = new ArrayList<>();
        for (int l = 0; l < seed.levels(); l++) {
            Map<Integer, int[]> mendLevel = new HashMap<>();
            mend.add(mendLevel);
            for (var it = seed.getNodes(l); it.hasNext(); ) {
                int node = it.nextInt();
                int r = seedRows[node];
                if (r < 0)
                    continue;
                int[] nb = seed.neighbours(l, node);
                int cap = l == 0 ? cap0 : capUp;
                int[] list = new int[nb.length];
                int d = 0;
                boolean dropped = false;
                for (int x : nb) {
                    if (seedRows[x] >= 0)
                        list[d++] = seedRows[x];
                    else
                        dropped = true;
                }
                if (dropped) {
                    LinkedHashSet<Integer> cand = new LinkedHashSet<>();
                    for (int j = 0; j < d; j++)
                        cand.add(list[j]);
                    for (int x : nb) {
                        if (seedRows[x] >= 0)
                            continue;
                        for (int y : seed.neighbours(l, x)) {
                            if (seedRows[y] >= 0 && seedRows[y] != r)
                                cand.add(seedRows[y]);
                        }
                    }
                    mendLevel.put(r, cand.stream().mapToInt(Integer::intValue).toArray());
                }
                d = Math.min(d, cap);
                int[] to = l == 0 ? adj0 : upper[r];
                int at = l == 0 ? r * cap0 : (l - 1) * (capUp + 1) + 1;
                System.arraycopy(list, 0, to, at, d);
                if (l == 0)
                    deg0[r] = d;
                else
                    upper[r][at - 1] = d;
            }
        }
        // The entry: the seed's, or a kept row of the highest level that has one.
        int node = seed.entryNodeId();
        for (int l = seed.levels() - 1; l >= 0 && seedRows[node] < 0; l--) {
            for (var it = seed.getNodes(l); it.hasNext(); ) {
                int x = it.nextInt();
                if (seedRows[x] >= 0) {
                    node = x;
                    break;
                }
            }
        }
        int top = 0;
        for (int l = seed.levels() - 1; l > 0; l--) {
            if (seed.position(l, node) >= 0) {
                top = l;
                break;
            }
        }
        entry = ((long)top << 32) | seedRows[node];
        return mend;
    }

    /**
     * Builds the graph of {@code rows} rows on {@code pool}.
     *
     * @param inverseNorms the rows' inverse norms for COSINE ({@link FlatScan#inverseNorms}; {@code null} otherwise).
     */
    static FrozenGraph build(Metric metric, VectorData data, int dim, int rows, float[] inverseNorms, int m, int efc, ForkJoinPool pool) {
        return build(metric, data, dim, rows, inverseNorms, m, efc, pool, null, null);
    }

    /**
     * Builds the graph of {@code rows} rows starting from the graph of some of them: row {@code i} of {@code seed}
     * is row {@code seedRows[i]} here (the same vector), and keeps its level and lists; only the other rows are
     * inserted, as HNSW inserts any row into a graph that already holds others. A merge of segments starts from the
     * graph of its largest source, so it inserts the rows of the smaller ones instead of building every row again.
     *
     * @param seed a graph over {@code seedRows.length} rows, or {@code null} to build from nothing.
     * @param seedRows per row of {@code seed}, its row in this build (distinct), or -1 to drop it (a deleted row): the
     *      lists that named it are chosen again around it ({@link #copyLists}).
     */
    static FrozenGraph build(Metric metric, VectorData data, int dim, int rows, float[] inverseNorms, int m, int efc, ForkJoinPool pool,
        FrozenGraph seed, int[] seedRows) {
        if (rows == 0)
            return FrozenGraph.empty(dim);
        if (seed != null && (seed.entryNodeId() < 0 || Arrays.stream(seedRows).allMatch(r -> r < 0)))
            seed = null;
        GraphBuilder b = new GraphBuilder(metric, data, dim, rows, inverseNorms, m, efc, seed, seed == null ? null : seedRows);
        // The rows to insert: all but the first (the entry) from nothing, the rows the seed lacks from a seed.
        int[] todo;
        if (seed == null) {
            b.entry = ((long)b.levels[0] << 32);
            todo = IntStream.range(1, rows).toArray();
        }
        else {
            boolean[] seeded = new boolean[rows];
            for (int r : seedRows) {
                if (r >= 0)
                    seeded[r] = true;
            }
            todo = IntStream.range(0, rows).filter(r -> !seeded[r]).toArray();
            b.mendLists(pool);
        }
        int chunks = (todo.length + CHUNK - 1) / CHUNK;
        if (pool.getParallelism() == 1) {
            Inserter in = b.borrow();
            for (int r : todo)
                in.insert(r);
            for (int r = 0; r < rows; r++)
                in.prune(r);
        }
        else {
            // Chunks are handed out in order, as hnswlib's parallel build hands out rows: a parallel stream over the
            // chunks splits their range in halves, so a second thread started inserting rows from the middle of the
            // order into a graph of a few rows. Measured on HnswIndexTest's seed data (4,125 clustered rows, 60
            // two-thread builds each): inner-product recall@10 at ef 32 averaged 0.9912 (lowest 0.9763) that way
            // and 0.9981 (lowest 0.9877) in order, one thread 0.9997; L2 and cosine the same either way.
            // The first rows on one thread: two threads inserting into a graph of a few rows link them poorly, and
            // inner product suffered most (its greedy walks all lead to the few rows of large norm). Same data, 80
            // builds: recall averaged 0.9981 (lowest 0.9897) without this, 0.9990 (lowest 0.9960) with it.
            int serial = Math.min(chunks, SERIAL_CHUNKS);
            Inserter first = b.borrow();
            for (int i = 0, end = Math.min(todo.length, serial * CHUNK); i < end; i++)
                first.insert(todo[i]);
            b.inserters.offer(first);
            AtomicInteger nextChunk = new AtomicInteger(serial);
            pool.submit(() -> IntStream.range(0, pool.getParallelism()).parallel().forEach(w -> {
                Inserter in = b.borrow();
                for (int c; (c = nextChunk.getAndIncrement()) < chunks; ) {
                    for (int i = c * CHUNK, end = Math.min(todo.length, i + CHUNK); i < end; i++)
                        in.insert(todo[i]);
                }
                b.inserters.offer(in);
            })).join();
            int all = (rows + CHUNK - 1) / CHUNK;
            pool.submit(() -> IntStream.range(0, all).parallel().forEach(c -> {
                Inserter in = b.borrow();
                for (int r = c * CHUNK, end = Math.min(rows, r + CHUNK); r < end; r++)
                    in.prune(r);
                b.inserters.offer(in);
            })).join();
        }
        b.attachOrphans(b.borrow());
        return b.freeze();
    }

    /**
     * Makes every row reachable on level 0 from the entry. Pruning may leave a row that no list names any more (a few
     * in ten thousand); a search could never return it. Each such row is linked from the closest row already reached
     * that a search for it finds, preferring one whose list is below its bound. A search for the row may end in a part
     * of level 0 that the entry does not reach (the greedy descent through the upper levels can land there), so only
     * rows marked reached may link it, and the entry when the search found none.
     */
    private void attachOrphans(Inserter in) {
        boolean[] reached = new boolean[rows];
        int[] todo = new int[rows];
        int ep = (int)entry;
        reached[ep] = true;
        todo[0] = ep;
        int tail = reach(todo, 0, 1, reached);
        for (int r = 0; r < rows; r++) {
            if (!reached[r]) {
                in.attach(r, reached);
                reached[r] = true;
                todo[tail] = r;
                tail = reach(todo, tail, tail + 1, reached);
            }
        }
    }

    /** Marks what is reachable on level 0 from the rows queued at {@code todo[head..tail)}. @return the new tail. */
    private int reach(int[] todo, int head, int tail, boolean[] reached) {
        while (head < tail) {
            int r = todo[head++];
            for (int j = 0, d = degree(r, 0); j < d; j++) {
                int x = adj0[r * cap0 + j];
                if (!reached[x]) {
                    reached[x] = true;
                    todo[tail++] = x;
                }
            }
        }
        return tail;
    }

    /** Chooses again the lists {@link #copyLists} found naming dropped rows, on {@code pool}. */
    private void mendLists(ForkJoinPool pool) {
        for (int l = 0; l < mend.size(); l++) {
            int level = l;
            int[] rs = mend.get(l).keySet().stream().mapToInt(Integer::intValue).toArray();
            pool.submit(() -> IntStream.range(0, (rs.length + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
                Inserter in = borrow();
                for (int i = c * CHUNK, end = Math.min(rs.length, i + CHUNK); i < end; i++)
                    in.mend(rs[i], level, mend.get(level).get(rs[i]));
                inserters.offer(in);
            })).join();
        }
    }

    private Inserter borrow() {
        Inserter in = inserters.poll();
        return in != null ? in : new Inserter();
    }

    private Object lock(int r) {
        return locks[r & (STRIPES - 1)];
    }

    /** Lays the lists out as a {@link FrozenGraph}: level 0 for every row, level l for the rows whose top is l or more. */
    private FrozenGraph freeze() {
        long e = entry;
        int top = (int)(e >>> 32);
        int entryRow = (int)e;
        int[][] nodes = new int[top + 1][];
        int[][] offsets = new int[top + 1][];
        int[][] adj = new int[top + 1][];
        int[] maxDegrees = new int[top + 1];
        for (int l = 0; l <= top; l++) {
            int count = 0;
            for (int r = 0; r < rows; r++)
                count += levels[r] >= l ? 1 : 0;
            int[] ns = l == 0 ? null : new int[count];
            int[] off = new int[count + 1];
            int edges = 0;
            for (int r = 0, p = 0; r < rows; r++) {
                if (levels[r] < l)
                    continue;
                if (ns != null)
                    ns[p] = r;
                edges += degree(r, l);
                off[++p] = edges;
            }
            int[] a = new int[edges];
            int max = 0;
            for (int r = 0, p = 0; r < rows; r++) {
                if (levels[r] < l)
                    continue;
                int d = degree(r, l);
                if (l == 0)
                    System.arraycopy(adj0, r * cap0, a, off[p], d);
                else
                    System.arraycopy(upper[r], (l - 1) * (capUp + 1) + 1, a, off[p], d);
                max = Math.max(max, d);
                p++;
            }
            nodes[l] = ns;
            offsets[l] = off;
            adj[l] = a;
            maxDegrees[l] = Math.max(max, l == 0 ? bound0 : boundUp);
        }
        return FrozenGraph.fromArrays(dim, rows, nodes, offsets, adj, maxDegrees, entryRow);
    }

    private int degree(int r, int level) {
        return level == 0 ? Math.min(deg0[r], cap0) : Math.min(upper[r][(level - 1) * (capUp + 1)], capUp);
    }

    /** Insertion sort of {@code rows[0..n)} by {@code dist} (lists of a few dozen rows, nearly in order). */
    private static void sortByDistance(int[] rows, float[] dist, int n) {
        for (int i = 1; i < n; i++) {
            int o = rows[i];
            float d = dist[i];
            int j = i - 1;
            while (j >= 0 && dist[j] > d) {
                rows[j + 1] = rows[j];
                dist[j + 1] = dist[j];
                j--;
            }
            rows[j + 1] = o;
            dist[j + 1] = d;
        }
    }

    /** One building thread's scratch: visit marks, the beam, the candidates, the scorers. */
    private final class Inserter {
        private final VisitMarks visited = new VisitMarks(rows);
        private final CandidateQueue cand = new CandidateQueue();
        private final TopKHeap beam = new TopKHeap(efc);
        /** The beam's rows closest first, and their distances to the row inserted. */
        private final int[] found = new int[Math.max(efc, cap0 + 1)];
        private final float[] foundDist = new float[found.length];
        private final boolean[] taken = new boolean[found.length];
        private final int[] batch = new int[Math.max(4, Math.max(cap0, capUp) + 1)];
        private final float[] batchKeys = new float[Math.max(found.length, batch.length)];
        private final int[] kept = new int[Math.max(bound0, boundUp)];
        private final int[] keptScratch = new int[kept.length];
        private final float[] keptDist = new float[kept.length];
        /** Distances of candidate i to kept rows 0..known[i), at {@code pairs[i * kept.length + j]}. */
        private final float[] pairs = new float[found.length * kept.length];
        private final int[] known = new int[found.length];
        /** Scores against the row inserted, and against another row (a candidate's diversity, a list's pruning). */
        private final float[] q = new float[dim];
        private final RowScorer byQuery = new RowScorer(metric, data, dim, inverseNorms);
        private final float[] other = new float[dim];
        private final RowScorer byOther = new RowScorer(metric, data, dim, inverseNorms);
        private int descentRow;
        private float descentKey;

        /** Per level, the neighbours {@link #insert} chose for the row it inserts, until it links back from them. */
        private final int[][] chosen = new int[MAX_LEVEL + 1][];

        void insert(int x) {
            data.copy((long)x * dim, q, 0, dim);
            byQuery.reset(q);
            long e = entry;
            int top = (int)(e >>> 32);
            int lx = levels[x];
            descend(e, lx);
            int ep = descentRow;
            float epKey = descentKey;
            for (int level = Math.min(lx, top); level >= 0; level--) {
                int n = searchLevel(x, ep, epKey, level);
                if (n == 0)
                    continue;
                ep = found[0];
                epKey = foundDist[0];
                for (int i = 0; i < n; i++)
                    foundDist[i] = distance(foundDist[i]);
                // A new row links to at most M rows on every level, as in hnswlib; rows that link back to it may
                // hold up to 2M on level 0.
                int k = select(Math.min(n, SELECT_FROM * boundUp), boundUp);
                int[] mine = new int[k];
                System.arraycopy(kept, 0, mine, 0, k);
                synchronized (lock(x)) {
                    setList(x, level, mine, k);
                }
                chosen[level] = mine;
            }
            // Linked back only once its lists on every level are set: another thread that reached x on an upper level
            // through a link back would otherwise go down into lists of x still empty, and a row inserted then found
            // nothing but x. Measured on HnswIndexTest's seed data, 80 two-thread builds: L2 recall@10 at ef 32 from
            // 0.9992 on average (lowest 0.9963) to 1.0000 (lowest 0.9997), as one thread reaches.
            for (int level = Math.min(lx, top); level >= 0; level--) {
                int[] mine = chosen[level];
                if (mine == null)
                    continue;
                chosen[level] = null;
                for (int r : mine)
                    link(r, x, level);
            }
            if (lx > top) {
                synchronized (entryLock) {
                    if (lx > (int)(entry >>> 32))
                        entry = ((long)lx << 32) | x;
                }
            }
        }

        /**
         * Greedy descent for the current query from entry {@code e} ((top level << 32) | row) through the levels
         * above {@code level}: on each, moves to the closest neighbour while one is closer. Leaves the row reached and
         * its key in {@link #descentRow} and {@link #descentKey}.
         */
        private void descend(long e, int level) {
            int ep = (int)e;
            float epKey = byQuery.key(ep);
            for (int l = (int)(e >>> 32); l > level; l--) {
                for (boolean moved = true; moved; ) {
                    moved = false;
                    int n = neighbours(l, ep, batch);
                    byQuery.keys(batch, n, batchKeys);
                    for (int i = 0; i < n; i++) {
                        if (batchKeys[i] < epKey) {
                            epKey = batchKeys[i];
                            ep = batch[i];
                            moved = true;
                        }
                    }
                }
            }
            descentRow = ep;
            descentKey = epKey;
        }

        /**
         * Beam search of {@code efConstruction} on one level from {@code ep}, never keeping {@code x} itself.
         *
         * @return how many rows {@link #found} holds, closest first, with their keys in {@link #foundDist}.
         */
        private int searchLevel(int x, int ep, float epKey, int level) {
            visited.next();
            visited.visit(x);
            visited.visit(ep);
            cand.clear();
            cand.push(epKey, ep);
            beam.offer(ep, epKey);
            while (!cand.isEmpty()) {
                if (cand.bestKey() > beam.worstKey())
                    break;
                int c = cand.pop();
                int n = 0;
                int m = neighbours(level, c, batch);
                for (int i = 0; i < m; i++) {
                    int r = batch[i];
                    if (visited.visit(r))
                        batch[n++] = r;
                }
                byQuery.keys(batch, n, batchKeys);
                for (int i = 0; i < n; i++) {
                    float k = batchKeys[i];
                    if (k < beam.worstKey()) {
                        cand.push(k, batch[i]);
                        beam.offer(batch[i], k);
                    }
                }
            }
            return beam.drainBestFirst(found, foundDist);
        }

        /** Copies row {@code r}'s list on {@code level} into {@code out}, without a lock. @return its length. */
        private int neighbours(int level, int r, int[] out) {
            if (level == 0) {
                int d = Math.min(deg0[r], cap0);
                System.arraycopy(adj0, r * cap0, out, 0, d);
                return d;
            }
            int[] u = upper[r];
            if (u == null || levels[r] < level)
                return 0;
            int at = (level - 1) * (capUp + 1);
            int d = Math.min(u[at], capUp);
            System.arraycopy(u, at + 1, out, 0, d);
            return d;
        }

        /** Writes row {@code r}'s list on {@code level}; under {@code r}'s lock. Entries first, the degree last. */
        private void setList(int r, int level, int[] list, int n) {
            if (level == 0) {
                System.arraycopy(list, 0, adj0, r * cap0, n);
                deg0[r] = n;
            }
            else {
                int at = (level - 1) * (capUp + 1);
                System.arraycopy(list, 0, upper[r], at + 1, n);
                upper[r][at] = n;
            }
        }

        /** Adds {@code x} to row {@code r}'s list on {@code level}, pruning the list if it passes its capacity. */
        private void link(int r, int x, int level) {
            synchronized (lock(r)) {
                int n = neighbours(level, r, batch);
                for (int i = 0; i < n; i++) {
                    if (batch[i] == x)
                        return;
                }
                int cap = level == 0 ? cap0 : capUp;
                if (n < cap) {
                    if (level == 0) {
                        adj0[r * cap0 + n] = x;
                        deg0[r] = n + 1;
                    }
                    else {
                        int at = (level - 1) * (capUp + 1);
                        upper[r][at + 1 + n] = x;
                        upper[r][at] = n + 1;
                    }
                    return;
                }
                batch[n++] = x;
                shrink(r, level, n, level == 0 ? bound0 : boundUp);
            }
        }

        /**
         * Links row {@code r}, which the entry does not reach, from the closest row in {@code reached} a search for it
         * finds, preferring one below its bound (see attachOrphans). Never drops a link: when every reached row found
         * is full to its capacity, the first reached row with room takes it (pruning leaves every list at its bound,
         * below the capacity, so one always has room).
         */
        void attach(int r, boolean[] reached) {
            data.copy((long)r * dim, q, 0, dim);
            byQuery.reset(q);
            long e = entry;
            descend(e, 0);
            int ep = descentRow;
            float epKey = descentKey;
            if (!reached[ep]) { // r itself (linked on an upper level) or a row of r's unreached part: start at the entry.
                ep = (int)e;
                epKey = byQuery.key(ep);
            }
            int n = searchLevel(r, ep, epKey, 0);
            int from = -1;
            for (int i = 0; i < n && from < 0; i++) {
                if (reached[found[i]] && deg0[found[i]] < bound0)
                    from = found[i];
            }
            for (int i = 0; i < n && from < 0; i++) {
                if (reached[found[i]] && deg0[found[i]] < cap0)
                    from = found[i];
            }
            if (from < 0 && deg0[ep] < cap0)
                from = ep;
            for (int x = 0; x < rows && from < 0; x++) {
                if (reached[x] && deg0[x] < cap0)
                    from = x;
            }
            if (from < 0)
                throw new IllegalStateException("no reached row has room for a link to row " + r);
            adj0[from * cap0 + deg0[from]++] = r;
        }

        /**
         * Chooses row {@code r}'s list on {@code level} again from {@code cand} (its kept neighbours and the
         * neighbours of those dropped), as a list is pruned: the closest, diverse, at most its bound.
         */
        void mend(int r, int level, int[] cand) {
            int n = Math.min(cand.length, found.length);
            data.copy((long)r * dim, other, 0, dim);
            byOther.reset(other);
            System.arraycopy(cand, 0, found, 0, n);
            byOther.keys(found, n, batchKeys);
            for (int i = 0; i < n; i++)
                foundDist[i] = distance(batchKeys[i]);
            sortByDistance(found, foundDist, n);
            int bound = level == 0 ? bound0 : boundUp;
            int k = select(Math.min(n, SELECT_FROM * bound), bound);
            synchronized (lock(r)) {
                setList(r, level, kept, k);
            }
        }

        /** Prunes every list of row {@code r} above its bound down to it (the end of a build). */
        void prune(int r) {
            for (int level = 0; level <= levels[r]; level++) {
                int bound = level == 0 ? bound0 : boundUp;
                synchronized (lock(r)) {
                    int n = neighbours(level, r, batch);
                    if (n > bound)
                        shrink(r, level, n, bound);
                }
            }
        }

        /**
         * Replaces row {@code r}'s list on {@code level} by a diverse subset of at most {@code bound} of the
         * {@code n} rows in {@link #batch}; under {@code r}'s lock.
         */
        private void shrink(int r, int level, int n, int bound) {
            data.copy((long)r * dim, other, 0, dim);
            byOther.reset(other);
            byOther.keys(batch, n, batchKeys);
            for (int i = 0; i < n; i++) {
                found[i] = batch[i];
                foundDist[i] = distance(batchKeys[i]);
            }
            sortByDistance(found, foundDist, n);
            int k = select(n, bound);
            setList(r, level, kept, k);
        }

        /**
         * Keeps a diverse subset of the {@code n} candidates in {@link #found} (closest first, distances in
         * {@link #foundDist}) into {@link #kept}: see the class comment.
         *
         * @return how many were kept, at most {@code bound}.
         */
        private int select(int n, int bound) {
            Arrays.fill(taken, 0, n, false);
            int k = 0;
            for (int pass = 0; pass < 2 && k < bound; pass++) {
                float alpha = pass == 0 ? 1 : ALPHA;
                boolean fill = pass == 1 && metric == Metric.IP;
                for (int i = 0; i < n && k < bound; i++) {
                    if (taken[i])
                        continue;
                    if (pass == 0)
                        known[i] = 0;
                    if (fill || diverse(i, k, alpha)) {
                        keptDist[k] = foundDist[i];
                        kept[k++] = found[i];
                        taken[i] = true;
                    }
                }
            }
            sortByDistance(kept, keptDist, k); // The second pass appended farther rows.
            return k;
        }

        /**
         * @return true when no row of {@code kept[0..k)} is closer (times alpha) to candidate {@code i} than the row
         *      inserted is. Distances to kept rows are remembered per candidate ({@link #pairs}), so the relaxed pass
         *      computes only those the first pass did not.
         */
        private boolean diverse(int i, int k, float alpha) {
            float dc = foundDist[i];
            int at = i * kept.length;
            int j = 0;
            for (int have = known[i]; j < have; j++) {
                if (alpha * pairs[at + j] < dc)
                    return false;
            }
            if (j == k)
                return true;
            data.copy((long)found[i] * dim, other, 0, dim);
            byOther.reset(other);
            while (j < k) {
                // The closest kept row is the likeliest to be nearer: score it alone first, then four at a time.
                int n = j == 0 ? 1 : Math.min(4, k - j);
                System.arraycopy(kept, j, keptScratch, 0, n);
                byOther.keys(keptScratch, n, batchKeys);
                boolean near = false;
                for (int t = 0; t < n; t++) {
                    float d = distance(batchKeys[t]);
                    pairs[at + j + t] = d;
                    near |= alpha * d < dc;
                }
                j += n;
                known[i] = j;
                if (near)
                    return false;
            }
            return true;
        }

        /** @return the distance of a key: the key itself for L2, {@code 1 + key} ({@code 1 - cos}, {@code 1 - dot}) otherwise. */
        private float distance(float key) {
            return metric == Metric.L2 ? key : 1 + key;
        }
    }
}
