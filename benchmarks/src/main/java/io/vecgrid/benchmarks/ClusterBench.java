package io.vecgrid.benchmarks;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IngestRateException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchDiagnostics;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.Datasets;
import io.vecgrid.index.SearchHits;
import io.vecgrid.index.VectorIndex;
import io.vecgrid.index.VectorIndexes;
import io.vecgrid.plugin.VecgridPluginProvider;
import io.vecgrid.segment.SealedSegment;
import io.vecgrid.segment.SegmentStorage;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.internal.util.lang.gridfunc.NoOpClosure;
import org.apache.ignite.logger.log4j2.Log4J2Logger;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster benchmark ({@code scripts/cluster-benchmark.sh}): real node processes started by
 * {@code scripts/start-node.sh}, a real data set loaded into a collection (HNSW, shipped defaults, 2 shards), and, in
 * one run, what the distributed layer costs and what it survives:
 * <ol>
 *   <li>router overhead: single-query searches (replicaNumber 1, one thread, this JVM's thick client routing) against
 *       an empty compute job broadcast to the same nodes through the same client, and the segment search itself
 *       timed in this JVM on the same segments;</li>
 *   <li>throughput: C client threads through the cluster against the same segments, read from the cluster through
 *       the project's segment classes and searched in this JVM (same ef, same top-k merge as the router);</li>
 *   <li>stall: SIGSTOP of one node under search load (replicaNumber 2) for less than the failure detection timeout,
 *       then SIGCONT, searched through a thin client and this JVM's thick client at once; and a node made slow
 *       (throttled: stopped for part of every 100 ms), routers choosing copies adaptively against round-robin;</li>
 *   <li>kill -9 of the node a thin client (given every address) routes through, under search and insert load;</li>
 *   <li>a rolling restart (SIGTERM, start, wait until every copy is back) under the same load;</li>
 *   <li>replica scaling: throughput at replicaNumber 1, 3 and 2.</li>
 * </ol>
 * Every figure goes to the results file ({@code stat}, {@code op} and {@code event} records; see
 * {@link ClusterReport}), which {@link ClusterReport} turns into the "Cluster" section of docs/benchmarks.md.
 *
 * <p>Usage: {@code ClusterBench --nodes N --dataset NAME --work DIR --results FILE --repo ROOT}; sizes from the
 * environment ({@code CB_*}, listed in scripts/cluster-benchmark.sh).
 */
public final class ClusterBench {
    static final String COLL = "clusterbench";
    static final int K = 10;

    private final Path repo;
    private final Path work;
    private final Path results;
    private final int nodeCount;
    private final String dsName;
    private final long t0 = System.nanoTime();
    private final PauseDetector pauses = new PauseDetector();

    private Dataset ds;
    private int n;
    private int dim;
    private float[] base;
    private float[][] queries;
    private int ef;
    private int shards;
    private ClusterNodes nodes;
    private Ignite client;
    private Ignite rrClient;
    private VectorGrid vg;
    /** Sealed segments read from the cluster and searched in this JVM. */
    private List<DirectSegment> direct;

    private ClusterBench(Path repo, Path work, Path results, int nodeCount, String dsName) {
        this.repo = repo;
        this.work = work;
        this.results = results;
        this.nodeCount = nodeCount;
        this.dsName = dsName;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
            a.put(args[i], args[i + 1]);
        Path repo = Paths.get(a.getOrDefault("--repo", ".")).toAbsolutePath().normalize();
        Path work = Paths.get(a.getOrDefault("--work", "/tmp/vecgrid-clusterbench")).toAbsolutePath();
        Path results = Paths.get(a.getOrDefault("--results", work.resolve("results.tsv").toString())).toAbsolutePath();
        int nodes = Integer.parseInt(a.getOrDefault("--nodes", "3"));
        String ds = a.getOrDefault("--dataset", Datasets.FASHION_MNIST);
        if (nodes < 2)
            throw new IllegalArgumentException("the cluster benchmark needs at least 2 nodes (replicaNumber 2), got " + nodes);
        Files.createDirectories(work);
        ClusterBench b = new ClusterBench(repo, work, results, nodes, ds);
        int rc = 0;
        try {
            b.run();
        }
        catch (Throwable t) {
            rc = 1;
            log("FAILED: " + t);
            t.printStackTrace(System.out);
            b.stat("run", "error", oneLine(t));
        }
        finally {
            b.shutdown();
        }
        System.exit(rc);
    }

    // ---------------------------------------------------------------- settings

    private static int envInt(String name, int dflt) {
        return Integer.parseInt(ClusterNodes.env(name, Integer.toString(dflt)));
    }

    private final int threads = envInt("CB_THREADS", 8);
    private final int seconds = envInt("CB_SECONDS", 10);
    private final int warmupSeconds = envInt("CB_WARMUP_SECONDS", 3);
    /** A warm-up goes on until the JIT compilers use less than this many cores together ({@link #awaitJitQuiet}). */
    private final double jitQuietCpu = Double.parseDouble(ClusterNodes.env("CB_JIT_QUIET_CPU", "0.05"));
    /** ... for at most this long, s. */
    private final int jitWarmupMaxSeconds = envInt("CB_JIT_WARMUP_MAX_SECONDS", 60);
    /**
     * async-profiler's agent library ({@code libasyncProfiler.so}), or {@code null}: when set, every measured window of the
     * throughput and scaling phases is profiled in every process (CPU time, collapsed stacks written to the work directory).
     */
    private final Path profiler = ClusterNodes.env("CB_PROFILER", "").isEmpty() ? null : Path.of(ClusterNodes.env("CB_PROFILER", ""));
    /** Windows profiled so far (numbers the profiles). */
    private int profiled;
    private final int rounds = envInt("CB_ROUNDS", 2);
    private final int overheadQueries = envInt("CB_OVERHEAD_QUERIES", 1000);
    private final int stallSeconds = envInt("CB_STALL_SECONDS", 3);
    private final int steadyThreads = envInt("CB_STEADY_THREADS", 2);
    private final int healthySeconds = envInt("CB_HEALTHY_SECONDS", 8);
    private final int afterSeconds = envInt("CB_AFTER_SECONDS", 10);
    private final int slowStopMs = envInt("CB_SLOW_STOP_MS", 50);
    private final int slowRunMs = envInt("CB_SLOW_RUN_MS", 50);
    private final int slowThreads = envInt("CB_SLOW_THREADS", 4);
    private final int insertBatch = envInt("CB_INSERT_BATCH", 20);
    private final int insertPauseMillis = envInt("CB_INSERT_PAUSE_MS", 100);
    private final int loadBatch = envInt("CB_LOAD_BATCH", 1000);
    private final int loadThreads = envInt("CB_LOAD_THREADS", 2);
    private final int settleTimeoutSeconds = envInt("CB_SETTLE_TIMEOUT", 1800);
    private final int recallQueries = envInt("CB_RECALL_QUERIES", 1000);
    /** The nodes count as quiet below this many cores of CPU together (see {@link #awaitQuiet}). */
    private final double quietCpu = Double.parseDouble(ClusterNodes.env("CB_QUIET_CPU", "0.3"));
    private final int quietTimeoutSeconds = envInt("CB_QUIET_TIMEOUT", 90);
    private static final long QUIET_WINDOW_MS = 3000;
    /** ...and the machine has less than this many MB of dirty pages or pages under writeback (checkpoints after a change). */
    private final int quietDirtyMb = envInt("CB_QUIET_DIRTY_MB", 128);
    /** Measurements to run (comma-separated), all by default; for trying one part quickly. */
    private final Set<String> only = new HashSet<>(Arrays.asList(ClusterNodes.env("CB_PHASES",
        "overhead,throughput,scaling,stall,slow,kill,rolling").split("\\s*,\\s*")));
    /**
     * A search in flight for this long in the kill and rolling tests has the threads of every node and of this JVM
     * dumped into the work directory (three times per phase at most, 10 s apart), ms.
     */
    private final int dumpAfterMillis = envInt("CB_DUMP_AFTER_MS", 2000);
    /** A search slower than this has its diagnostics' events in its record, ms. */
    private static final long SLOW_SEARCH_MS = 250;

    // ---------------------------------------------------------------- results

    private void stat(String phase, String key, Object value) {
        ResultsFile.append(results, "stat", phase, key, value);
    }

    private void meta(String key, Object value) {
        ResultsFile.append(results, "meta", key, value);
    }

    private void event(String phase, long nanos, String what) {
        ResultsFile.append(results, "event", phase, ms(nanos), what);
        log(phase + ": " + what);
    }

    /** @return milliseconds since the start of the run. */
    private double ms(long nanos) {
        return (nanos - t0) / 1e6;
    }

    private void ops(String phase, Collection<LoadLoop.Op> ops) {
        StringBuilder sb = new StringBuilder();
        for (LoadLoop.Op o : ops) {
            sb.append("op\t").append(phase).append('\t').append(o.kind).append('\t')
                .append(String.format(Locale.ROOT, "%.3f\t%.3f\t", ms(o.startNanos), o.millis()))
                .append(o.ok ? 1 : 0).append('\t').append(o.info == null ? "" : o.info.replace('\t', ' ').replace('\n', ' '))
                .append('\n');
        }
        try {
            Files.writeString(results, sb, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void log(String s) {
        System.out.println("[cluster-bench " + java.time.LocalTime.now().withNano(0) + "] " + s);
        System.out.flush();
    }

    private static String oneLine(Throwable t) {
        String m = String.valueOf(t).replace('\n', ' ').replace('\t', ' ');
        return m.length() > 400 ? m.substring(0, 400) + "..." : m;
    }

    /** Runs one measurement; a failure is recorded ({@code stat PHASE error}) and the run goes on with the next. */
    private void phase(String name, PhaseBody body) {
        String measurement = name.replaceAll("\\..*", "");
        if (!measurement.equals("reshape") && !only.contains(measurement))
            return;
        log("---- " + name);
        long s = System.nanoTime();
        try {
            body.run();
        }
        catch (Throwable t) {
            log(name + " FAILED: " + t);
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            System.out.println(sw);
            stat(name, "error", oneLine(t));
        }
        stat(name, "phase.seconds", (System.nanoTime() - s) / 1e9);
    }

    @FunctionalInterface
    private interface PhaseBody {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- the run

    private void run() throws Exception {
        ds = Datasets.byName(dsName);
        n = Math.min(envInt("CB_ROWS", ds.baseCount()), ds.baseCount());
        dim = ds.dim();
        int nq = Math.min(envInt("CB_QUERIES", 10_000), ds.queryCount());
        log("loading " + n + " base vectors and " + nq + " queries of " + ds);
        base = ds.loadBase(n);
        float[] q = ds.loadQueries(nq);
        queries = new float[nq][];
        for (int i = 0; i < nq; i++)
            queries[i] = Arrays.copyOfRange(q, i * dim, (i + 1) * dim);
        shards = envInt("CB_SHARDS", 2);

        meta("dataset", dsName);
        meta("rows", n);
        meta("dim", dim);
        meta("metric", ds.metric());
        meta("queries", nq);
        meta("nodes", nodeCount);
        meta("shards", shards);
        meta("k", K);
        meta("threads", threads);
        meta("seconds", seconds);
        meta("warmup.seconds", warmupSeconds);
        meta("jit.quiet.cpu", Double.toString(jitQuietCpu));
        meta("jit.warmup.max.seconds", jitWarmupMaxSeconds);
        meta("rounds", rounds);
        meta("steady.threads", steadyThreads);
        meta("slow.threads", slowThreads);
        meta("stall.seconds", stallSeconds);
        meta("slow.stop.ms", slowStopMs);
        meta("slow.run.ms", slowRunMs);
        meta("insert.batch", insertBatch);
        meta("insert.pause.ms", insertPauseMillis);
        meta("quiet.cpu", Double.toString(quietCpu));
        meta("quiet.timeout", quietTimeoutSeconds);
        meta("quiet.dirty.mb", quietDirtyMb);
        meta("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        meta("node.jvm.opts", ClusterNodes.env("CB_NODE_JVM_OPTS", "-Xms512m -Xmx2g"));
        meta("search.threads", searchThreadsOfShippedConfig());
        meta("phases", String.join(",", new java.util.TreeSet<>(only)));

        startCluster();
        load();
        phase("overhead", this::routerOverhead);
        phase("throughput", this::throughput);
        phase("scaling.r1", () -> scalingQps(1));
        direct = null; // frees the in-JVM copies
        if (nodeCount >= 3 && only.contains("scaling")) {
            phase("reshape.r3", () -> reshape(3));
            phase("scaling.r3", () -> scalingQps(3));
        }
        phase("reshape.r2", () -> reshape(2));
        phase("scaling.r2", () -> scalingQps(2));
        phase("stall", this::stall);
        phase("slow", this::slowNode);
        phase("kill", this::kill);
        phase("rolling", this::rollingRestart);
        stat("run", "seconds", (System.nanoTime() - t0) / 1e9);
        log("done in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    }

    /** searchThreads of config/default-config.xml (the nodes' per-node search pool). */
    private String searchThreadsOfShippedConfig() {
        try {
            String xml = Files.readString(repo.resolve("config/default-config.xml"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"searchThreads\"\\s+value=\"(\\d+)\"").matcher(xml);
            return m.find() ? m.group(1) : "default (cores, at least 2)";
        }
        catch (IOException e) {
            return "?";
        }
    }

    private void startCluster() throws Exception {
        nodes = new ClusterNodes(repo, work, nodeCount);
        meta("ports", nodes.discoveryPort());
        long s = System.nanoTime();
        for (int i = 1; i <= nodeCount; i++)
            nodes.start(nodes.name(i));
        for (int i = 1; i <= nodeCount; i++)
            nodes.awaitLogged(nodes.name(i), "vecgrid is serving", 300_000);
        client = startClient("cb-client", "adaptive");
        rrClient = startClient("cb-client-rr", "round-robin");
        vg = Vecgrid.of(client);
        long deadline = System.currentTimeMillis() + 120_000;
        while (client.cluster().currentBaselineTopology() == null || client.cluster().currentBaselineTopology().size() < nodeCount) {
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("baseline did not reach " + nodeCount + " nodes");
            Thread.sleep(200);
        }
        stat("setup", "cluster.start.seconds", (System.nanoTime() - s) / 1e9);
        log("cluster of " + nodeCount + " nodes up on ports from " + nodes.discoveryPort() + " (" +
            (System.nanoTime() - s) / 1_000_000 + " ms)");
    }

    private Ignite startClient(String name, String replicaChoice) throws IOException {
        Path log4j = work.resolve("log4j2-client.xml");
        if (!Files.exists(log4j)) {
            Files.writeString(log4j, "<Configuration status=\"WARN\" shutdownHook=\"disable\"><Appenders>" +
                "<File name=\"F\" fileName=\"" + work.resolve("client.log") + "\"><PatternLayout pattern=\"[%d{ISO8601}][%-5p][%t][%c{1}] %m%n\"/></File>" +
                "</Appenders><Loggers><Logger name=\"org.springframework\" level=\"WARN\"/><Root level=\"INFO\"><AppenderRef ref=\"F\"/></Root></Loggers></Configuration>");
        }
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of(nodes.discoveryAddresses()));
        TcpDiscoverySpi disco = new TcpDiscoverySpi();
        disco.setIpFinder(finder);
        disco.setLocalAddress("127.0.0.1");
        disco.setJoinTimeout(120_000);
        TcpCommunicationSpi comm = new TcpCommunicationSpi();
        comm.setLocalAddress("127.0.0.1");
        comm.setLocalPort(nodes.discoveryPort() + 40);
        comm.setLocalPortRange(20);
        IgniteConfiguration cfg = new IgniteConfiguration()
            .setIgniteInstanceName(name)
            .setClientMode(true)
            .setWorkDirectory(work.resolve(name).toString())
            .setPeerClassLoadingEnabled(false)
            .setMetricsLogFrequency(0)
            .setDiscoverySpi(disco)
            .setCommunicationSpi(comm)
            .setPluginProviders(new VecgridPluginProvider(new VecgridConfiguration().setReplicaChoice(replicaChoice)));
        try {
            cfg.setGridLogger(new Log4J2Logger(log4j.toString()));
        }
        catch (Exception e) {
            throw new IOException("cannot set up the client's logger: " + e, e);
        }
        Ignite ig = Ignition.start(cfg);
        long deadline = System.currentTimeMillis() + 120_000;
        while (ig.cluster().forServers().nodes().size() < nodeCount || Vecgrid.localOrNull(ig) == null || !Vecgrid.local(ig).serving()) {
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("client " + name + " did not see " + nodeCount + " serving nodes");
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return ig;
    }

    private void shutdown() {
        for (Ignite c : new Ignite[] {rrClient, client}) {
            if (c == null)
                continue;
            try {
                Ignition.stop(c.name(), true);
            }
            catch (RuntimeException ignored) {
                // Already stopped.
            }
        }
        if (nodes != null)
            nodes.close();
    }

    // ---------------------------------------------------------------- load and settle

    private void load() throws Exception {
        CollectionDescription d = vg.createCollection(CollectionSpec.builder(COLL).dimension(dim).metric(ds.metric())
            .index(IndexSpec.hnsw()).shards(shards).replicas(1).build());
        ef = d.spec().index().ef();
        meta("index", d.spec().index());
        meta("ef", ef);
        long s = System.nanoTime();
        AtomicLong next = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong throttled = new AtomicLong();
        for (int t = 0; t < loadThreads; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (true) {
                        long from = next.getAndAdd(loadBatch);
                        if (from >= n)
                            return;
                        List<VectorRow> rows = new ArrayList<>();
                        for (long pk = from; pk < Math.min(n, from + loadBatch); pk++)
                            rows.add(new VectorRow(pk, row((int)pk)));
                        for (int attempt = 0; ; attempt++) {
                            try {
                                vg.insert(COLL, rows);
                                break;
                            }
                            catch (IngestRateException e) {
                                // Sealing is behind: the product asks writers to wait.
                                throttled.incrementAndGet();
                                Thread.sleep(Math.min(2000, 100L * (attempt + 1)));
                            }
                        }
                    }
                }
                catch (Throwable e) {
                    errors.add(e);
                }
            }, "loader-" + t);
            th.start();
            ts.add(th);
        }
        for (Thread th : ts)
            th.join();
        if (!errors.isEmpty())
            throw new IllegalStateException("load failed: " + errors.get(0), errors.get(0));
        double loadSec = (System.nanoTime() - s) / 1e9;
        stat("load", "insert.seconds", loadSec);
        stat("load", "insert.throttled", throttled.get());
        log(String.format(Locale.ROOT, "inserted %d rows in %.1f s (%d throttled batches)", n, loadSec, throttled.get()));
        vg.flush(COLL);
        long settle = System.nanoTime();
        boolean ok = awaitSettled(1, true, 5_000, settleTimeoutSeconds * 1000L);
        stat("load", "settle.seconds", (System.nanoTime() - settle) / 1e9);
        stat("load", "settled", ok ? 1 : 0);
        CollectionTarget t = target();
        stat("load", "segments", t.segments().size());
        StringBuilder segs = new StringBuilder();
        for (SegmentRef r : t.segments())
            segs.append(segs.length() == 0 ? "" : ", ").append("segment ").append(r.id()).append(" shard ").append(r.shard())
                .append(" rows ").append(r.rows()).append(" bytes ").append(r.bytes());
        stat("load", "segment.list", segs);
        log("settled: " + segs);
        awaitQuiet("load");
    }

    /**
     * Waits until the nodes are quiet: their processes together use less than {@link #quietCpu} of a core over
     * {@value #QUIET_WINDOW_MS} ms (copies loading, merges, rebalancing show as CPU; measured in CPU time from /proc, so
     * the machine's other work does not count) and the machine's dirty pages are below {@link #quietDirtyMb} MB (the
     * checkpoints after a replica change write hundreds of MB, and writeback stalled every process on the machine for
     * up to 1.2 s at a time right after the change to 3 replicas), at most {@link #quietTimeoutSeconds}. Records how
     * long it took and whether the nodes got quiet.
     */
    private void awaitQuiet(String phase) throws InterruptedException {
        long s = System.nanoTime();
        long deadline = s + quietTimeoutSeconds * 1_000_000_000L;
        double used = Double.NaN;
        double dirty = Double.NaN;
        boolean quiet = false;
        while (System.nanoTime() < deadline) {
            double c0 = nodes.cpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(QUIET_WINDOW_MS);
            used = (nodes.cpuSeconds() - c0) / ((System.nanoTime() - t0) / 1e9);
            dirty = dirtyMb();
            if (used < quietCpu && !(dirty > quietDirtyMb)) {
                quiet = true;
                break;
            }
        }
        stat(phase, "quiet.wait.seconds", (System.nanoTime() - s) / 1e9);
        stat(phase, "quiet", quiet ? 1 : 0);
        log(String.format(Locale.ROOT, "nodes %s after %.1f s (%.2f cores in the last %d ms; %.0f MB dirty or under writeback)",
            quiet ? "quiet" : "NOT quiet", (System.nanoTime() - s) / 1e9, used, QUIET_WINDOW_MS, dirty));
    }

    /** @return the machine's page cache waiting to be written (Dirty + Writeback of /proc/meminfo), MB; NaN if unknown. */
    private static double dirtyMb() {
        try {
            double kb = 0;
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("Dirty:") || l.startsWith("Writeback:"))
                    kb += Double.parseDouble(l.replaceAll("[^0-9]", ""));
            }
            return kb / 1024;
        }
        catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private float[] row(int i) {
        return Arrays.copyOfRange(base, i * dim, (i + 1) * dim);
    }

    private CollectionTarget target() {
        return Vecgrid.local(client).metaStore().target(COLL);
    }

    private CollectionMeta collectionMeta() {
        return Vecgrid.local(client).metaStore().meta(COLL);
    }

    /**
     * Waits until the collection is READY, every row is in a sealed segment (when {@code allSealed}), each shard has
     * one segment (when {@code allSealed}), every segment is serviceable on {@code r} nodes and every replica group has a
     * leader for every shard, and its target has not changed for {@code quietMs}.
     *
     * @return whether it settled within {@code timeoutMs} (else it goes on with the state it found).
     */
    private boolean awaitSettled(int r, boolean allSealed, long quietMs, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long version = -1;
        long since = System.currentTimeMillis();
        String last = "";
        long lastLog = 0;
        long missingSince = -1;
        while (System.currentTimeMillis() < deadline) {
            // Nodes that left (a split under overload: JVM pauses past failure detection) do not come back by waiting.
            int servers = visibleServers();
            if (servers < nodes.running().size()) {
                if (missingSince < 0)
                    missingSince = System.currentTimeMillis();
                else if (System.currentTimeMillis() - missingSince > 60_000) {
                    throw new IllegalStateException("the benchmark's client sees " + servers + " of " + nodes.running().size() +
                        " running server nodes for 60 s: the cluster split or lost nodes (see 'Node FAILED' in the nodes' logs)");
                }
            }
            else
                missingSince = -1;
            String lack;
            try {
                lack = lacking(r, allSealed);
            }
            catch (RuntimeException e) {
                lack = "not readable now: " + e;
            }
            long v = lack == null ? target().version() : -1;
            if (lack != null || v != version) {
                version = v;
                since = System.currentTimeMillis();
            }
            else if (System.currentTimeMillis() - since >= quietMs)
                return true;
            if (lack != null && (!lack.equals(last) || System.currentTimeMillis() - lastLog > 30_000)) {
                log("waiting: " + lack);
                last = lack;
                lastLog = System.currentTimeMillis();
            }
            Thread.sleep(250);
        }
        log("did not settle within " + timeoutMs + " ms: " + last);
        return false;
    }

    /** @return server nodes the benchmark's thick client sees (0 if it is disconnected). */
    private int visibleServers() {
        try {
            return client.cluster().forServers().nodes().size();
        }
        catch (RuntimeException e) {
            return 0;
        }
    }

    /** @return what is missing for {@link #awaitSettled}, or {@code null}. */
    private String lacking(int r, boolean allSealed) {
        CollectionDescription d = vg.describeCollection(COLL);
        if (d.state() != CollectionState.READY)
            return "collection is " + d.state();
        if (d.spec().replicas() != r)
            return "replicaNumber is " + d.spec().replicas();
        CollectionTarget t = target();
        if (allSealed) {
            long sealed = 0;
            for (SegmentRef s : t.segments())
                sealed += s.rows();
            if (sealed != d.rowCount())
                return sealed + " of " + d.rowCount() + " rows sealed";
            if (t.segments().size() != shards)
                return t.segments().size() + " segments, waiting for compaction to " + shards;
        }
        // A balance move (also one that places a settled segment on a shard's leader) changes which nodes a search
        // touches: the layout is settled only when no shard has an operation in progress.
        for (io.vecgrid.collection.ShardState st : Vecgrid.local(client).metaStore().shardStates(collectionMeta())) {
            if (st.changing())
                return "shard " + st.shard() + " has a layout operation in progress: " + st;
        }
        ReplicaInfo ri = vg.replicas(COLL);
        if (ri.underReplicated())
            return "under-replicated";
        if (ri.groups().size() != r)
            return ri.groups().size() + " replica groups";
        Map<Long, Integer> copies = new HashMap<>();
        for (ReplicaGroupInfo g : ri.groups()) {
            if (g.shardLeaders().size() < shards)
                return "group " + g.id() + " leads " + g.shardLeaders().size() + " of " + shards + " shards";
            for (List<ReplicaGroupInfo.SegmentCopy> cs : g.segments().values()) {
                for (ReplicaGroupInfo.SegmentCopy c : cs) {
                    if (c.serviceable())
                        copies.merge(c.segmentId(), 1, Integer::sum);
                }
            }
        }
        for (SegmentRef s : t.segments()) {
            int c = copies.getOrDefault(s.id(), 0);
            if (c < r)
                return "segment " + s.id() + " serviceable on " + c + " of " + r + " nodes";
        }
        return null;
    }

    /** Changes the replica number (the coordinator copies segments, no rebuild) and waits until every copy serves. */
    private void reshape(int r) throws Exception {
        long s = System.nanoTime();
        vg.setReplicaNumber(COLL, r);
        double change = (System.nanoTime() - s) / 1e9;
        boolean ok = awaitSettled(r, true, 5_000, settleTimeoutSeconds * 1000L);
        stat("reshape.r" + r, "change.seconds", change);
        stat("reshape.r" + r, "settle.seconds", (System.nanoTime() - s) / 1e9 - change);
        stat("reshape.r" + r, "settled", ok ? 1 : 0);
        stat("reshape.r" + r, "segments", target().segments().size());
        awaitQuiet("reshape.r" + r);
    }

    // ---------------------------------------------------------------- searching

    private SearchRequest request(float[] q, boolean diagnostics) {
        return SearchRequest.builder(COLL, new float[][] {q}, K).ef(ef).diagnostics(diagnostics).build();
    }

    private float[] query(long seq) {
        return queries[(int)(seq % queries.length)];
    }

    /** A sealed segment read from the cluster's segments cache and searched in this JVM. */
    private static final class DirectSegment {
        final SealedSegment seg;
        final VectorIndex index;

        DirectSegment(SealedSegment seg, VectorIndex index) {
            this.seg = seg;
            this.index = index;
        }
    }

    /**
     * Reads the target's sealed segments from the cluster (their chunks, through {@link SegmentStorage}), decodes them
     * with the project's own classes and reads their stored indexes (no rebuild), as a node loading a copy does.
     */
    private List<DirectSegment> loadDirect() throws IOException {
        CollectionMeta meta = collectionMeta();
        List<DirectSegment> res = new ArrayList<>();
        for (SegmentRef ref : target().segments()) {
            SealedSegment seg = SegmentStorage.read(client, meta, ref);
            VectorIndex idx = VectorIndexes.read(seg.index(), seg.metric(), seg.dim(), seg.vectors(), seg.rows(),
                indexBuffer(seg.indexBytes()));
            res.add(new DirectSegment(seg, idx));
        }
        return res;
    }

    private static ByteBuffer indexBuffer(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    @SuppressWarnings("unused")
    private static ByteBuffer indexBuffer(ByteBuffer b) {
        return b.duplicate();
    }

    /** One query over the in-JVM segments, merged as the router merges: by distance, ties by pk, each pk once. */
    private long[] directSearch(float[] q, long[] perSegmentNanos) {
        Metric metric = ds.metric();
        List<long[]> cand = new ArrayList<>();
        float[][] qs = {q};
        for (int i = 0; i < direct.size(); i++) {
            DirectSegment s = direct.get(i);
            long a = System.nanoTime();
            SearchHits h = s.index.search(qs, K, ef, null)[0];
            if (perSegmentNanos != null)
                perSegmentNanos[i] = System.nanoTime() - a;
            for (int j = 0; j < h.size(); j++)
                cand.add(new long[] {s.seg.pk(h.ordinal(j)), Float.floatToIntBits(h.distance(j))});
        }
        cand.sort((x, y) -> {
            float rx = metric.rankKey(Float.intBitsToFloat((int)x[1]));
            float ry = metric.rankKey(Float.intBitsToFloat((int)y[1]));
            return rx != ry ? Float.compare(rx, ry) : Long.compare(x[0], y[0]);
        });
        long[] out = new long[Math.min(K, cand.size())];
        Set<Long> seen = new HashSet<>();
        int c = 0;
        for (long[] h : cand) {
            if (c == out.length)
                break;
            if (seen.add(h[0]))
                out[c++] = h[0];
        }
        return c == out.length ? out : Arrays.copyOf(out, c);
    }

    private static long[] pks(SearchResult r) {
        List<SearchHit> hits = r.hits(0);
        long[] res = new long[hits.size()];
        for (int i = 0; i < res.length; i++)
            res[i] = hits.get(i).pk();
        return res;
    }

    /** @return the nodes a search touched (its segments' and shards' nodes). */
    /** Records (and returns) the nodes 20 searches touched: those that served a segment or a shard's growing rows. */
    private Set<UUID> fanout(String phase) {
        Set<UUID> fan = new HashSet<>();
        for (int i = 0; i < 20; i++)
            fan.addAll(touched(vg.search(request(query(i), true)).diagnostics()));
        List<String> fanNames = new ArrayList<>();
        for (UUID u : fan)
            fanNames.add(nodeName(u));
        java.util.Collections.sort(fanNames);
        stat(phase, "fanout", fan.size());
        stat(phase, "fanout.nodes", String.join(" ", fanNames));
        log(phase + ": searches touch " + fan.size() + " nodes (" + String.join(" ", fanNames) + ")");
        return fan;
    }

    private static Set<UUID> touched(SearchDiagnostics d) {
        Set<UUID> s = new HashSet<>(d.segmentNodes().values());
        s.addAll(d.growingNodes().values());
        return s;
    }

    private String nodeName(UUID id) {
        ClusterNode nd = client.cluster().node(id);
        if (nd == null)
            return id.toString();
        Object name = nd.attribute("vecgrid.node.name");
        return name == null ? String.valueOf(nd.consistentId()) : name.toString();
    }

    private UUID nodeId(String name) {
        for (ClusterNode nd : client.cluster().forServers().nodes()) {
            if (name.equals(nd.attribute("vecgrid.node.name")))
                return nd.id();
        }
        return null;
    }

    // ---------------------------------------------------------------- 1. router overhead

    private void routerOverhead() throws Exception {
        direct = loadDirect();
        Set<UUID> fan = fanout("overhead");
        var floorGroup = client.compute(client.cluster().forNodeIds(fan));
        NoOpClosure noop = new NoOpClosure();
        // Warm-up: at least a quarter of the measured queries and CB_WARMUP_SECONDS, then until the JIT compilers of
        // every process are quiet (as before the throughput windows: compiled code, not the compilers, is timed).
        int minWarm = Math.max(200, overheadQueries / 4);
        LoadLoop warmLoop = new LoadLoop("warmup", 1, 0, (t, s) -> {
            int i = (int)s;
            vg.search(request(query(i), false));
            floorGroup.broadcast(noop);
            directSearch(query(i), null);
            return null;
        }).start();
        Thread.sleep(warmupSeconds * 1000L);
        awaitJitQuiet();
        while (warmLoop.ops().size() < minWarm)
            Thread.sleep(10);
        warmLoop.stop(120_000);
        int warm = warmLoop.ops().size();
        stat("overhead", "warmup.queries", warm);
        List<LoadLoop.Op> ops = new ArrayList<>();
        double[] search = new double[overheadQueries];
        double[] floor = new double[overheadQueries];
        for (int i = 0; i < overheadQueries; i++) {
            float[] q = query(warm + i);
            // Alternate which goes first, so neither always runs right after the other.
            for (int j = 0; j < 2; j++) {
                if ((i + j) % 2 == 0) {
                    long a = System.nanoTime();
                    vg.search(request(q, false));
                    long l = System.nanoTime() - a;
                    search[i] = l / 1e6;
                    ops.add(new LoadLoop.Op("search", a, l, true, null));
                }
                else {
                    long a = System.nanoTime();
                    floorGroup.broadcast(noop);
                    long l = System.nanoTime() - a;
                    floor[i] = l / 1e6;
                    ops.add(new LoadLoop.Op("floor", a, l, true, null));
                }
            }
        }
        // The segment search itself, in this JVM on the same segments: the nodes search their segments in parallel,
        // so a query's work is its slowest segment.
        double[] work = new double[overheadQueries];
        double[] workSum = new double[overheadQueries];
        long[] per = new long[direct.size()];
        for (int i = 0; i < overheadQueries; i++) {
            long a = System.nanoTime();
            directSearch(query(warm + i), per);
            long l = System.nanoTime() - a;
            long max = 0;
            long sum = 0;
            for (long p : per) {
                max = Math.max(max, p);
                sum += p;
            }
            work[i] = max / 1e6;
            workSum[i] = sum / 1e6;
            ops.add(new LoadLoop.Op("work", a, max, true, null));
        }
        ops("overhead", ops);
        double[] net = new double[overheadQueries];
        for (int i = 0; i < overheadQueries; i++)
            net[i] = search[i] - floor[i] - work[i];
        stat("overhead", "queries", overheadQueries);
        putPercentiles("overhead", "search", search);
        putPercentiles("overhead", "floor", floor);
        putPercentiles("overhead", "work", work);
        putPercentiles("overhead", "work.sum", workSum);
        stat("overhead", "paired.net.p50.ms", percentile(net, 50));
        log(String.format(Locale.ROOT, "search p50 %.3f p99 %.3f ms; floor p50 %.3f p99 %.3f ms; work p50 %.3f ms",
            percentile(search, 50), percentile(search, 99), percentile(floor, 50), percentile(floor, 99), percentile(work, 50)));
    }

    private void putPercentiles(String phase, String what, double[] ms) {
        stat(phase, what + ".p50.ms", percentile(ms, 50));
        stat(phase, what + ".p99.ms", percentile(ms, 99));
        stat(phase, what + ".mean.ms", Arrays.stream(ms).average().orElse(Double.NaN));
        stat(phase, what + ".max.ms", Arrays.stream(ms).max().orElse(Double.NaN));
    }

    /** Nearest-rank percentile. */
    static double percentile(double[] xs, double p) {
        if (xs.length == 0)
            return Double.NaN;
        double[] s = xs.clone();
        Arrays.sort(s);
        int rank = (int)Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static double[] millis(Collection<LoadLoop.Op> ops) {
        double[] r = new double[ops.size()];
        int i = 0;
        for (LoadLoop.Op o : ops)
            r[i++] = o.millis();
        return r;
    }

    // ---------------------------------------------------------------- 2. throughput

    /**
     * Runs {@code body} on {@code threads} threads: a warm-up, then {@link #seconds} measured.
     *
     * @return {qps, p50 ms, p99 ms, calls, failed calls} over the measured window.
     */
    private double[] measure(String kind, int nThreads, int measureSeconds, LoadLoop.Body body) throws InterruptedException {
        LoadLoop loop = new LoadLoop(kind, nThreads, 0, body).start();
        long w0 = System.nanoTime();
        Thread.sleep(warmupSeconds * 1000L);
        awaitJitQuiet();
        double warmup = (System.nanoTime() - w0) / 1e9;
        // The profiler's commands (a jcmd process each) stay outside the CPU readings, while the load runs on.
        String profile = profiler == null ? null : kind + "-" + (++profiled);
        if (profile != null)
            nodes.profilerCommand(profiler, "start,event=itimer,interval=1ms,threads");
        double nodeCpu0 = nodes.cpuSeconds();
        double ownCpu0 = ownCpuSeconds();
        double jit0 = jitCpuSeconds();
        PauseDetector.Snapshot p0 = pauses.snapshot();
        long a = System.nanoTime();
        Thread.sleep(measureSeconds * 1000L);
        long b = System.nanoTime();
        PauseDetector.Snapshot p1 = pauses.snapshot();
        double nodeCpu = nodes.cpuSeconds() - nodeCpu0;
        double ownCpu = ownCpuSeconds() - ownCpu0;
        double jit = jitCpuSeconds() - jit0;
        if (profile != null)
            nodes.profilerCommand(profiler, "stop,collapsed,file=" + work.resolve("profile-" + profile + "-%p.collapsed"));
        loop.stop(120_000);
        List<LoadLoop.Op> in = LoadLoop.within(loop.ops(), a, b);
        long failed = in.stream().filter(o -> !o.ok).count();
        double[] ms = millis(in);
        return new double[] {in.size() / ((b - a) / 1e9), percentile(ms, 50), percentile(ms, 99), in.size(), failed, nodeCpu,
            ownCpu, (b - a) / 1e9, (p1.totalNanos - p0.totalNanos) / 1e6, p1.maxNanos / 1e6, jit, warmup};
    }

    /** @return CPU time the JIT compiler threads of the node processes and of this JVM used so far, seconds. */
    private double jitCpuSeconds() {
        return nodes.jitCpuSeconds() + ClusterNodes.jitCpuSeconds(ProcessHandle.current().pid());
    }

    /**
     * Extends a warm-up until the JIT compilers of every process involved are quiet: below {@link #jitQuietCpu} of a
     * core over a second, for at most {@link #jitWarmupMaxSeconds}. A fixed warm-up of a few seconds left the node
     * processes' C2 compilers busy in the measured windows (in a run of the throughput phase alone, about 5 CPU-seconds
     * per node process, as much as their search threads), so the cluster's CPU per search counted its warm-up.
     */
    private void awaitJitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + jitWarmupMaxSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            double j0 = jitCpuSeconds();
            long t0 = System.nanoTime();
            Thread.sleep(1000);
            if ((jitCpuSeconds() - j0) / ((System.nanoTime() - t0) / 1e9) < jitQuietCpu)
                return;
        }
    }

    /** @return CPU time this JVM used so far (clients, routing, in-JVM search), seconds. */
    private static double ownCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
            return ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime() / 1e9;
        return Double.NaN;
    }

    private void putMeasure(String phase, String what, double[] m) {
        stat(phase, what + ".qps", m[0]);
        stat(phase, what + ".p50.ms", m[1]);
        stat(phase, what + ".p99.ms", m[2]);
        stat(phase, what + ".calls", (long)m[3]);
        stat(phase, what + ".failed", (long)m[4]);
        if (m.length > 7) {
            // CPU seconds the node processes and this JVM used in the measured window, and the window's length.
            stat(phase, what + ".cpu.nodes.s", m[5]);
            stat(phase, what + ".cpu.bench.s", m[6]);
            stat(phase, what + ".window.s", m[7]);
        }
        if (m.length > 9) {
            // Machine stalls this JVM saw in the window (wake-ups over 100 ms late): their sum and the longest, ms.
            stat(phase, what + ".stalls.ms", m[8]);
            stat(phase, what + ".stall.max.ms", m[9]);
        }
        if (m.length > 11) {
            // CPU seconds of the JIT compiler threads (nodes and this JVM) in the window (included in the CPU above),
            // and the warm-up it took until they were quiet.
            stat(phase, what + ".cpu.jit.s", m[10]);
            stat(phase, what + ".warmup.s", m[11]);
        }
    }

    private void throughput() throws Exception {
        if (direct == null)
            direct = loadDirect();
        // The same segments? Compare result lists, and recall against the data set's ground truth.
        int rq = Math.min(recallQueries, queries.length);
        int[][] truth = n == ds.baseCount() ? ds.loadGroundTruth(rq) : ds.groundTruth(n, rq, K);
        int same = 0;
        double recallCluster = 0;
        double recallDirect = 0;
        for (int i = 0; i < rq; i++) {
            long[] c = pks(vg.search(request(queries[i], false)));
            long[] d = directSearch(queries[i], null);
            if (Arrays.equals(c, d))
                same++;
            recallCluster += recall(c, truth[i]);
            recallDirect += recall(d, truth[i]);
        }
        stat("throughput", "recall.queries", rq);
        stat("throughput", "identical.results", same);
        stat("throughput", "cluster.recall", recallCluster / rq);
        stat("throughput", "direct.recall", recallDirect / rq);
        log(String.format(Locale.ROOT, "%d of %d queries: identical top-%d through the cluster and in-JVM; recall@%d %.4f vs %.4f",
            same, rq, K, K, recallCluster / rq, recallDirect / rq));
        AtomicLong seq = new AtomicLong();
        // The cluster through both kinds of client: the thick client routes in this JVM (from its pushed copy of the
        // catalog and targets refreshed in the background); a thin client's searches are routed by the server node it
        // is connected to, as an application's usually are.
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect()) {
            fanout("throughput");
            stat("throughput", "thin.router", shortName(nodeName(thin.search(request(queries[0], true)).diagnostics().router())));
            for (int r = 1; r <= rounds; r++) {
                double[] d = measure("direct", threads, seconds, (t, s) -> {
                    directSearch(query(seq.getAndIncrement()), null);
                    return null;
                });
                putMeasure("throughput", "round" + r + ".direct", d);
                double[] c = measure("cluster", threads, seconds, (t, s) -> {
                    vg.search(request(query(seq.getAndIncrement()), false));
                    return null;
                });
                putMeasure("throughput", "round" + r + ".cluster", c);
                double[] th = measure("thin", threads, seconds, (t, s) -> {
                    thin.search(request(query(seq.getAndIncrement()), false));
                    return null;
                });
                putMeasure("throughput", "round" + r + ".thin", th);
                log(String.format(Locale.ROOT, "round %d: direct %.0f QPS (p99 %.2f ms, %.0f searches per CPU-second); cluster through " +
                    "the thick client %.0f QPS (p99 %.2f ms, %.0f per CPU-second): %.2f; through a thin client %.0f QPS (p99 %.2f ms, " +
                    "%.0f per CPU-second): %.2f", r, d[0], d[2], d[3] / d[6], c[0], c[2], c[3] / (c[5] + c[6]), c[0] / d[0],
                    th[0], th[2], th[3] / (th[5] + th[6]), th[0] / d[0]));
            }
        }
    }

    private static double recall(long[] got, int[] truth) {
        Set<Long> t = new HashSet<>();
        for (int i = 0; i < K && i < truth.length; i++)
            t.add((long)truth[i]);
        int hit = 0;
        for (long g : got) {
            if (t.contains(g))
                hit++;
        }
        return hit / (double)K;
    }

    // ---------------------------------------------------------------- 6. replica scaling

    private void scalingQps(int r) throws Exception {
        AtomicLong seq = new AtomicLong();
        double[] m = measure("cluster", threads, seconds, (t, s) -> {
            vg.search(request(query(seq.getAndIncrement()), false));
            return null;
        });
        putMeasure("scaling.r" + r, "cluster", m);
        log(String.format(Locale.ROOT, "replicaNumber %d: %.0f QPS, p99 %.2f ms", r, m[0], m[2]));
    }

    // ---------------------------------------------------------------- 3. stall (SIGSTOP) and a slow node

    private LoadLoop.Body diagSearch(VectorGrid g, AtomicLong seq) {
        return (t, s) -> {
            long a = System.nanoTime();
            SearchResult r = g.search(request(query(seq.getAndIncrement()), true));
            long took = (System.nanoTime() - a) / 1_000_000;
            if (r.partial())
                throw new IllegalStateException("partial result: " + r.missingSegments());
            String note = describe(r.diagnostics());
            if (took >= SLOW_SEARCH_MS && !r.diagnostics().events().isEmpty())
                note += " events=" + String.join("; ", r.diagnostics().events());
            return note;
        };
    }

    /** The op's note: the nodes that served segments ({@code n=a,b}) and, if any, the hedged segments. */
    private String describe(SearchDiagnostics d) {
        StringBuilder sb = new StringBuilder("n=");
        List<String> ns = new ArrayList<>();
        for (UUID u : d.segmentNodes().values())
            ns.add(shortName(nodeName(u)));
        sb.append(String.join(",", ns));
        List<String> gs = new ArrayList<>();
        for (UUID u : d.growingNodes().values())
            gs.add(shortName(nodeName(u)));
        sb.append(" g=").append(String.join(",", gs));
        if (!d.hedged().isEmpty())
            sb.append(" h=").append(d.hedged().size());
        if (d.retries() > 0)
            sb.append(" r=").append(d.retries());
        if (d.router() != null)
            sb.append(" via=").append(shortName(nodeName(d.router())));
        return sb.toString();
    }

    private static String shortName(String name) {
        int i = name.lastIndexOf('-');
        return i >= 0 ? name.substring(i + 1) : name;
    }

    private static boolean servedBy(LoadLoop.Op o, String shortName) {
        if (o.info == null || !o.info.startsWith("n="))
            return false;
        String list = o.info.substring(2).split(" ")[0];
        return Arrays.asList(list.split(",")).contains(shortName);
    }

    private static boolean hedged(LoadLoop.Op o) {
        return o.info != null && o.info.contains(" h=");
    }

    /** @return the node that is primary of the collection's state cache (targets are read from it; one partition). */
    private String statePrimary() {
        return nodeName(client.affinity(collectionMeta().stateCache()).mapPartitionToNode(0).id());
    }

    /** @return the node that is primary of the catalog entry of the collection. */
    private String catalogPrimary() {
        return nodeName(client.affinity(MetaStore.COLLECTIONS_CACHE).mapKeyToNode(COLL).id());
    }

    /** @return a thin client given every address, connected (routing) through a node other than {@code avoid}. */
    private VecgridClient thinClientAvoiding(String avoid) {
        for (int attempt = 0; ; attempt++) {
            VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect();
            String via = nodeName(thin.search(request(queries[0], true)).diagnostics().router());
            if (!via.equals(avoid) || attempt >= 20)
                return thin;
            thin.close();
        }
    }

    /**
     * SIGSTOP of one node for {@link #stallSeconds} (shorter than failure detection: it stays in the topology), then
     * SIGCONT, under two search loads at once: a thin client routed through a live node (the router is a server
     * node, reading the collection's metadata from its local replica) and this JVM's thick client (routing here,
     * reading the metadata from the node that is primary of it). The node stopped is the primary of the collection's
     * state cache unless the thin client routes through it: the worst case for a thick client, stated in the report.
     */
    private void stall() throws Exception {
        String statePrimary = statePrimary();
        String catalogPrimary = catalogPrimary();
        try (VecgridClient thin = thinClientAvoiding(statePrimary)) {
            String thinVia = nodeName(thin.search(request(queries[0], true)).diagnostics().router());
            String victim = null;
            for (String cand : new String[] {statePrimary, catalogPrimary}) {
                if (victim == null && !cand.equals(thinVia) && nodes.running().contains(cand))
                    victim = cand;
            }
            if (victim == null)
                victim = nodes.running().stream().filter(x -> !x.equals(thinVia)).findFirst().orElseThrow();
            stat("stall", "victim", shortName(victim));
            stat("stall", "thin.router", shortName(thinVia));
            stat("stall", "state.primary", shortName(statePrimary));
            stat("stall", "catalog.primary", shortName(catalogPrimary));
            stat("stall", "victim.state.primary", victim.equals(statePrimary) ? 1 : 0);
            stat("stall", "victim.catalog.primary", victim.equals(catalogPrimary) ? 1 : 0);

            AtomicLong seq = new AtomicLong();
            Map<String, LoadLoop> loops = new LinkedHashMap<>();
            loops.put("thin", new LoadLoop(THIN_SEARCH, steadyThreads, 0, diagSearch(thin, seq)));
            loops.put("thick", new LoadLoop(THICK_SEARCH, steadyThreads, 0, diagSearch(vg, seq)));
            long phase0 = System.nanoTime();
            loops.values().forEach(LoadLoop::start);
            event("stall", phase0, "search load starts (" + steadyThreads + " threads through a thin client via " + shortName(thinVia) +
                ", " + steadyThreads + " through the thick client; adaptive)");
            long stop;
            long cont;
            long end;
            long healthyFrom;
            try (Watchdog dog = new Watchdog("stall", loops.values().toArray(new LoadLoop[0]))) {
                Thread.sleep(warmupSeconds * 1000L);
                healthyFrom = System.nanoTime();
                Thread.sleep(healthySeconds * 1000L);
                stop = System.nanoTime();
                nodes.signal(victim, "STOP");
                event("stall", stop, "SIGSTOP " + shortName(victim));
                Thread.sleep(stallSeconds * 1000L);
                cont = System.nanoTime();
                nodes.signal(victim, "CONT");
                event("stall", cont, "SIGCONT " + shortName(victim));
                Thread.sleep(afterSeconds * 1000L);
                end = System.nanoTime();
            }
            finally {
                for (LoadLoop l : loops.values())
                    l.stop(120_000);
            }
            List<LoadLoop.Op> every = new ArrayList<>();
            for (Map.Entry<String, LoadLoop> e : loops.entrySet()) {
                String r = e.getKey();
                List<LoadLoop.Op> all = e.getValue().ops();
                every.addAll(all);
                List<LoadLoop.Op> during = new ArrayList<>();
                for (LoadLoop.Op o : all) {
                    if (o.startNanos < cont && o.endNanos() > stop)
                        during.add(o);
                }
                List<LoadLoop.Op> hedgedOps = new ArrayList<>();
                for (LoadLoop.Op o : all) {
                    if (hedged(o))
                        hedgedOps.add(o);
                }
                long failed = all.stream().filter(o -> !o.ok).count();
                double worst = all.stream().mapToDouble(LoadLoop.Op::millis).max().orElse(Double.NaN);
                stat("stall", r + ".calls", all.size());
                stat("stall", r + ".failed", failed);
                stat("stall", r + ".worst.ms", worst);
                List<LoadLoop.Op> healthy = LoadLoop.within(all, healthyFrom, stop);
                List<LoadLoop.Op> after = LoadLoop.within(all, cont, end);
                putOps("stall", r + ".healthy", healthy);
                putOps("stall", r + ".during", during);
                putOps("stall", r + ".after", after);
                putOps("stall", r + ".hedged", hedgedOps);
                // Searches the stall held for longer than a second, and whether the router hedged them.
                long held = during.stream().filter(o -> o.millis() > 1000).count();
                stat("stall", r + ".during.over.1s", held);
                // Is the resumed node used again?
                long firstUse = -1;
                int usedAfter = 0;
                for (LoadLoop.Op o : after) {
                    if (o.ok && servedBy(o, shortName(victim))) {
                        usedAfter++;
                        if (firstUse < 0 || o.startNanos < firstUse)
                            firstUse = o.startNanos;
                    }
                }
                stat("stall", r + ".victim.used.after", usedAfter);
                stat("stall", r + ".victim.first.use.after.cont.ms", firstUse < 0 ? Double.NaN : (firstUse - cont) / 1e6);
                log(String.format(Locale.ROOT, "stall, %s client: healthy p99 %.2f ms, p99 of searches in flight during the stall %.2f ms, " +
                    "worst %.1f ms, %d failed, %d hedged; resumed node used by %d of %d searches after SIGCONT (first after %.0f ms)",
                    r, percentile(millis(healthy), 99), percentile(millis(during), 99), worst, failed, hedgedOps.size(), usedAfter,
                    after.size(), firstUse < 0 ? Double.NaN : (firstUse - cont) / 1e6));
            }
            every.sort((x, y) -> Long.compare(x.startNanos, y.startNanos));
            ops("stall", every);
        }
    }

    static final String THIN_SEARCH = "search, thin client";
    static final String THICK_SEARCH = "search, thick client";

    private void putOps(String phase, String what, List<LoadLoop.Op> ops) {
        double[] ms = millis(ops);
        stat(phase, what + ".calls", ops.size());
        stat(phase, what + ".failed", ops.stream().filter(o -> !o.ok).count());
        stat(phase, what + ".p50.ms", percentile(ms, 50));
        stat(phase, what + ".p99.ms", percentile(ms, 99));
        stat(phase, what + ".max.ms", Arrays.stream(ms).max().orElse(Double.NaN));
    }

    /**
     * One node made slow (throttled: stopped {@link #slowStopMs} of every {@link #slowStopMs} + {@link #slowRunMs},
     * see {@link ClusterNodes#startThrottle}). Routers that choose copies by measured cost (adaptive, the default)
     * against routers that take them in turn (round-robin): two thick clients in this JVM, each with its
     * replicaChoice, measured in turns; p99 and QPS, healthy and slow. The slow node holds no primary of the
     * collection's metadata, so that only the copies the routers choose, not metadata reads, meet it; among such
     * nodes, the one round-robin gave the most segment searches while every node was healthy (round-robin is blind
     * to load: the slow node is the one it keeps using).
     */
    private void slowNode() throws Exception {
        String statePrimary = statePrimary();
        String catalogPrimary = catalogPrimary();
        VectorGrid rr = Vecgrid.of(rrClient);
        Map<String, VectorGrid> choices = new LinkedHashMap<>();
        choices.put("adaptive", vg);
        choices.put("round-robin", rr);
        Map<String, Measure> healthy = new LinkedHashMap<>();
        for (Map.Entry<String, VectorGrid> c : choices.entrySet()) {
            Measure m = slowMeasure(c.getValue());
            healthy.put(c.getKey(), m);
            putMeasure("slow", "healthy." + c.getKey(), m.figures());
            stat("slow", "healthy." + c.getKey() + ".segments.by.node", m.byNode);
            log(String.format(Locale.ROOT, "healthy, %s: %.0f QPS, p50 %.2f ms, p99 %.2f ms; segment searches by node %s",
                c.getKey(), m.qps, m.p50, m.p99, m.byNode));
        }
        String victim = null;
        double best = -1;
        for (String nm : nodes.running()) {
            if (nm.equals(statePrimary) || nm.equals(catalogPrimary))
                continue;
            double share = healthy.get("round-robin").share(shortName(nm)) + 1e-3 * healthy.get("adaptive").share(shortName(nm));
            if (share > best) {
                best = share;
                victim = nm;
            }
        }
        if (victim == null)
            victim = nodes.running().get(0);
        stat("slow", "victim", shortName(victim));
        stat("slow", "victim.meta.primary", victim.equals(statePrimary) || victim.equals(catalogPrimary) ? 1 : 0);
        for (Map.Entry<String, Measure> e : healthy.entrySet())
            stat("slow", "healthy." + e.getKey() + ".victim.share", e.getValue().share(shortName(victim)));
        nodes.startThrottle(victim, slowStopMs, slowRunMs);
        event("slow", System.nanoTime(), "throttling " + shortName(victim) + ": SIGSTOP " + slowStopMs + " ms of every " +
            (slowStopMs + slowRunMs) + " ms");
        try {
            Thread.sleep(1000);
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(choices.keySet());
                if (r % 2 == 1)
                    java.util.Collections.reverse(order);
                for (String c : order) {
                    Measure m = slowMeasure(choices.get(c));
                    String k = "round" + (r + 1) + ".slow." + c;
                    putMeasure("slow", k, m.figures());
                    stat("slow", k + ".victim.share", m.share(shortName(victim)));
                    stat("slow", k + ".segments.by.node", m.byNode);
                    log(String.format(Locale.ROOT, "slow node %s, %s: %.0f QPS, p50 %.2f ms, p99 %.2f ms; segment searches by node %s",
                        shortName(victim), c, m.qps, m.p50, m.p99, m.byNode));
                }
            }
        }
        finally {
            nodes.stopThrottle();
            event("slow", System.nanoTime(), "throttle of " + shortName(victim) + " ended");
        }
    }

    /** One measured window of the slow-node test. */
    private static final class Measure {
        double qps;
        double p50;
        double p99;
        long calls;
        long failed;
        /** Segment searches by the node that served them. */
        final Map<String, Long> byNode = new java.util.TreeMap<>();
        long segs;

        double share(String node) {
            return segs == 0 ? Double.NaN : byNode.getOrDefault(node, 0L) / (double)segs;
        }

        double[] figures() {
            return new double[] {qps, p50, p99, calls, failed};
        }
    }

    private Measure slowMeasure(VectorGrid g) throws InterruptedException {
        AtomicLong seq = new AtomicLong();
        LoadLoop loop = new LoadLoop("search", slowThreads, 0, diagSearch(g, seq)).start();
        Thread.sleep(warmupSeconds * 1000L);
        long a = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long b = System.nanoTime();
        loop.stop(120_000);
        List<LoadLoop.Op> in = LoadLoop.within(loop.ops(), a, b);
        Measure m = new Measure();
        m.failed = in.stream().filter(o -> !o.ok).count();
        for (String nm : nodes.running())
            m.byNode.put(shortName(nm), 0L);
        for (LoadLoop.Op o : in) {
            if (o.ok && o.info != null && o.info.startsWith("n=")) {
                for (String nm : o.info.substring(2).split(" ")[0].split(",")) {
                    if (nm.isEmpty())
                        continue;
                    m.segs++;
                    m.byNode.merge(nm, 1L, Long::sum);
                }
            }
        }
        double[] ms = millis(in);
        m.qps = in.size() / ((b - a) / 1e9);
        m.p50 = percentile(ms, 50);
        m.p99 = percentile(ms, 99);
        m.calls = in.size();
        return m;
    }

    /**
     * Watches load loops while a phase runs: when a call has been in flight for {@link #dumpAfterMillis}, dumps the
     * threads of every running node and of this JVM, so that one can tell where such a call waited.
     */
    private final class Watchdog implements AutoCloseable {
        private final String phase;
        private final List<LoadLoop> loops;
        private final Thread thread;
        private volatile boolean stop;
        private int dumps;

        Watchdog(String phase, LoadLoop... loops) {
            this.phase = phase;
            this.loops = List.of(loops);
            thread = new Thread(this::watch, "watchdog-" + phase);
            thread.setDaemon(true);
            thread.start();
        }

        private void watch() {
            long lastDump = 0;
            while (!stop && dumps < 3) {
                try {
                    Thread.sleep(250);
                }
                catch (InterruptedException e) {
                    return;
                }
                long longest = 0;
                for (LoadLoop l : loops)
                    longest = Math.max(longest, l.longestInFlightNanos());
                if (longest >= dumpAfterMillis * 1_000_000L && System.nanoTime() - lastDump > 10_000_000_000L) {
                    dumps++;
                    lastDump = System.nanoTime();
                    List<Path> files = new ArrayList<>(nodes.threadDumps("dump-" + phase + "-" + dumps));
                    files.add(ownThreads("dump-" + phase + "-" + dumps + "-benchmark.threads.txt"));
                    event(phase, lastDump, String.format(Locale.ROOT, "a search in flight for %.1f s: thread dumps %s", longest / 1e9,
                        files.stream().map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.joining(", "))));
                }
            }
        }

        @Override public void close() {
            stop = true;
            thread.interrupt();
        }
    }

    /** Writes this JVM's threads (the clients' side of a call) to {@code <work>/<file>}. */
    private Path ownThreads(String file) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            sb.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement el : e.getValue())
                sb.append("\tat ").append(el).append('\n');
            sb.append('\n');
        }
        Path out = work.resolve(file);
        try {
            Files.writeString(out, sb, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            log("cannot write " + out + ": " + e);
        }
        return out;
    }

    // ---------------------------------------------------------------- 4. kill -9, 5. rolling restart

    /** Thin-client search and insert load with acknowledged-insert bookkeeping. */
    private final class WriteLoad implements AutoCloseable {
        final VecgridClient thin;
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final Set<Long> unsure = ConcurrentHashMap.newKeySet();
        final AtomicLong nextPk;
        final LoadLoop searches;
        final LoadLoop inserts;

        WriteLoad(VecgridClient thin, long firstPk) {
            this.thin = thin;
            this.nextPk = new AtomicLong(firstPk);
            AtomicLong seq = new AtomicLong();
            searches = new LoadLoop("search", steadyThreads, 0, diagSearch(thin, seq));
            inserts = new LoadLoop("insert", 1, insertPauseMillis, (t, s) -> {
                long from = nextPk.getAndAdd(insertBatch);
                List<VectorRow> rows = new ArrayList<>(insertBatch);
                for (long pk = from; pk < from + insertBatch; pk++)
                    rows.add(new VectorRow(pk, row((int)(pk % n))));
                for (long pk = from; pk < from + insertBatch; pk++)
                    unsure.add(pk);
                thin.insert(COLL, rows);
                for (long pk = from; pk < from + insertBatch; pk++) {
                    acked.add(pk);
                    unsure.remove(pk);
                }
                return "pk " + from;
            });
        }

        WriteLoad start() {
            searches.start();
            inserts.start();
            return this;
        }

        List<LoadLoop.Op> ops() {
            List<LoadLoop.Op> all = new ArrayList<>(searches.ops());
            all.addAll(inserts.ops());
            all.sort((x, y) -> Long.compare(x.startNanos, y.startNanos));
            return all;
        }

        @Override public void close() {
            searches.stop(120_000);
            inserts.stop(120_000);
        }

        /** @return acknowledged inserts that {@code get} does not find (read through the thin client, retried). */
        long lostAcked() throws InterruptedException {
            long[] pks = acked.stream().mapToLong(Long::longValue).sorted().toArray();
            long found = 0;
            for (int i = 0; i < pks.length; i += 2000) {
                long[] part = Arrays.copyOfRange(pks, i, Math.min(pks.length, i + 2000));
                for (int attempt = 0; ; attempt++) {
                    try {
                        found += thin.get(COLL, part, List.of()).size();
                        break;
                    }
                    catch (RuntimeException e) {
                        if (attempt >= 10)
                            throw e;
                        Thread.sleep(1000);
                    }
                }
            }
            return pks.length - found;
        }
    }

    private void putWriteLoad(String phase, WriteLoad w, long from, long to) throws InterruptedException {
        List<LoadLoop.Op> all = w.ops();
        ops(phase, all);
        List<LoadLoop.Op> s = new ArrayList<>();
        List<LoadLoop.Op> ins = new ArrayList<>();
        for (LoadLoop.Op o : all)
            (o.kind.equals("search") ? s : ins).add(o);
        putOps(phase, "search", s);
        putOps(phase, "insert", ins);
        stat(phase, "inserted.acked.rows", w.acked.size());
        stat(phase, "inserted.unsure.rows", w.unsure.size());
        long lost = w.lostAcked();
        stat(phase, "acked.lost", lost);
        stat(phase, "window.seconds", (to - from) / 1e9);
        log(String.format(Locale.ROOT, "%s: %d searches (%d failed, worst %.1f ms), %d insert batches (%d failed), %d acknowledged rows, %d lost",
            phase, s.size(), s.stream().filter(o -> !o.ok).count(), Arrays.stream(millis(s)).max().orElse(0),
            ins.size(), ins.stream().filter(o -> !o.ok).count(), w.acked.size(), lost));
    }

    private void kill() throws Exception {
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect()) {
            UUID router = thin.search(request(queries[0], true)).diagnostics().router();
            WriteLoad w = new WriteLoad(thin, 1_000_000_000L);
            long from = System.nanoTime();
            event("kill", from, "thin-client load starts (" + steadyThreads + " search threads, inserts of " + insertBatch +
                " rows every " + insertPauseMillis + " ms), via " + shortName(nodeName(router)));
            w.start();
            long killAt;
            String victim;
            try (Watchdog dog = new Watchdog("kill", w.searches)) {
                Thread.sleep((warmupSeconds + healthySeconds) * 1000L);
                // The node the thin client's calls go through now (a hedged call may have moved them since the start).
                victim = nodeName(thin.status().servedBy());
                stat("kill", "victim", shortName(victim));
                stat("kill", "victim.is.thin.client.router", 1);
                killAt = System.nanoTime();
                nodes.kill9(victim);
                event("kill", killAt, "kill -9 " + shortName(victim));
                event("kill", System.nanoTime(), shortName(victim) + " process gone");
                Thread.sleep(afterSeconds * 1000L);
            }
            finally {
                w.close();
            }
            long to = System.nanoTime();
            event("kill", to, "load stopped");
            List<LoadLoop.Op> afterKill = new ArrayList<>();
            for (LoadLoop.Op o : w.ops()) {
                if (o.kind.equals("search") && o.endNanos() > killAt)
                    afterKill.add(o);
            }
            putOps("kill", "search.after.kill", afterKill);
            putWriteLoad("kill", w, from, to);
            stat("kill", "thin.hedged", thin.hedgedCalls());
            stat("kill", "thin.hedge.wins", thin.hedgeWins());
            // Back to full strength for what follows.
            long r0 = System.nanoTime();
            nodes.start(victim);
            nodes.awaitLogged(victim, "vecgrid is serving", 300_000);
            boolean ok = awaitSettled(2, false, 3_000, 600_000);
            stat("kill", "restart.back.seconds", (System.nanoTime() - r0) / 1e9);
            stat("kill", "restart.settled", ok ? 1 : 0);
            event("kill", System.nanoTime(), shortName(victim) + " restarted, every copy back: " + ok);
            awaitQuiet("kill");
        }
    }

    private void rollingRestart() throws Exception {
        try (VecgridClient thin = VecgridClient.builder().addresses(nodes.clientAddresses()).connect()) {
            WriteLoad w = new WriteLoad(thin, 2_000_000_000L);
            long from = System.nanoTime();
            event("rolling", from, "thin-client load starts");
            w.start();
            try (Watchdog dog = new Watchdog("rolling", w.searches)) {
                Thread.sleep(warmupSeconds * 1000L);
                for (String name : new ArrayList<>(nodes.running())) {
                    long a = System.nanoTime();
                    event("rolling", a, "SIGTERM " + shortName(name));
                    nodes.sigterm(name, 180_000);
                    long b = System.nanoTime();
                    event("rolling", b, shortName(name) + " exited");
                    nodes.start(name);
                    nodes.awaitLogged(name, "vecgrid is serving", 300_000);
                    long c = System.nanoTime();
                    event("rolling", c, shortName(name) + " serving");
                    boolean ok = awaitSettled(2, false, 2_000, 600_000);
                    long d = System.nanoTime();
                    event("rolling", d, "every copy back on 2 nodes" + (ok ? "" : " (NOT within the timeout)"));
                    stat("rolling", shortName(name) + ".stop.seconds", (b - a) / 1e9);
                    stat("rolling", shortName(name) + ".serving.seconds", (c - b) / 1e9);
                    stat("rolling", shortName(name) + ".copies.back.seconds", (d - c) / 1e9);
                    stat("rolling", shortName(name) + ".settled", ok ? 1 : 0);
                }
                Thread.sleep(warmupSeconds * 1000L);
            }
            finally {
                w.close();
            }
            long to = System.nanoTime();
            event("rolling", to, "load stopped");
            putWriteLoad("rolling", w, from, to);
        }
    }
}
