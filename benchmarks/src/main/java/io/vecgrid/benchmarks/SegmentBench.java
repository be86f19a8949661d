package io.vecgrid.benchmarks;

import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.Datasets;
import io.vecgrid.dataset.GroundTruth;
import io.vecgrid.dataset.Ivecs;
import io.vecgrid.index.DistanceKernel;
import io.vecgrid.index.SearchCost;
import io.vecgrid.index.SearchHits;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * vecgrid's side of the benchmark: one sealed-segment index over a real data set, exercised exactly as a segment
 * replica is (VectorIndexes / VectorIndex, no Ignite), on whatever JDK runs it. Sub-commands:
 * <ul>
 *   <li>{@code build}: builds the HNSW index over the first {@code n} base vectors on all cores, records the time,
 *       writes the index (graph only) to {@code --index};</li>
 *   <li>{@code search}: loads that index without rebuilding, warms up, then runs every query on one thread at each
 *       {@code ef} of the sweep, recording recall@10 against the data set's exact ground truth and QPS (with
 *       {@code --gt F}: against the ivecs file {@code F}, the one every engine of the run is measured against);</li>
 *   <li>{@code truth}: writes to {@code --out} the exact top-{@value Dataset#GROUND_TRUTH_K} of the first {@code nq}
 *       queries among the first {@code n} base vectors (ivecs, closest first, computed with vecgrid's kernel as the
 *       data set's own file is), for a run over a prefix of the base, where the data set's file does not apply;</li>
 *   <li>{@code scan}: exact FLAT scan of the whole base for single queries, alternated with a single-thread
 *       streaming sum over the same array (the memory-bandwidth probe), both in GB/s of vector data read;</li>
 *   <li>{@code storage}: the same index searched over a heap {@code float[]} and over direct buffers (vectors and
 *       graph off the heap), in one JVM, with the heap bytes each holds ({@link StorageBench}); {@code storagebuild}:
 *       the HNSW build over each storage kind, CPU-seconds and recall.</li>
 * </ul>
 * The metric is the data set's ({@link Dataset#metric()}: L2 for Fashion-MNIST, COSINE for GloVe-100), used as is: a
 * COSINE index scores raw rows by cosine (row norms precomputed), nothing is normalised beforehand.
 * Every result is appended to {@code --results} (see {@link ResultsFile}); {@link ReportWriter} turns them into
 * docs/benchmarks.md.
 */
public final class SegmentBench {
    static final int K = 10;

    private SegmentBench() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0)
            throw new IllegalArgumentException("usage: SegmentBench build|search|cost|scan|truth --option value ...");
        Map<String, String> o = options(args);
        String engine = "vecgrid-jdk" + Runtime.version().feature();
        Path results = Paths.get(req(o, "results"));
        Dataset ds = Datasets.byName(o.getOrDefault("data", Datasets.FASHION_MNIST));
        int n = Integer.parseInt(o.getOrDefault("n", String.valueOf(ds.baseCount())));
        int m = Integer.parseInt(o.getOrDefault("m", String.valueOf(IndexSpec.DFLT_M)));
        int efc = Integer.parseInt(o.getOrDefault("efc", String.valueOf(IndexSpec.DFLT_EF_CONSTRUCTION)));
        IndexSpec spec = IndexSpec.hnsw(m, efc, IndexSpec.DFLT_EF);
        switch (args[0]) {
            case "build":
                build(ds, n, spec, Paths.get(req(o, "index")), engine, results);
                break;
            case "search":
                search(ds, n, spec, Paths.get(req(o, "index")), Integer.parseInt(o.getOrDefault("nq", "10000")),
                    parseInts(req(o, "efs")), o.containsKey("gt") ? Paths.get(o.get("gt")) : null,
                    o.getOrDefault("round", "1"), engine, results);
                break;
            case "truth":
                writeTruth(ds, n, Integer.parseInt(o.getOrDefault("nq", "10000")), Paths.get(req(o, "out")), engine);
                break;
            case "cost":
                cost(ds, n, spec, Paths.get(req(o, "index")), Integer.parseInt(o.getOrDefault("nq", "2000")),
                    parseInts(req(o, "efs")), o.getOrDefault("round", "1"), engine, results);
                break;
            case "scan":
                scan(ds, n, Integer.parseInt(o.getOrDefault("passes", "12")), o.getOrDefault("round", "1"), engine, results);
                break;
            case "storage":
                StorageBench.run(ds, n, spec, Paths.get(req(o, "index")), Integer.parseInt(o.getOrDefault("nq", "10000")),
                    parseInts(o.getOrDefault("efs", "32,64")), Integer.parseInt(o.getOrDefault("rounds", "3")),
                    Integer.parseInt(o.getOrDefault("passes", "8")), Arrays.asList(o.getOrDefault("kinds", "array,direct").split(",")),
                    engine, results);
                break;
            case "storagebuild":
                StorageBench.build(ds, n, spec, Integer.parseInt(o.getOrDefault("nq", "2000")), parseInts(o.getOrDefault("efs", "12,32")),
                    Arrays.asList(o.getOrDefault("kinds", "array,direct").split(",")), engine, results);
                break;
            default:
                throw new IllegalArgumentException("unknown sub-command " + args[0]
                    + "; use build, search, cost, scan, truth, storage or storagebuild");
        }
    }

    private static void build(Dataset ds, int n, IndexSpec spec, Path index, String engine, Path results) throws IOException {
        float[] base = ds.loadBase(n);
        int threads = Runtime.getRuntime().availableProcessors();
        log(engine, "building %s over %d x %d-d %s (%s) on %d threads, kernel %s", spec, n, ds.dim(), ds.name(), ds.metric(),
            threads, DistanceKernel.implementation());
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        VectorIndex idx = VectorIndexes.build(spec, ds.metric(), ds.dim(), base, n);
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - c0) / 1e9;
        log(engine, "built in %.1f s (%.1f CPU s), %d bytes of graph", secs, cpu, idx.ramBytesUsed());
        Files.createDirectories(index.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(index);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
            idx.write(out);
        }
        ResultsFile.append(results, "build", engine, secs, threads, cpu);
        ResultsFile.append(results, "info", engine, "java", System.getProperty("java.vm.name") + " "
            + System.getProperty("java.runtime.version"));
        ResultsFile.append(results, "info", engine, "kernel", DistanceKernel.implementation());
        ResultsFile.append(results, "info", engine, "graph.bytes", idx.ramBytesUsed());
    }

    /** @param gt the ground truth file to measure recall against, or {@code null} for {@link #truth}. */
    private static void search(Dataset ds, int n, IndexSpec spec, Path index, int nq, int[] efs, Path gt, String round,
        String engine, Path results) throws IOException {
        float[] base = ds.loadBase(n);
        float[][] queries = queries(ds, nq);
        int[][] truth = gt == null ? truth(ds, n, nq) : Ivecs.readRows(gt, nq, Ivecs.dimension(gt));
        VectorIndex idx;
        try (InputStream is = Files.newInputStream(index);
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 20))) {
            idx = VectorIndexes.read(spec, ds.metric(), ds.dim(), base, n, in);
        }
        // Warm-up: JIT the search path at a middle ef before anything is timed.
        long warmEnd = System.nanoTime() + 4_000_000_000L;
        for (int i = 0; System.nanoTime() < warmEnd || i < 2000; i++)
            idx.search(queries[i % nq], K, 48, null);
        int[][] found = new int[nq][];
        for (int ef : efs) {
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < nq; i++) {
                SearchHits h = idx.search(queries[i], K, ef, null);
                found[i] = h.ordinals();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuNanos() - c0) / 1e9;
            double recall = GroundTruth.recall(truth, found, K);
            log(engine, "round %s ef %d: recall@%d %.4f, %.0f QPS, %.0f per CPU-second", round, ef, K, recall, nq / secs,
                nq / cpu);
            ResultsFile.append(results, "search", engine, round, ef, recall, nq / secs, nq / cpu);
        }
    }

    /** Writes the exact ground truth of the first {@code nq} queries among the first {@code n} base rows to {@code out}. */
    private static void writeTruth(Dataset ds, int n, int nq, Path out, String engine) throws IOException {
        long t0 = System.nanoTime();
        int[][] gt = ds.groundTruth(n, nq, Math.min(Dataset.GROUND_TRUTH_K, n));
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Ivecs.write(tmp, gt);
        Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        log(engine, "exact top-%d of %d queries among the first %d of %s (%s) in %.1f s: %s", gt[0].length, nq, n,
            ds.name(), ds.metric(), (System.nanoTime() - t0) / 1e9, out);
    }

    /** Where a search's time goes, at each ef (see {@link SearchCost}); appends {@code cost} records. */
    private static void cost(Dataset ds, int n, IndexSpec spec, Path index, int nq, int[] efs, String round, String engine,
        Path results) throws IOException {
        float[] base = ds.loadBase(n);
        float[][] queries = queries(ds, nq);
        VectorIndex idx;
        try (InputStream is = Files.newInputStream(index);
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 20))) {
            idx = VectorIndexes.read(spec, ds.metric(), ds.dim(), base, n, in);
        }
        SearchCost.measure(idx, base, ds.dim(), queries, K, efs[0], 1); // Warm-up.
        for (int ef : efs) {
            double[] c = SearchCost.measure(idx, base, ds.dim(), queries, K, ef, 3);
            log(engine, "round %s ef %d: %.1f rows scored per query; %.0f ns per scored row in the search, distances alone "
                + "%.0f ns per row one at a time, %.0f ns four rows interleaved", round, ef, c[0], c[1], c[2], c[3]);
            ResultsFile.append(results, "cost", engine, round, ef, c[0], c[1], c[2], c[3]);
        }
    }

    /**
     * Exact scan of all {@code n} rows for one query at a time (FLAT index, single thread), alternated pass by pass
     * with streaming sums over the same array, so both see the same machine state. Best pass of each is recorded.
     */
    private static void scan(Dataset ds, int n, int passes, String round, String engine, Path results) {
        float[] base = ds.loadBase(n);
        float[][] queries = queries(ds, Math.max(passes, 4));
        VectorIndex flat = VectorIndexes.build(IndexSpec.flat(), ds.metric(), ds.dim(), base, n);
        double bytes = 4.0 * n * ds.dim();
        double bestScan = 0;
        double[] bestProbe = new double[BandwidthProbe.WIDTHS.length];
        double sink = 0;
        // Warm-up of every loop.
        for (int i = 0; i < 3; i++) {
            sink += flat.search(queries[i], K, 0, null).distance(0);
            for (int bits : BandwidthProbe.WIDTHS)
                sink += BandwidthProbe.sum(base, bits);
        }
        for (int p = 0; p < passes; p++) {
            for (int w = 0; w < BandwidthProbe.WIDTHS.length; w++) {
                long t0 = System.nanoTime();
                sink += BandwidthProbe.sum(base, BandwidthProbe.WIDTHS[w]);
                bestProbe[w] = Math.max(bestProbe[w], bytes / (System.nanoTime() - t0));
            }
            long t1 = System.nanoTime();
            sink += flat.search(queries[p % queries.length], K, 0, null).distance(0);
            bestScan = Math.max(bestScan, bytes / (System.nanoTime() - t1));
        }
        int bw = 0;
        for (int w = 1; w < bestProbe.length; w++) {
            if (bestProbe[w] > bestProbe[bw])
                bw = w;
        }
        log(engine, "round %s: flat scan %.2f GB/s; streaming sum %.2f / %.2f GB/s at 128 / 256 bits "
            + "(%d passes, best of each%s)", round, bestScan, bestProbe[0], bestProbe[1], passes, sink == 42 ? "!" : "");
        ResultsFile.append(results, "scan", engine, round, bestScan);
        ResultsFile.append(results, "probe", engine, round, bestProbe[bw]);
        ResultsFile.append(results, "info", engine, "probe", "jdk.incubator.vector, 4 accumulators, fastest width "
            + BandwidthProbe.WIDTHS[bw] + " bits (round " + round + ")");
    }

    /**
     * @return CPU time of this whole process (every thread, so GC and JIT work count), ns. On a shared machine this
     *     is far less disturbed by other processes than wall time: time spent descheduled is not counted.
     */
    static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
            return ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
        return System.nanoTime();
    }

    static float[][] queries(Dataset ds, int nq) {
        float[] flat = ds.loadQueries(nq);
        float[][] q = new float[nq][];
        for (int i = 0; i < nq; i++)
            q[i] = Arrays.copyOfRange(flat, i * ds.dim(), (i + 1) * ds.dim());
        return q;
    }

    /** Exact top-{@value #K}: the data set's file when the index covers the whole base, else computed. */
    static int[][] truth(Dataset ds, int n, int nq) {
        if (n == ds.baseCount())
            return ds.loadGroundTruth(nq);
        return ds.groundTruth(n, nq, K);
    }

    static Metric metric(Dataset ds) {
        return ds.metric();
    }

    private static int[] parseInts(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --option value at " + args[i]);
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    private static String req(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null)
            throw new IllegalArgumentException("missing --" + key);
        return v;
    }

    static void log(String engine, String fmt, Object... args) {
        System.out.printf("[%s] " + fmt + "%n", prepend(engine, args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
