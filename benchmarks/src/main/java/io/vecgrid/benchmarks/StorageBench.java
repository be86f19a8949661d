package io.vecgrid.benchmarks;

import io.vecgrid.api.IndexSpec;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.GroundTruth;
import io.vecgrid.index.DistanceKernel;
import io.vecgrid.index.SearchHits;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code SegmentBench storage}: the same segment index searched over its vectors held in each storage kind, in ONE
 * JVM, rounds interleaved (order rotated each round) so that every kind sees the same machine state:
 * <ul>
 *   <li>{@code array}: a heap {@code float[]} and the graph read from a stream onto the heap (how segments were
 *       loaded before vectors moved off the heap);</li>
 *   <li>{@code direct}: the vectors in a 64-byte aligned direct buffer and the index bytes in another, the graph
 *       searched in place (how a loaded segment copy runs);</li>
 *   <li>only when asked for with {@code --kinds}: {@code heapbuf}, the vectors in a heap {@code ByteBuffer} and the
 *       graph in place in a heap buffer; {@code arraydg}, the vectors in a {@code float[]} and the graph in place in a
 *       direct buffer.</li>
 * </ul>
 * Per kind: HNSW QPS (per CPU-second of the process and per wall second) and recall@10 at each {@code --efs}, one
 * thread, {@code --nq} queries; FLAT exact scan of all rows for one query at a time in GB/s of vectors read; heap bytes
 * the loaded HNSW index holds ({@code ramBytesUsed}, and the heap growth measured around loading it) and off-heap
 * bytes. Prints a summary with direct / array ratios and appends {@code storage} records to {@code --results}.
 *
 * <p>Command (after {@code mvn -q -o -DskipTests package -pl benchmarks -am}):
 * <pre>
 * java -Xms2g -Xmx6g -XX:+UseParallelGC --add-modules=jdk.incubator.vector \
 *   -cp benchmarks/target/classes:benchmarks/target/lib/'*' io.vecgrid.benchmarks.SegmentBench storage \
 *   --index /tmp/vecgrid-storage/fm.idx --results /tmp/vecgrid-storage/results.tsv [--efs 32,64 --nq 10000 --rounds 3]
 * </pre>
 * The index is built (all cores) and written to {@code --index} when that file does not exist yet.
 */
final class StorageBench {
    private StorageBench() {
    }

    static void run(Dataset ds, int n, IndexSpec spec, Path indexFile, int nq, int[] efs, int rounds, int passes, List<String> kinds,
        String engine, Path results) throws IOException {
        int dim = ds.dim();
        float[] base = ds.loadBase(n);
        float[][] queries = SegmentBench.queries(ds, nq);
        int[][] truth = SegmentBench.truth(ds, n, nq);
        byte[] indexBytes = indexBytes(ds, n, spec, indexFile, base, engine, results);
        SegmentBench.log(engine, "kernel %s, %d x %d-d, index %d bytes, kinds %s", DistanceKernel.implementation(), n, dim,
            indexBytes.length, kinds);

        Map<String, VectorIndex> hnsw = new LinkedHashMap<>();
        Map<String, VectorIndex> flat = new LinkedHashMap<>();
        Map<String, long[]> heap = new LinkedHashMap<>();
        for (String kind : kinds) {
            Object vectors = vectors(kind, base, dim);
            long before = usedHeapAfterGc();
            VectorIndex idx = load(kind, spec, ds, dim, n, vectors, indexBytes);
            long after = usedHeapAfterGc();
            hnsw.put(kind, idx);
            flat.put(kind, vectors instanceof float[] ? VectorIndexes.build(IndexSpec.flat(), ds.metric(), dim, (float[])vectors, n)
                : VectorIndexes.build(IndexSpec.flat(), ds.metric(), dim, (ByteBuffer)vectors, n));
            heap.put(kind, new long[] {idx.ramBytesUsed(), after - before, idx.offHeapBytesUsed()});
            SegmentBench.log(engine, "%s: loaded %s; ramBytesUsed %d, heap growth on load %d, offHeapBytesUsed %d", kind, idx,
                idx.ramBytesUsed(), after - before, idx.offHeapBytesUsed());
        }
        // The vectors of the array kind stay reachable through its index; drop our own reference to nothing else.

        // Warm-up: every kind's search and scan paths JIT-compiled before anything is timed.
        long warmEnd = System.nanoTime() + 3_000_000_000L * kinds.size();
        double sink = 0;
        for (int i = 0; System.nanoTime() < warmEnd || i < 3000 * kinds.size(); i++) {
            String kind = kinds.get(i % kinds.size());
            sink += hnsw.get(kind).search(queries[(i / kinds.size()) % nq], SegmentBench.K, efs[i % efs.length], null).distance(0);
            if (i % 500 == 0)
                sink += flat.get(kind).search(queries[i % nq], SegmentBench.K, 0, null).distance(0);
        }

        Map<String, List<double[]>> qps = new LinkedHashMap<>(); // kind/ef -> per round {cpu qps, wall qps, recall}
        Map<String, List<Double>> scans = new LinkedHashMap<>();
        double bytes = 4.0 * n * dim;
        int[][] found = new int[nq][];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < kinds.size(); j++) {
                String kind = kinds.get((j + r) % kinds.size());
                VectorIndex idx = hnsw.get(kind);
                for (int ef : efs) {
                    long c0 = SegmentBench.cpuNanos();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < nq; i++) {
                        SearchHits h = idx.search(queries[i], SegmentBench.K, ef, null);
                        found[i] = h.ordinals();
                    }
                    double wall = (System.nanoTime() - t0) / 1e9;
                    double cpu = (SegmentBench.cpuNanos() - c0) / 1e9;
                    double recall = GroundTruth.recall(truth, found, SegmentBench.K);
                    qps.computeIfAbsent(kind + "/" + ef, k -> new ArrayList<>()).add(new double[] {nq / cpu, nq / wall, recall});
                    SegmentBench.log(engine, "round %d %s ef %d: recall@10 %.4f, %.0f QPS per CPU-second, %.0f wall", r + 1, kind, ef,
                        recall, nq / cpu, nq / wall);
                    ResultsFile.append(results, "storage.search", engine, kind, r + 1, ef, recall, nq / wall, nq / cpu);
                }
                VectorIndex f = flat.get(kind);
                double best = 0;
                for (int p = 0; p < passes; p++) {
                    long t0 = System.nanoTime();
                    sink += f.search(queries[(p + r * passes) % nq], SegmentBench.K, 0, null).distance(0);
                    best = Math.max(best, bytes / (System.nanoTime() - t0));
                }
                scans.computeIfAbsent(kind, k -> new ArrayList<>()).add(best);
                SegmentBench.log(engine, "round %d %s: flat scan %.2f GB/s (best of %d passes)", r + 1, kind, best, passes);
                ResultsFile.append(results, "storage.scan", engine, kind, r + 1, best);
            }
        }

        // Summary: best round per point and the median of per-round ratios against the array kind.
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n[%s] summary (%s, %d queries, %d rounds, best round; ratio = kind / array, best and per-round median)%n",
            engine, DistanceKernel.implementation(), nq, rounds));
        for (int ef : efs) {
            List<double[]> base0 = qps.get(kinds.get(0) + "/" + ef);
            for (String kind : kinds) {
                List<double[]> l = qps.get(kind + "/" + ef);
                double bestCpu = l.stream().mapToDouble(x -> x[0]).max().orElse(0);
                double bestWall = l.stream().mapToDouble(x -> x[1]).max().orElse(0);
                double baseCpu = base0.stream().mapToDouble(x -> x[0]).max().orElse(1);
                double[] per = new double[rounds];
                for (int r = 0; r < rounds; r++)
                    per[r] = l.get(r)[0] / base0.get(r)[0];
                sb.append(String.format("  HNSW ef %3d %-8s recall@10 %.4f  %7.0f QPS/CPU-s  %7.0f QPS wall  ratio %.3f (median %.3f)%n", ef,
                    kind, l.get(0)[2], bestCpu, bestWall, bestCpu / baseCpu, median(per)));
            }
        }
        List<Double> scan0 = scans.get(kinds.get(0));
        for (String kind : kinds) {
            List<Double> l = scans.get(kind);
            double best = l.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double[] per = new double[rounds];
            for (int r = 0; r < rounds; r++)
                per[r] = l.get(r) / scan0.get(r);
            sb.append(String.format("  FLAT scan %-8s %6.2f GB/s (rounds %s)  ratio %.3f (median %.3f)%n", kind, best, l,
                best / scan0.stream().mapToDouble(Double::doubleValue).max().orElse(1), median(per)));
        }
        for (String kind : kinds) {
            long[] h = heap.get(kind);
            sb.append(String.format("  HNSW index %-8s ramBytesUsed %,d  heap growth on load %,d  offHeapBytesUsed %,d%n", kind, h[0], h[1], h[2]));
            ResultsFile.append(results, "storage.heap", engine, kind, h[0], h[1], h[2]);
        }
        System.out.print(sb);
        if (sink == 42)
            System.out.print("");
    }

    /**
     * {@code SegmentBench storagebuild}: builds the HNSW index over the vectors of each kind in turn (all cores, one
     * build at a time) and records process CPU-seconds, wall seconds and recall@10 at each ef over {@code nq}
     * queries: the build reads a buffer's rows where they are, and this shows what that costs.
     */
    static void build(Dataset ds, int n, IndexSpec spec, int nq, int[] efs, List<String> kinds, String engine, Path results) {
        int dim = ds.dim();
        float[] base = ds.loadBase(n);
        float[][] queries = SegmentBench.queries(ds, nq);
        int[][] truth = SegmentBench.truth(ds, n, nq);
        int[][] found = new int[nq][];
        for (String kind : kinds) {
            Object vectors = vectors(kind, base, dim);
            usedHeapAfterGc();
            long c0 = SegmentBench.cpuNanos();
            long t0 = System.nanoTime();
            VectorIndex idx = vectors instanceof float[] ? VectorIndexes.build(spec, ds.metric(), dim, (float[])vectors, n)
                : VectorIndexes.build(spec, ds.metric(), dim, (ByteBuffer)vectors, n);
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (SegmentBench.cpuNanos() - c0) / 1e9;
            StringBuilder sb = new StringBuilder();
            for (int ef : efs) {
                for (int i = 0; i < nq; i++)
                    found[i] = idx.search(queries[i], SegmentBench.K, ef, null).ordinals();
                sb.append(String.format(" recall@10 %.4f at ef %d;", GroundTruth.recall(truth, found, SegmentBench.K), ef));
            }
            SegmentBench.log(engine, "build over %s: %.1f s wall, %.1f CPU-s on %d threads;%s", kind, wall, cpu,
                Runtime.getRuntime().availableProcessors(), sb);
            ResultsFile.append(results, "storage.buildkind", engine, kind, wall, cpu);
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The written index: read from {@code file}, or built over the base, written there, and read back. */
    private static byte[] indexBytes(Dataset ds, int n, IndexSpec spec, Path file, float[] base, String engine, Path results)
        throws IOException {
        if (!Files.exists(file)) {
            SegmentBench.log(engine, "building %s over %d x %d-d (%s) on %d threads", spec, n, ds.dim(), ds.metric(),
                Runtime.getRuntime().availableProcessors());
            long c0 = SegmentBench.cpuNanos();
            long t0 = System.nanoTime();
            VectorIndex idx = VectorIndexes.build(spec, ds.metric(), ds.dim(), base, n);
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (SegmentBench.cpuNanos() - c0) / 1e9;
            SegmentBench.log(engine, "built in %.1f s, %.1f CPU-s", secs, cpu);
            ResultsFile.append(results, "storage.build", engine, secs, cpu);
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            idx.write(new DataOutputStream(bos));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bos.toByteArray());
        }
        return Files.readAllBytes(file);
    }

    /** The vectors in the storage of {@code kind}. */
    private static Object vectors(String kind, float[] base, int dim) {
        switch (kind) {
            case "array":
            case "arraydg":
                return base;
            case "direct":
                return aligned(ByteBuffer.allocateDirect(4 * base.length + 64), base);
            case "heapbuf":
                return aligned(ByteBuffer.allocate(4 * base.length + 64), base);
            default:
                throw new IllegalArgumentException("unknown storage kind " + kind + "; use array, direct, heapbuf");
        }
    }

    /** The floats little-endian at the first 64-byte aligned address of {@code b} (heap: offset 0 of the array). */
    private static ByteBuffer aligned(ByteBuffer b, float[] floats) {
        int skip = b.isDirect() ? (int)((64 - b.alignmentOffset(0, 64)) % 64) : 0;
        ByteBuffer s = b.position(skip).slice().limit(4 * floats.length).slice().order(ByteOrder.LITTLE_ENDIAN);
        s.asFloatBuffer().put(floats);
        return s;
    }

    private static VectorIndex load(String kind, IndexSpec spec, Dataset ds, int dim, int n, Object vectors, byte[] indexBytes) throws IOException {
        if (kind.equals("arraydg")) {
            ByteBuffer index = ByteBuffer.allocateDirect(indexBytes.length);
            index.put(indexBytes).flip();
            return VectorIndexes.read(spec, ds.metric(), dim, (float[])vectors, n, index);
        }
        if (vectors instanceof float[])
            return VectorIndexes.read(spec, ds.metric(), dim, (float[])vectors, n, new DataInputStream(new ByteArrayInputStream(indexBytes)));
        ByteBuffer index = ((ByteBuffer)vectors).isDirect() ? ByteBuffer.allocateDirect(indexBytes.length) : ByteBuffer.allocate(indexBytes.length);
        index.put(indexBytes).flip();
        return VectorIndexes.read(spec, ds.metric(), dim, (ByteBuffer)vectors, n, index);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++)
            System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
