package io.vecgrid.benchmarks;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IngestRateException;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.Datasets;
import io.vecgrid.dataset.GroundTruth;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;
import io.vecgrid.plugin.VecgridPluginProvider;
import io.vecgrid.search.RoutingTable;
import io.vecgrid.examples.EmbeddedCluster;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/**
 * The layout benchmark (scripts/layout-benchmark.sh): a real data set loaded into a collection of an embedded cluster
 * of three server nodes in this JVM (the demo's setup: in-memory data regions, shipped {@link VecgridConfiguration}
 * defaults, HNSW with the shipped M and efConstruction, 2 shards), measured against ONE in-process index over the
 * same rows. One sub-command, {@code cluster}, in three phases:
 * <ol>
 *   <li><b>ingest</b>: every base row inserted through the Java API in batches from {@code --writers} threads, each
 *       through another node, while the nodes seal and compact; rows per second from the first insert to the last
 *       acknowledgement, then a flush (the last, partial growing rows sealed) and the time from the last
 *       acknowledgement to "one segment per shard, no layout operation in progress" (settled), with a timeline of
 *       the number of segments;</li>
 *   <li><b>search</b> (with {@code --index}): the settled collection searched through the cluster path (every query a
 *       request of its own, {@code --threads} client threads, each through another node as router) and the index
 *       built by {@code SegmentBench build} over the same rows searched in-process by the same number of threads,
 *       same engine, same ef, same queries (held out from the base), rounds interleaved; QPS (wall clock) and
 *       recall@10 against the data set's exact ground truth.</li>
 * </ol>
 * Records (appended to {@code --results}, see {@link ResultsFile}):
 * <pre>
 * layout.ingest    DATASET N REPLICAS WRITERS SECONDS ROWS_PER_S CPU_SECONDS REFUSED SEGMENTS_AT_LAST_ACK
 * layout.settle    DATASET N REPLICAS SECONDS SEGMENTS SEGMENT_ROWS(;-separated) CPU_SECONDS
 * layout.timeline  DATASET REPLICAS SECONDS_SINCE_FIRST_INSERT ROWS_ACKED SEGMENTS OPS
 * layout.search    DATASET N PATH ROUND THREADS EF NQ QPS RECALL CPU_QPS     PATH = cluster | index
 * layout.info      DATASET KEY VALUE
 * </pre>
 */
public final class LayoutBench {
    static final int K = 10;
    private static final int BATCH = 1000;
    private static final String COLLECTION = "layout";

    private LayoutBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("cluster"))
            throw new IllegalArgumentException("usage: LayoutBench cluster --data D --n N --replicas R --results F "
                + "[--writers W] [--index IDX --threads T --ef EF --nq Q --rounds K] [--region-mb MB]");
        Map<String, String> o = options(args);
        Dataset ds = Datasets.byName(o.getOrDefault("data", Datasets.FASHION_MNIST));
        int n = Integer.parseInt(o.getOrDefault("n", String.valueOf(ds.baseCount())));
        int replicas = Integer.parseInt(o.getOrDefault("replicas", "2"));
        int writers = Integer.parseInt(o.getOrDefault("writers", "4"));
        long regionBytes = Long.parseLong(o.getOrDefault("region-mb", "1536")) << 20;
        Path results = Paths.get(req(o, "results"));
        String index = o.get("index");

        float[] base = ds.loadBase(n);
        VecgridConfiguration cfg = new VecgridConfiguration().setExpectedServerNodes(3);
        int portBase = freePortBase();
        List<Ignite> nodes = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++)
                nodes.add(Ignition.start(config("layout-node-" + i, portBase, regionBytes, cfg)));
            for (Ignite ig : nodes)
                EmbeddedCluster.awaitServing(ig);
            log(ds, "3 nodes serving in %.1f s (ports %d..), %s", (System.nanoTime() - t0) / 1e9, portBase, describe(cfg));
            ResultsFile.append(results, "layout.info", ds.name(), "config", describe(cfg));
            ingest(nodes, ds, base, n, replicas, writers, results);
            if (index != null)
                search(nodes, ds, base, n, Paths.get(index), Integer.parseInt(o.getOrDefault("threads", "8")),
                    Integer.parseInt(o.getOrDefault("ef", "32")), Integer.parseInt(o.getOrDefault("nq", "10000")),
                    Integer.parseInt(o.getOrDefault("rounds", "3")), results);
            Vecgrid.of(nodes.get(0)).dropCollection(COLLECTION);
        }
        finally {
            for (Ignite ig : nodes)
                Ignition.stop(ig.name(), true);
        }
    }

    private static String describe(VecgridConfiguration cfg) {
        return "sealRows " + cfg.getSealRows() + ", segmentMaxBytes " + (cfg.getSegmentMaxBytes() >> 20) + " MiB, smallSegmentRatio "
            + cfg.getSmallSegmentRatio() + ", searchThreads " + cfg.getSearchThreads() + ", " + IndexSpec.hnsw()
            + ", 2 shards";
    }

    // ------------------------------------------------------------------ ingest and settle

    private static void ingest(List<Ignite> nodes, Dataset ds, float[] base, int n, int replicas, int writers,
        Path results) throws Exception {
        int dim = ds.dim();
        VectorGrid vg0 = Vecgrid.of(nodes.get(0));
        vg0.createCollection(CollectionSpec.builder(COLLECTION).dimension(dim).metric(ds.metric()).index(IndexSpec.hnsw())
            .shards(2).replicas(replicas).build());
        CollectionMeta meta = Vecgrid.local(nodes.get(0)).metaStore().meta(COLLECTION);
        AtomicInteger next = new AtomicInteger();
        AtomicLong acked = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long c0 = SegmentBench.cpuNanos();
        long t0 = System.nanoTime();
        Thread sampler = timeline(nodes.get(0), meta, ds, replicas, t0, acked, results);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            VectorGrid vg = Vecgrid.of(nodes.get(w % nodes.size()));
            Thread t = new Thread(() -> {
                try {
                    for (int from; (from = next.getAndAdd(BATCH)) < n && failure.get() == null; ) {
                        List<VectorRow> rows = new ArrayList<>(BATCH);
                        for (int i = from; i < Math.min(n, from + BATCH); i++)
                            rows.add(new VectorRow(i, Arrays.copyOfRange(base, i * dim, (i + 1) * dim)));
                        while (true) {
                            try {
                                vg.insert(COLLECTION, rows);
                                break;
                            }
                            catch (IngestRateException e) {
                                refused.incrementAndGet(); // Ingest faster than sealing: retry, as the message says.
                                Thread.sleep(200);
                            }
                        }
                        acked.addAndGet(rows.size());
                    }
                }
                catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer-" + w);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads)
            t.join();
        if (failure.get() != null)
            throw new IllegalStateException("insert failed", failure.get());
        long tAck = System.nanoTime();
        double ingestSecs = (tAck - t0) / 1e9;
        double ingestCpu = (SegmentBench.cpuNanos() - c0) / 1e9;
        int segsAtAck = segments(nodes.get(0), meta).size();
        log(ds, "R=%d: %d rows inserted by %d writers in %.1f s: %.0f rows/s (%.0f CPU-s, %d batches refused and retried), "
            + "%d segments", replicas, n, writers, ingestSecs, n / ingestSecs, ingestCpu, refused.get(), segsAtAck);
        ResultsFile.append(results, "layout.ingest", ds.name(), n, replicas, writers, ingestSecs, n / ingestSecs, ingestCpu,
            refused.get(), segsAtAck);

        vg0.flush(COLLECTION);
        double flushSecs = (System.nanoTime() - tAck) / 1e9;
        long deadline = System.nanoTime() + 3_600_000_000_000L;
        while (!settled(nodes.get(0), meta, n)) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("not settled at one segment per shard within an hour: " + segments(nodes.get(0), meta));
            Thread.sleep(100);
        }
        double settleSecs = (System.nanoTime() - tAck) / 1e9;
        double cpu = (SegmentBench.cpuNanos() - c0) / 1e9;
        sampler.interrupt();
        sampler.join();
        List<SegmentRef> segs = segments(nodes.get(0), meta);
        StringBuilder rows = new StringBuilder();
        for (SegmentRef s : segs)
            rows.append(rows.length() == 0 ? "" : ";").append(s.rows());
        log(ds, "R=%d: settled at one segment per shard %.1f s after the last insert (flush took %.1f s): %s; %.0f CPU-s "
            + "from the first insert", replicas, settleSecs, flushSecs, segs, cpu);
        ResultsFile.append(results, "layout.settle", ds.name(), n, replicas, settleSecs, segs.size(), rows.toString(), cpu);
        awaitServiceable(nodes.get(0), meta, replicas);
    }

    private static Thread timeline(Ignite ig, CollectionMeta meta, Dataset ds, int replicas, long t0, AtomicLong acked,
        Path results) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    List<ShardState> st = Vecgrid.local(ig).metaStore().shardStates(meta);
                    int segs = 0;
                    int ops = 0;
                    for (ShardState s : st) {
                        segs += s.segments().size();
                        ops += s.ops().size();
                    }
                    ResultsFile.append(results, "layout.timeline", ds.name(), replicas, (System.nanoTime() - t0) / 1e9,
                        acked.get(), segs, ops);
                    Thread.sleep(1000);
                }
            }
            catch (InterruptedException e) {
                // Done.
            }
            catch (RuntimeException e) {
                System.out.println("[layout] timeline stopped: " + e);
            }
        }, "timeline");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static List<SegmentRef> segments(Ignite ig, CollectionMeta meta) {
        List<SegmentRef> res = new ArrayList<>();
        for (ShardState s : Vecgrid.local(ig).metaStore().shardStates(meta))
            res.addAll(s.segments());
        return res;
    }

    /** One segment per shard, no layout operation in progress, every row sealed. */
    private static boolean settled(Ignite ig, CollectionMeta meta, int n) {
        long rows = 0;
        for (ShardState s : Vecgrid.local(ig).metaStore().shardStates(meta)) {
            if (s.segments().size() != 1 || !s.ops().isEmpty())
                return false;
            rows += s.segments().get(0).rows();
        }
        return rows == n;
    }

    /** Waits until the routing table shows every segment of the target with {@code copies} serviceable copies. */
    private static void awaitServiceable(Ignite ig, CollectionMeta meta, int copies) throws InterruptedException {
        Vecgrid local = Vecgrid.local(ig);
        long deadline = System.currentTimeMillis() + 600_000;
        while (true) {
            RoutingTable t = local.routing().refresh();
            boolean all = true;
            for (SegmentRef s : local.metaStore().target(meta).segments())
                all &= t.copies(meta.segmentsCache(), s.id()).size() >= copies;
            if (all)
                return;
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("segments not serviceable on " + copies + " nodes within 600 s");
            Thread.sleep(100);
        }
    }

    // ------------------------------------------------------------------ search: cluster path against one index

    private static void search(List<Ignite> nodes, Dataset ds, float[] base, int n, Path indexFile, int threads, int ef,
        int nq, int rounds, Path results) throws Exception {
        nq = Math.min(nq, ds.queryCount());
        float[][] queries = SegmentBench.queries(ds, nq);
        int[][] truth = SegmentBench.truth(ds, n, nq);
        IndexSpec spec = IndexSpec.hnsw();
        VectorIndex idx;
        try (InputStream is = Files.newInputStream(indexFile);
             DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 20))) {
            idx = VectorIndexes.read(spec, ds.metric(), ds.dim(), base, n, in);
        }
        Searcher cluster = q -> {
            int router = ThreadLocalRandom.current().nextInt(nodes.size());
            SearchResult r = Vecgrid.of(nodes.get(router)).search(SearchRequest.builder(COLLECTION, new float[][] {q}, K)
                .ef(ef).build());
            List<SearchHit> hits = r.hits(0);
            int[] res = new int[hits.size()];
            for (int i = 0; i < res.length; i++)
                res[i] = Math.toIntExact(hits.get(i).pk());
            return res;
        };
        Searcher one = q -> idx.search(q, K, ef, null).ordinals(); // Ordinal = position in the base = pk.
        // Warm-up of both paths (JIT, routing, connections), untimed.
        run(cluster, queries, Math.min(nq, 2000), threads);
        run(one, queries, Math.min(nq, 2000), threads);
        for (int r = 1; r <= rounds; r++) {
            boolean clusterFirst = r % 2 == 1;
            for (int p = 0; p < 2; p++) {
                boolean isCluster = (p == 0) == clusterFirst;
                String path = isCluster ? "cluster" : "index";
                long c0 = SegmentBench.cpuNanos();
                long t0 = System.nanoTime();
                int[][] found = run(isCluster ? cluster : one, queries, nq, threads);
                double secs = (System.nanoTime() - t0) / 1e9;
                double cpu = (SegmentBench.cpuNanos() - c0) / 1e9;
                double recall = GroundTruth.recall(truth, found, K);
                log(ds, "round %d %s: %d queries, %d threads, ef %d: %.0f QPS, recall@%d %.4f, %.0f per CPU-second", r, path,
                    nq, threads, ef, nq / secs, K, recall, nq / cpu);
                ResultsFile.append(results, "layout.search", ds.name(), n, path, r, threads, ef, nq, nq / secs, recall,
                    nq / cpu);
            }
        }
    }

    private interface Searcher {
        int[] search(float[] q) throws Exception;
    }

    private static int[][] run(Searcher s, float[][] queries, int nq, int threads) throws Exception {
        int[][] found = new int[nq][];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < nq && failure.get() == null; )
                        found[i] = s.search(queries[i]);
                }
                catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "search-" + t);
            th.start();
            ts.add(th);
        }
        for (Thread th : ts)
            th.join();
        if (failure.get() != null)
            throw new IllegalStateException("search failed", failure.get());
        return found;
    }

    // ------------------------------------------------------------------ nodes

    private static IgniteConfiguration config(String name, int portBase, long regionBytes, VecgridConfiguration cfg) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of("127.0.0.1:" + portBase + ".." + (portBase + 9)));
        TcpDiscoverySpi disco = new TcpDiscoverySpi();
        disco.setIpFinder(finder);
        disco.setLocalAddress("127.0.0.1");
        disco.setLocalPort(portBase);
        disco.setLocalPortRange(10);
        TcpCommunicationSpi comm = new TcpCommunicationSpi();
        comm.setLocalAddress("127.0.0.1");
        comm.setLocalPort(portBase + 20);
        comm.setLocalPortRange(20);
        DataRegionConfiguration region = new DataRegionConfiguration().setMaxSize(regionBytes)
            .setInitialSize(Math.min(regionBytes, 256L << 20)).setMetricsEnabled(true);
        return new IgniteConfiguration()
            .setIgniteInstanceName(name)
            .setWorkDirectory(new File(System.getProperty("java.io.tmpdir"), "vecgrid-layout-bench/" + name).getAbsolutePath())
            .setDiscoverySpi(disco)
            .setCommunicationSpi(comm)
            // Thin clients are not used here; the connector listens on ports of this run's range.
            .setClientConnectorConfiguration(new ClientConnectorConfiguration().setHost("127.0.0.1").setPort(portBase + 60)
                .setPortRange(20))
            .setDataStorageConfiguration(new DataStorageConfiguration().setDefaultDataRegionConfiguration(region))
            .setMetricsLogFrequency(0)
            .setPluginProviders(new VecgridPluginProvider(cfg));
    }

    /**
     * @return the first of 80 ports picked at random in 20000..59999 away from Ignite's defaults (47100..48199) and
     *     free now, so that neither a cluster on the default ports nor another benchmark's is joined.
     */
    private static int freePortBase() {
        for (int i = 0; i < 100; i++) {
            int base = 20000 + ThreadLocalRandom.current().nextInt(2000) * 20;
            if (base + 80 > 47100 && base < 48200)
                continue;
            if (free(base) && free(base + 20) && free(base + 60))
                return base;
        }
        throw new IllegalStateException("no free port range");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ helpers

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

    private static void log(Dataset ds, String fmt, Object... args) {
        System.out.printf("[layout %s] " + fmt + "%n", prepend(ds.name(), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
