package io.vecgrid.benchmarks;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.Datasets;
import io.vecgrid.examples.EmbeddedCluster;
import io.vecgrid.examples.MemoryFootprint;
import org.apache.ignite.DataRegionMetrics;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.logger.log4j2.Log4J2Logger;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Memory per vector per copy, with the shipped configs: {@code measure} starts three nodes in this JVM from each given
 * Spring XML (config/default-config.xml: native persistence, segments in a bounded page cache; config/in-memory-config
 * .xml: segment chunks kept in RAM), loads Fashion-MNIST into a collection with two replicas (HNSW M=16, two shards,
 * as the demo) in two halves, waits after each until it is settled (compacted, replaced segments dropped), and
 * measures region pages in RAM, heap after GC and direct memory ({@link MemoryFootprint}); the slope between the two
 * halves over rows x copies is the RAM a further vector costs per copy. Nodes get their own ports (47700..., so that a
 * cluster the developer runs on the defaults is never joined), work directories under {@code --work} and a log at
 * WARN; everything else is the XML's.
 *
 * <p>{@code report} turns the records of that run, and of {@code SegmentBench storage} runs on JDK 17 and on the
 * newest JDK (heap {@code float[]} against direct buffers, in one JVM each), into the "Memory per vector per copy"
 * section of docs/benchmarks.md (generated section {@value #SECTION}, {@link DocSections}): it replaces that section
 * and leaves the rest of the page alone ({@link ReportWriter} keeps the section when it rewrites the page).
 *
 * <p>Records ({@link ResultsFile}): {@code memory CONFIG ROWS COPIES REGION HEAP DIRECT COPIES_DIRECT RSS},
 * {@code memory.region CONFIG ROWS REGION_NAME BYTES}, {@code memory.regionfree CONFIG ROWS REGION_NAME BYTES} (of
 * those, pages holding no data), {@code memory.info CONFIG KEY VALUE}.
 *
 * <p>Run by scripts/memory-bench.sh.
 */
public final class MemoryBench {
    /** The section's id among the generated sections of docs/benchmarks.md ({@link DocSections}). */
    static final String SECTION = "memory";
    private static final int NODES = 3;
    private static final int COPIES = 2;

    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0)
            throw new IllegalArgumentException("usage: MemoryBench measure --config XML [--config XML] --results R [--rows N] [--work DIR]"
                + " | report --results R --md MD [--meta k=v]...");
        List<String> configs = new ArrayList<>();
        List<String> metas = new ArrayList<>();
        Map<String, String> o = new TreeMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            String k = args[i].replaceFirst("^--", "");
            if (k.equals("config"))
                configs.add(args[i + 1]);
            else if (k.equals("meta"))
                metas.add(args[i + 1]);
            else
                o.put(k, args[i + 1]);
        }
        Path results = Paths.get(req(o, "results"));
        switch (args[0]) {
            case "measure":
                int rows = Integer.parseInt(o.getOrDefault("rows", "60000"));
                File work = new File(o.getOrDefault("work", System.getProperty("java.io.tmpdir") + "/vecgrid-memory-bench"));
                for (String cfg : configs)
                    measure(cfg, rows, work, results);
                break;
            case "report":
                report(results, Paths.get(req(o, "md")), metas);
                break;
            default:
                throw new IllegalArgumentException("unknown sub-command " + args[0] + "; use measure or report");
        }
        System.exit(0);
    }

    private static String req(Map<String, String> o, String k) {
        String v = o.get(k);
        if (v == null)
            throw new IllegalArgumentException("--" + k + " is required");
        return v;
    }

    private static void measure(String xml, int rows, File workRoot, Path results) throws Exception {
        String name = Paths.get(xml).getFileName().toString().replace(".xml", "");
        File work = new File(workRoot, name);
        deleteTree(work);
        Dataset data = Datasets.fashionMnist();
        rows = Math.min(rows, data.baseCount());
        int dim = data.dim();
        float[] base = data.loadBase(rows);
        float[][] queries = SegmentBench.queries(data, 300);
        // The XML reads these when it is loaded: ports of our own, and a new persistent cluster of three.
        System.setProperty("vecgrid.discovery.port", "47700");
        System.setProperty("vecgrid.discovery.addresses", "127.0.0.1:47700..47709");
        System.setProperty("vecgrid.communication.port", "47800");
        System.setProperty("vecgrid.client.port", "10900");
        System.setProperty("vecgrid.expected.nodes", String.valueOf(NODES));
        List<Ignite> nodes = new ArrayList<>();
        log(name, "starting %d nodes from %s (work %s), %d rows of Fashion-MNIST, %d copies", NODES, xml, work, rows, COPIES);
        try {
            for (int i = 0; i < NODES; i++) {
                IgniteConfiguration cfg = Ignition.loadSpringBean(xml, "ignite.cfg");
                cfg.setIgniteInstanceName("membench-" + name + "-" + i).setConsistentId("node-" + i)
                    .setWorkDirectory(new File(work, "node-" + i).getAbsolutePath()).setGridLogger(quietLogger())
                    .setMetricsLogFrequency(0);
                nodes.add(Ignition.start(cfg));
            }
            for (Ignite ig : nodes)
                EmbeddedCluster.awaitServing(ig);
            for (DataRegionMetrics m : nodes.get(0).dataRegionMetrics())
                ResultsFile.append(results, "memory.info", name, "region." + m.getName(), m.getOffHeapSize());
            ResultsFile.append(results, "memory.info", name, "java", System.getProperty("java.vm.name") + " " +
                System.getProperty("java.runtime.version"));
            VectorGrid vg = Vecgrid.of(nodes.get(0));
            vg.createCollection(CollectionSpec.builder("fashion").dimension(dim).metric(data.metric())
                .index(IndexSpec.hnsw()).shards(2).replicas(COPIES).build());
            int half = rows / 2;
            MemoryFootprint first = null;
            for (int[] part : new int[][] {{0, half}, {half, rows}}) {
                long t0 = System.nanoTime();
                for (int i = part[0]; i < part[1]; i += 1000) {
                    List<VectorRow> batch = new ArrayList<>();
                    for (int r = i; r < Math.min(part[1], i + 1000); r++)
                        batch.add(new VectorRow(r, Arrays.copyOfRange(base, r * dim, (r + 1) * dim), Map.of()));
                    vg.insert("fashion", batch);
                }
                vg.flush("fashion");
                MemoryFootprint.awaitSettled(nodes, "fashion", COPIES, 1_800_000);
                MemoryFootprint.serve(nodes, "fashion", queries, 100);
                MemoryFootprint m = MemoryFootprint.measure(nodes);
                log(name, "%d rows loaded and settled in %.0f s: %s; region %,d, heap %,d, direct %,d (copies %,d), VmRSS %,d",
                    part[1], (System.nanoTime() - t0) / 1e9, vg.describeCollection("fashion"), m.regionBytes, m.heapBytes,
                    m.directBytes, m.copiesBytes, m.rssBytes);
                ResultsFile.append(results, "memory", name, part[1], COPIES, m.regionBytes, m.heapBytes, m.directBytes,
                    m.copiesBytes, m.rssBytes);
                Map<String, Long> byRegion = new TreeMap<>();
                Map<String, Long> freeByRegion = new TreeMap<>();
                for (Ignite ig : nodes) {
                    for (DataRegionMetrics r : ig.dataRegionMetrics()) {
                        byRegion.merge(r.getName(), r.getPhysicalMemorySize(), Long::sum);
                        // Pages in RAM that hold no data: freed (e.g. by dropped segments) and kept by the region
                        // for reuse, as Ignite never hands a region's memory back.
                        freeByRegion.merge(r.getName(), Math.max(0, r.getPhysicalMemorySize() -
                            r.getTotalUsedPages() * r.getPageSize()), Long::sum);
                    }
                }
                byRegion.forEach((r, b) -> ResultsFile.append(results, "memory.region", name, part[1], r, b));
                freeByRegion.forEach((r, b) -> ResultsFile.append(results, "memory.regionfree", name, part[1], r, b));
                log(name, "region pages in RAM by region: %s; of which free (no data, kept for reuse): %s", byRegion,
                    freeByRegion);
                if (first == null)
                    first = m;
                else {
                    MemoryFootprint.Slope s = new MemoryFootprint.Slope(first, m, part[1] - part[0], COPIES, dim);
                    log(name, "%s; %s", s.line(), s.breakdown());
                }
            }
        }
        finally {
            for (Ignite ig : nodes)
                Ignition.stop(ig.name(), true);
            deleteTree(work);
        }
    }

    private static Log4J2Logger quietLogger() throws IgniteCheckedException {
        return new Log4J2Logger(MemoryBench.class.getResource("/memory-bench-log4j2.xml"));
    }

    private static void deleteTree(File dir) throws IOException {
        if (!dir.exists())
            return;
        try (Stream<Path> s = Files.walk(dir.toPath())) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void log(String what, String fmt, Object... args) {
        System.out.printf("[memory %s] %s%n", what, String.format(fmt, args));
    }

    // ------------------------------------------------------------------ report

    private static void report(Path results, Path md, List<String> metas) throws IOException {
        List<String[]> recs = ResultsFile.read(results);
        Map<String, String> meta = new LinkedHashMap<>();
        for (String m : metas) {
            int eq = m.indexOf('=');
            meta.put(m.substring(0, eq), m.substring(eq + 1));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## Memory per vector per copy\n\n");
        sb.append("The RAM a further vector costs on each node that holds a copy of it, with the shipped configs: three nodes ")
            .append("in one JVM loaded from config/default-config.xml (native persistence; segment chunks in the bounded ")
            .append("`vecgrid-segments` page cache) and from config/in-memory-config.xml (segment chunks kept in RAM), Fashion-MNIST ")
            .append("(784-d, a raw vector is 3,136 bytes) in a collection with 2 replicas, HNSW M=16, 2 shards, loaded in two ")
            .append("halves, each flushed and settled (compacted to one segment per shard, replaced segments dropped). Measured ")
            .append("after each half: data-region pages in RAM over the nodes, Java heap in use after `System.gc()`, and direct ")
            .append("memory in use (`BufferPoolMXBean` \"direct\"): what grows with the data; VmRSS, which also holds heap ")
            .append("the collector keeps committed and never shrinks, is given beside it. The figure is the slope between the ")
            .append("two halves divided by rows x copies: fixed costs (the JVM, each node's bounded page cache) cancel out. ")
            .append("Command:\n\n```\nscripts/memory-bench.sh\n```\n\n");
        if (!meta.isEmpty()) {
            sb.append("| | |\n|---|---|\n");
            meta.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            sb.append('\n');
        }
        // memory CONFIG ROWS COPIES REGION HEAP DIRECT COPIES_DIRECT RSS
        Map<String, List<long[]>> points = new LinkedHashMap<>();
        Map<String, Map<Long, Map<String, Long>>> regions = new LinkedHashMap<>();
        Map<String, Map<Long, Map<String, Long>>> freePages = new LinkedHashMap<>();
        Map<String, Map<String, String>> infos = new LinkedHashMap<>();
        for (String[] r : recs) {
            switch (r[0]) {
                case "memory":
                    points.computeIfAbsent(r[1], k -> new ArrayList<>()).add(new long[] {Long.parseLong(r[2]), Long.parseLong(r[3]),
                        Long.parseLong(r[4]), Long.parseLong(r[5]), Long.parseLong(r[6]), Long.parseLong(r[7]), Long.parseLong(r[8])});
                    break;
                case "memory.region":
                case "memory.regionfree":
                    (r[0].equals("memory.region") ? regions : freePages).computeIfAbsent(r[1], k -> new TreeMap<>())
                        .computeIfAbsent(Long.parseLong(r[2]), k -> new TreeMap<>()).put(r[3], Long.parseLong(r[4]));
                    break;
                case "memory.info":
                    infos.computeIfAbsent(r[1], k -> new LinkedHashMap<>()).put(r[2], r[3]);
                    break;
                default:
            }
        }
        sb.append("| config | goal | RAM per vector per copy | ratio to raw | region pages | heap after GC | direct | VmRSS (not in the figure) | status |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<long[]>> e : points.entrySet()) {
            List<long[]> p = e.getValue();
            if (p.size() < 2)
                continue;
            long[] a = p.get(p.size() - 2);
            long[] b = p.get(p.size() - 1);
            double per = (double)(b[0] - a[0]) * b[1];
            double region = (b[2] - a[2]) / per;
            double heap = (b[3] - a[3]) / per;
            double direct = (b[4] - a[4]) / per;
            double total = region + heap + direct;
            double goal = e.getKey().contains("in-memory") ? 2.3 : 1.3;
            sb.append(String.format("| %s | <= %.1fx | **%.0f B** | **%.2fx** | %.0f B | %.0f B | %.0f B | %.0f B | %s |%n", e.getKey(),
                goal, total, total / 3136, region, heap, direct, (b[6] - a[6]) / per, total / 3136 <= goal ? "met" : "not met"));
        }
        sb.append("\nRaw figures (bytes, summed over the three nodes; the JVM's heap and direct memory are shared by them; ")
            .append("[free]: of a region's pages in RAM, those holding no data, freed and kept by the region for reuse, ")
            .append("as Ignite never hands a region's memory back):\n\n");
        sb.append("| config | rows | region pages in RAM (by region) | heap after GC | direct | of which segment copies | VmRSS |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<long[]>> e : points.entrySet()) {
            for (long[] p : e.getValue()) {
                Map<String, Long> byRegion = regions.getOrDefault(e.getKey(), Map.of()).getOrDefault(p[0], Map.of());
                Map<String, Long> free = freePages.getOrDefault(e.getKey(), Map.of()).getOrDefault(p[0], Map.of());
                StringBuilder rs = new StringBuilder();
                byRegion.forEach((r, v) -> {
                    if (v > 0) {
                        rs.append(rs.length() == 0 ? "" : ", ").append(r).append(String.format(" %,d", v));
                        if (free.getOrDefault(r, 0L) > 0)
                            rs.append(String.format(" [%,d free]", free.get(r)));
                    }
                });
                sb.append(String.format("| %s | %,d | %,d (%s) | %,d | %,d | %,d | %,d |%n", e.getKey(), p[0], p[2], rs, p[3], p[4],
                    p[5], p[6]));
            }
        }
        sb.append('\n');
        for (Map.Entry<String, Map<String, String>> e : infos.entrySet()) {
            StringBuilder rs = new StringBuilder();
            e.getValue().forEach((k, v) -> {
                if (k.startsWith("region."))
                    rs.append(rs.length() == 0 ? "" : ", ").append(k.substring(7)).append(String.format(" %,d", Long.parseLong(v)));
            });
            sb.append(String.format("- %s: %s; data regions of each node (reserved off-heap size): %s.%n", e.getKey(),
                e.getValue().getOrDefault("java", "?"), rs));
        }
        storage(recs, sb);

        String page = Files.exists(md) ? Files.readString(md, StandardCharsets.UTF_8) : "";
        Files.writeString(md, DocSections.replace(page, SECTION, sb.toString()), StandardCharsets.UTF_8);
        System.out.println("[report] wrote the memory section of " + md);
    }

    /** Speed of a loaded copy's two storage kinds, from {@code SegmentBench storage} records, per JDK. */
    private static void storage(List<String[]> recs, StringBuilder sb) {
        // storage.search ENGINE KIND ROUND EF RECALL QPS CPU_QPS; storage.scan ENGINE KIND ROUND GBPS
        Map<String, Map<String, double[]>> best = new TreeMap<>(); // engine -> kind/ef -> {cpu qps, recall}
        Map<String, Map<String, Map<Integer, Double>>> rounds = new TreeMap<>(); // engine -> kind/ef -> round -> cpu qps
        Map<String, Map<String, Double>> scans = new TreeMap<>();
        Map<String, Map<String, Map<Integer, Double>>> scanRounds = new TreeMap<>();
        TreeSet<Integer> efs = new TreeSet<>();
        for (String[] r : recs) {
            if (r[0].equals("storage.search")) {
                String key = r[2] + "/" + r[4];
                efs.add(Integer.parseInt(r[4]));
                double cpu = Double.parseDouble(r[7]);
                best.computeIfAbsent(r[1], k -> new TreeMap<>()).merge(key, new double[] {cpu, Double.parseDouble(r[5])},
                    (x, y) -> x[0] >= y[0] ? x : y);
                rounds.computeIfAbsent(r[1], k -> new TreeMap<>()).computeIfAbsent(key, k -> new TreeMap<>())
                    .put(Integer.parseInt(r[3]), cpu);
            }
            else if (r[0].equals("storage.scan")) {
                double g = Double.parseDouble(r[4]);
                scans.computeIfAbsent(r[1], k -> new TreeMap<>()).merge(r[2], g, Math::max);
                scanRounds.computeIfAbsent(r[1], k -> new TreeMap<>()).computeIfAbsent(r[2], k -> new TreeMap<>())
                    .put(Integer.parseInt(r[3]), g);
            }
        }
        if (best.isEmpty())
            return;
        sb.append("\n### Search speed of a loaded copy: heap float[] against direct memory\n\n");
        sb.append("`SegmentBench storage` (one JVM per JDK, the two kinds in interleaved rounds, best round; ratio = direct / ")
            .append("heap, best round and median of the per-round ratios): one 60,000-row Fashion-MNIST HNSW index (M=16, ")
            .append("efConstruction 200), one search thread, queries per CPU-second; FLAT: exact scan of all rows for one query, GB/s. ")
            .append("`heap` is how copies were held before (vectors in a `float[]`, graph read onto the heap), `direct` how ")
            .append("they are held now (vectors and graph read in place in direct memory).\n\n");
        sb.append("| JDK | HNSW ef | recall@10 | heap QPS | direct QPS | direct / heap |\n|---|---|---|---|---|---|\n");
        for (String engine : best.keySet()) {
            Map<String, double[]> b = best.get(engine);
            for (int ef : efs) {
                double[] h = b.get("array/" + ef);
                double[] d = b.get("direct/" + ef);
                if (h == null || d == null)
                    continue;
                sb.append(String.format("| %s | %d | %.4f | %.0f | %.0f | **%.2f** (median %.2f) |%n", jdk(engine), ef, d[1], h[0], d[0],
                    d[0] / h[0], medianRatio(rounds.get(engine).get("direct/" + ef), rounds.get(engine).get("array/" + ef))));
            }
        }
        sb.append("\n| JDK | FLAT scan heap GB/s | direct GB/s | direct / heap |\n|---|---|---|---|\n");
        for (String engine : scans.keySet()) {
            Map<String, Double> s = scans.get(engine);
            if (s.get("array") == null || s.get("direct") == null)
                continue;
            sb.append(String.format("| %s | %.2f | %.2f | **%.2f** (median %.2f) |%n", jdk(engine), s.get("array"), s.get("direct"),
                s.get("direct") / s.get("array"), medianRatio(scanRounds.get(engine).get("direct"), scanRounds.get(engine).get("array"))));
        }
        sb.append('\n');
    }

    private static String jdk(String engine) {
        return engine.replace("vecgrid-jdk", "JDK ");
    }

    private static double medianRatio(Map<Integer, Double> num, Map<Integer, Double> den) {
        List<Double> r = new ArrayList<>();
        for (Map.Entry<Integer, Double> e : num.entrySet()) {
            Double d = den.get(e.getKey());
            if (d != null && d > 0)
                r.add(e.getValue() / d);
        }
        r.sort(Double::compare);
        int n = r.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? r.get(n / 2) : (r.get(n / 2 - 1) + r.get(n / 2)) / 2;
    }
}
