package io.vecgrid.dataset;

import io.vecgrid.api.Metric;
import io.vecgrid.index.DistanceKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Exact k-nearest-neighbour ground truth by brute force with the project's own kernel
 * ({@link DistanceKernel#distance}), so the oracle and the indexes agree on what a distance is.
 *
 * <p>Order: closest first by {@link Metric#rankKey(float)}; equal distances are ordered by the smaller base index; a
 * NaN distance ranks last. Work is split over threads by batches of queries and tiled over blocks of base rows so a
 * block stays in cache while a batch of queries is scored against it.
 */
public final class GroundTruth {
    /** Queries scored together against one cached block of base rows. */
    private static final int QUERY_BATCH = 16;

    /** Target size in bytes of one block of base rows (fits a core's L2 with the query batch). */
    private static final int BLOCK_BYTES = 256 * 1024;

    private GroundTruth() {
    }

    /**
     * Exact top-{@code k} of each of the first {@code q} queries among the first {@code n} base vectors, on all cores.
     *
     * @param metric metric.
     * @param base base vectors, contiguous, row {@code i} at {@code i * dim}.
     * @param n number of base vectors used (a prefix of {@code base}).
     * @param queries query vectors, contiguous.
     * @param q number of queries used (a prefix of {@code queries}).
     * @param dim dimension.
     * @param k neighbours per query, 1..n.
     * @return {@code int[q][k]}: base indexes, closest first.
     */
    public static int[][] compute(Metric metric, float[] base, int n, float[] queries, int q, int dim, int k) {
        return compute(metric, base, n, queries, q, dim, k, Runtime.getRuntime().availableProcessors(), null);
    }

    /**
     * As {@link #compute(Metric, float[], int, float[], int, int, int)} with an explicit thread count and an optional
     * progress callback, called (from worker threads, serially) with the number of queries finished so far.
     */
    public static int[][] compute(Metric metric, float[] base, int n, float[] queries, int q, int dim, int k,
        int threads, IntConsumer progress) {
        if (metric == null)
            throw new IllegalArgumentException("metric is null");
        if (dim <= 0)
            throw new IllegalArgumentException("dim must be > 0, got " + dim);
        if (n < 0 || (long)n * dim > base.length)
            throw new IllegalArgumentException("n = " + n + " base vectors of dimension " + dim + " need "
                + (long)n * dim + " floats, array has " + base.length);
        if (q < 0 || (long)q * dim > queries.length)
            throw new IllegalArgumentException("q = " + q + " queries of dimension " + dim + " need "
                + (long)q * dim + " floats, array has " + queries.length);
        if (k <= 0 || k > n)
            throw new IllegalArgumentException("k must be 1..n (n = " + n + "), got " + k);
        if (threads <= 0)
            throw new IllegalArgumentException("threads must be > 0, got " + threads);

        int[][] result = new int[q][];
        int batches = (q + QUERY_BATCH - 1) / QUERY_BATCH;
        int workers = Math.min(threads, Math.max(1, batches));
        int blockRows = Math.max(1, Math.min(n, BLOCK_BYTES / (4 * dim)));
        AtomicInteger nextBatch = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Object progressLock = new Object();

        Runnable work = () -> {
            TopK[] heaps = new TopK[QUERY_BATCH];
            for (int i = 0; i < QUERY_BATCH; i++)
                heaps[i] = new TopK(k);
            int b;
            while ((b = nextBatch.getAndIncrement()) < batches) {
                int q0 = b * QUERY_BATCH;
                int q1 = Math.min(q, q0 + QUERY_BATCH);
                for (int i = q0; i < q1; i++)
                    heaps[i - q0].clear();
                for (int r0 = 0; r0 < n; r0 += blockRows) {
                    int r1 = Math.min(n, r0 + blockRows);
                    for (int i = q0; i < q1; i++) {
                        TopK h = heaps[i - q0];
                        int qOff = i * dim;
                        for (int r = r0; r < r1; r++) {
                            float key = metric.rankKey(DistanceKernel.distance(metric, queries, qOff, base, r * dim, dim));
                            h.offer(Float.isNaN(key) ? Float.POSITIVE_INFINITY : key, r);
                        }
                    }
                }
                for (int i = q0; i < q1; i++)
                    result[i] = heaps[i - q0].sortedIds();
                int d = done.addAndGet(q1 - q0);
                if (progress != null) {
                    synchronized (progressLock) {
                        progress.accept(d);
                    }
                }
            }
        };

        if (workers == 1) {
            work.run();
            return result;
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "vecgrid-groundtruth");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < workers; i++)
                fs.add(pool.submit(work));
            for (Future<?> f : fs)
                f.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ground truth computation interrupted", e);
        }
        catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException)
                throw (RuntimeException)c;
            if (c instanceof Error)
                throw (Error)c;
            throw new IllegalStateException(c);
        }
        finally {
            pool.shutdownNow();
        }
        return result;
    }

    /**
     * Mean recall@k: for each query, the fraction of {@code truth[i][0..k)} found in {@code found[i][0..k)}.
     *
     * @param truth exact neighbours (at least {@code k} per row).
     * @param found neighbours returned by a search (rows may be shorter than {@code k}).
     * @param k cut-off.
     * @return recall in [0, 1].
     */
    public static double recall(int[][] truth, int[][] found, int k) {
        if (found.length > truth.length)
            throw new IllegalArgumentException(found.length + " result rows but only " + truth.length + " truth rows");
        if (found.length == 0)
            return 0;
        long hits = 0;
        for (int i = 0; i < found.length; i++) {
            if (truth[i].length < k)
                throw new IllegalArgumentException("truth row " + i + " has " + truth[i].length + " ids, k = " + k);
            Set<Integer> t = new HashSet<>();
            for (int j = 0; j < k; j++)
                t.add(truth[i][j]);
            for (int j = 0; j < Math.min(k, found[i].length); j++) {
                if (t.remove(found[i][j]))
                    hits++;
            }
        }
        return hits / ((double)found.length * k);
    }

    /** Bounded max-heap on (key, id): keeps the k smallest. */
    private static final class TopK {
        private final float[] keys;

        private final int[] ids;

        private int size;

        TopK(int k) {
            keys = new float[k];
            ids = new int[k];
        }

        void clear() {
            size = 0;
        }

        /** Larger = worse: by key, then by id. */
        private boolean worse(int a, int b) {
            return keys[a] > keys[b] || (keys[a] == keys[b] && ids[a] > ids[b]);
        }

        void offer(float key, int id) {
            if (size < keys.length) {
                int i = size++;
                keys[i] = key;
                ids[i] = id;
                while (i > 0) {
                    int p = (i - 1) >>> 1;
                    if (!worse(i, p))
                        break;
                    swap(i, p);
                    i = p;
                }
                return;
            }
            // Ids arrive in increasing order, so an equal key never displaces the current worst.
            if (!(key < keys[0] || (key == keys[0] && id < ids[0])))
                return;
            keys[0] = key;
            ids[0] = id;
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= size)
                    break;
                int c = l + 1 < size && worse(l + 1, l) ? l + 1 : l;
                if (!worse(c, i))
                    break;
                swap(i, c);
                i = c;
            }
        }

        private void swap(int a, int b) {
            float k = keys[a];
            keys[a] = keys[b];
            keys[b] = k;
            int t = ids[a];
            ids[a] = ids[b];
            ids[b] = t;
        }

        int[] sortedIds() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++)
                order[i] = i;
            Arrays.sort(order, (a, b) -> {
                // Same order as worse(): -0.0 and 0.0 are equal keys, tied by id.
                if (keys[a] != keys[b])
                    return keys[a] < keys[b] ? -1 : 1;
                return Integer.compare(ids[a], ids[b]);
            });
            int[] out = new int[size];
            for (int i = 0; i < size; i++)
                out[i] = ids[order[i]];
            return out;
        }
    }
}
