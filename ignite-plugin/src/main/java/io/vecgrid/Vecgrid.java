package io.vecgrid;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.backup.Backups;
import io.vecgrid.cluster.BaselineKeeper;
import io.vecgrid.cluster.ClusterInfo;
import io.vecgrid.cluster.DiskGuard;
import io.vecgrid.collection.CollectionManager;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.coordinator.CoordinatorService;
import io.vecgrid.coordinator.ReplicaChange;
import io.vecgrid.coordinator.ReplicaView;
import io.vecgrid.plugin.NodeCall;
import io.vecgrid.metrics.VecgridMetrics;
import io.vecgrid.search.DistributionReporter;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.search.RoutingTable;
import io.vecgrid.search.SearchRouter;
import io.vecgrid.segment.Sealer;
import io.vecgrid.segment.SegmentStore;
import io.vecgrid.shard.GrowingRegistry;
import io.vecgrid.shard.WritePath;
import io.vecgrid.shard.GrowingThrottle;
import io.vecgrid.shard.RowReader;
import io.vecgrid.segment.LayoutRecovery;
import io.vecgrid.segment.LayoutSteps;
import io.vecgrid.segment.Rewriter;
import io.vecgrid.segment.SegmentReads;
import io.vecgrid.collection.CollectionCaches;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterTopologyException;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * vecgrid on one node: the {@link VectorGrid} API and the node's parts (meta store, write path, growing rows,
 * sealer). Obtain it with {@link #of(Ignite)} on any server node or thick client that has the plugin.
 */
public final class Vecgrid implements VectorGrid {
    /** Plugin name, as in {@code ignite.plugin("vecgrid")}. */
    public static final String PLUGIN_NAME = "vecgrid";

    private static final int FLUSH_ATTEMPTS = 5;
    /** Threads running long node work (seals, compactions, flushes) sent with {@link io.vecgrid.plugin.NodeCall}. */
    private static final int WORK_THREADS = 4;
    /** How long a stopping node waits for each of vecgrid's thread pools, ms. */
    private static final long STOP_WAIT_MILLIS = 10_000;
    /** Period of node upkeep (segment sweep, distribution report, routing refresh), ms. */
    private static final long MAINTENANCE_MILLIS = 100;

    /** Every started node's vecgrid in this JVM, by Ignite instance name. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Vecgrid> NODES =
        new java.util.concurrent.ConcurrentHashMap<>();

    private final Ignite ignite;
    private final VecgridConfiguration cfg;
    private final IgniteLogger log;
    private final MetaStore metaStore;
    private final CollectionManager collections;
    private final WritePath writePath;
    private final GrowingRegistry growing;
    private final Sealer sealer;
    private final Rewriter rewriter;
    private final LayoutRecovery recovery;
    private final RowReader rowReader;
    private final ReplicaChange replicaChange;
    private final SegmentStore segments;
    private final VecgridMetrics metrics;
    private final io.vecgrid.metrics.CollectionMetrics collectionMetrics;
    private long lastMetricsSync;
    private long lastLatencySample;
    private final RoutingCache routing;
    private final SearchRouter router;
    private final ExecutorService searchExecutor;
    private final ExecutorService workExecutor;
    private final Backups backups;
    /** Period of the check of the cluster state and baseline, ms. */
    private static final long LIFECYCLE_MILLIS = 200;

    private DistributionReporter reporter;
    private BaselineKeeper baseline;
    private volatile boolean serving;
    /** A graceful stop began: new thin-client operations are refused, routers send no new search work here. */
    private volatile boolean draining;
    /** When a client operation last finished ({@link System#nanoTime()}). */
    private volatile long lastOperationExit = System.nanoTime() - ANSWER_SETTLE_NANOS;

    /**
     * How long a drain waits after the last client operation finished: Ignite writes a task's answer to the client's
     * connection on its own threads after the task ended, so a stop that closed the connection at once could cut off
     * the answer of a write that was applied.
     */
    private static final long ANSWER_SETTLE_NANOS = 250_000_000L;
    /** Thin-client operations running on this node (a graceful stop waits for them). */
    private final java.util.concurrent.atomic.AtomicInteger operations = new java.util.concurrent.atomic.AtomicInteger();
    private ScheduledExecutorService background;
    private long lastRoutingRefresh;

    public Vecgrid(Ignite ignite, VecgridConfiguration cfg) {
        this.ignite = ignite;
        this.cfg = cfg;
        this.log = ignite.log().getLogger(Vecgrid.class);
        this.metaStore = new MetaStore(ignite);
        this.routing = new RoutingCache(ignite);
        this.writePath = new WritePath(ignite, metaStore, cfg.getMaxBatchRows(), new DiskGuard(routing, cfg.getMinFreeDiskBytes()),
            new GrowingThrottle(routing, cfg.growingCap()));
        this.rowReader = new RowReader(ignite, metaStore, cfg.getMaxBatchRows(), new SegmentReads(ignite, routing));
        this.collections = new CollectionManager(ignite, metaStore, cfg.getSegmentSlots(), cfg.getRowPartitions(),
            rowReader::count, CollectionCaches.segmentsRegion(ignite, cfg.getSegmentsDataRegion()), cfg.growingCap());
        this.growing = new GrowingRegistry(ignite);
        this.segments = new SegmentStore(ignite, metaStore, 2, routing, !cfg.isKeepLoadedSegmentChunks());
        this.collectionMetrics = new io.vecgrid.metrics.CollectionMetrics(ignite, metaStore, segments, growing);
        this.metrics = new VecgridMetrics(ignite, segments, collectionMetrics::growingRows);
        LayoutSteps steps = new LayoutSteps(ignite, metaStore, growing, routing);
        this.sealer = new Sealer(ignite, metaStore, steps, cfg, metrics);
        this.rewriter = new Rewriter(ignite, metaStore, steps, segments, cfg, metrics);
        this.recovery = new LayoutRecovery(steps, rewriter, ignite.log().getLogger(LayoutRecovery.class), metrics);
        this.router = new SearchRouter(ignite, metaStore, routing, metrics, cfg, (name, pks, fields) -> {
            java.util.Map<Long, VectorRow> res = new java.util.HashMap<>();
            // A search's final hits (up to nq x topK keys) may be more than one get may ask for (maxBatchRows):
            // read them in gets of that size, as a client reading them itself would have to.
            int step = cfg.getMaxBatchRows();
            for (int from = 0; from < pks.length; from += step) {
                long[] part = java.util.Arrays.copyOfRange(pks, from, Math.min(pks.length, from + step));
                for (VectorRow r : rowReader.get(name, part, fields))
                    res.put(r.pk(), r);
            }
            return res;
        });
        this.replicaChange = new ReplicaChange(ignite, metaStore, collections, routing);
        this.backups = new Backups(ignite, metaStore, collections, routing);
        this.workExecutor = Executors.newFixedThreadPool(WORK_THREADS, r -> {
            Thread t = new Thread(r, "vecgrid-work-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
        this.searchExecutor = Executors.newFixedThreadPool(cfg.getSearchThreads(), r -> {
            Thread t = new Thread(() -> {
                SEARCH_THREAD.set(Boolean.TRUE);
                r.run();
            }, "vecgrid-search-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Set on the threads of every node's search executor. */
    private static final ThreadLocal<Boolean> SEARCH_THREAD = new ThreadLocal<>();

    /** @return whether the calling thread is one of a search executor's (of any node of this JVM). */
    public static boolean onSearchThread() {
        return SEARCH_THREAD.get() != null;
    }

    /** @return the vecgrid API of this node. */
    public static VectorGrid of(Ignite ignite) {
        return local(ignite);
    }

    /** @return this node's vecgrid. @throws VecgridException if the plugin is not installed or not started. */
    public static Vecgrid local(Ignite ignite) {
        Vecgrid vg = localOrNull(ignite);
        if (vg == null)
            throw new VecgridException("the vecgrid plugin is not started on node " + ignite.name() +
                "; add io.vecgrid.plugin.VecgridPluginProvider to the node's pluginProviders");
        return vg;
    }

    /**
     * @return this node's vecgrid, or {@code null} while the node starts. Looked up by instance name rather than
     *      through {@code ignite.plugin(..)}, which Ignite refuses while the cluster is inactive.
     */
    public static Vecgrid localOrNull(Ignite ignite) {
        if (ignite == null)
            return null;
        Vecgrid vg = NODES.get(key(ignite.name()));
        return vg != null && vg.ignite == ignite ? vg : null;
    }

    /** Registers a node's vecgrid (the plugin provider, once the node started). */
    public static void register(Vecgrid vg) {
        NODES.put(key(vg.ignite.name()), vg);
    }

    /** Forgets a node's vecgrid (the plugin provider, when the node stops). */
    public static void unregister(Vecgrid vg) {
        NODES.remove(key(vg.ignite.name()), vg);
    }

    private static String key(String instanceName) {
        return instanceName == null ? "" : "#" + instanceName;
    }

    /**
     * Starts the node's background work; called once the node has joined. vecgrid serves only while the cluster is
     * active: a persistent cluster starts inactive (see {@link BaselineKeeper}), so the caches vecgrid needs are
     * created, and the coordinator deployed, when the cluster turns active, not here.
     */
    public void start() {
        boolean server = !ignite.cluster().localNode().isClient();
        router.start();
        background = Executors.newScheduledThreadPool(server ? 2 : 1, r -> {
            Thread t = new Thread(r, "vecgrid-background-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
        if (server)
            baseline = new BaselineKeeper(ignite, cfg);
        background.scheduleWithFixedDelay(this::followClusterState, 0, LIFECYCLE_MILLIS, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(this::maintain, MAINTENANCE_MILLIS, MAINTENANCE_MILLIS, TimeUnit.MILLISECONDS);
        log.info("vecgrid started (" + (server ? "server" : "client") + (ClusterInfo.persistent(ignite) ?
            ", native persistence" : ", in memory") + "); it serves while the cluster is active");
    }

    /** Keeps the baseline (oldest server) and starts or stops serving as the cluster turns active or inactive. */
    private void followClusterState() {
        try {
            if (baseline != null)
                baseline.tick();
            boolean active = ignite.cluster().state().active();
            if (active && !serving)
                onActivated();
            else if (!active && serving)
                onDeactivated();
        }
        catch (Throwable t) {
            log.warning("vecgrid could not follow the cluster state (will retry): " + t, t);
        }
    }

    private void onActivated() {
        boolean server = !ignite.cluster().localNode().isClient();
        MetaStore.createCaches(ignite);
        io.vecgrid.sql.CollectionTables.createFunctionsCache(ignite);
        routing.start();
        router.startServing();
        if (server) {
            if (reporter == null)
                reporter = new DistributionReporter(ignite, metaStore, segments, growing, cfg.getSealRows(),
                    cfg.getMinFreeDiskBytes(), () -> draining);
            segments.activated();
            // The coordinator runs on one server; every server asks, Ignite keeps one.
            ignite.services().deployClusterSingletonAsync(CoordinatorService.NAME, new CoordinatorService());
        }
        serving = true;
        log.info("vecgrid is serving: the cluster is active");
    }

    private void onDeactivated() {
        serving = false;
        collectionMetrics.clear();
        routing.stop();
        router.stopServing();
        segments.unloadAll();
        growing.forgetAll();
        log.info("vecgrid stopped serving: the cluster is inactive");
    }

    /** @return this node's search router. */
    public SearchRouter router() {
        return router;
    }

    /**
     * Counts a thin-client operation in, unless the node is draining.
     *
     * @return {@code false} if the node is draining: the operation must not start (and is not counted).
     */
    public boolean enterOperation() {
        operations.incrementAndGet();
        if (draining) {
            operations.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Counts out an operation that {@link #enterOperation()} let in. */
    public void exitOperation() {
        lastOperationExit = System.nanoTime();
        operations.decrementAndGet();
    }

    /** @return whether a graceful stop of this node began. */
    public boolean draining() {
        return draining;
    }

    /**
     * First step of a graceful stop: new thin-client operations are refused with {@link NodeStoppingException} (nothing
     * applied: the client resends), the node's next distribution report tells routers to send it no new search work
     * where another copy exists, and this waits, at most {@code timeoutMillis}, until the operations and search jobs
     * running here have finished and every segment copy it serves of a collection with replica number 2 or more is
     * serviceable on another live node that is not draining (a copy moved here moments ago may have no other yet).
     * Writes in flight finish in Ignite's own stop, which waits for transactions.
     */
    public void drain(long timeoutMillis) {
        if (!serving || timeoutMillis <= 0 || ignite.cluster().localNode().isClient())
            return;
        draining = true;
        long t0 = System.nanoTime();
        long deadline = t0 + timeoutMillis * 1_000_000L;
        log.info("vecgrid is draining for a graceful stop: refusing new client operations, routing searches elsewhere " +
            "(waits at most " + timeoutMillis + " ms)");
        String left = null;
        while (System.nanoTime() < deadline) {
            left = drainLeft();
            if (left == null)
                break;
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (left == null)
            log.info("vecgrid drained in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        else
            log.warning("vecgrid stops without a full drain after " + timeoutMillis + " ms (drainTimeoutMillis): " + left);
    }

    /** @return what a drain still waits for, or {@code null} if nothing. */
    private String drainLeft() {
        UUID self = ignite.cluster().localNode().id();
        RoutingTable t = routing.refresh();
        if (!t.draining(self))
            return "the report that this node drains is not published yet";
        if (operations.get() > 0)
            return operations.get() + " client operations running";
        if (System.nanoTime() - lastOperationExit < ANSWER_SETTLE_NANOS)
            return "the answers of client operations that just finished are being sent";
        if (router.inFlight() > 0)
            return router.inFlight() + " searches routed by this node running";
        if (metrics.inFlightJobs() > 0)
            return metrics.inFlightJobs() + " search jobs running";
        boolean othersServe = false;
        for (ClusterNode n : ignite.cluster().forServers().nodes()) {
            if (!n.id().equals(self) && !t.draining(n.id()))
                othersServe = true;
        }
        if (!othersServe)
            return null; // The last server: there is nobody to hand anything to.
        for (CollectionMeta meta : metaStore.servingGenerations()) {
            if (meta.spec().replicas() < 2)
                continue;
            for (long id : segments.serviceable(meta)) {
                boolean elsewhere = false;
                for (UUID n : t.copies(meta.segmentsCache(), id)) {
                    if (!n.equals(self) && !t.draining(n))
                        elsewhere = true;
                }
                if (!elsewhere)
                    return "segment " + id + " of collection '" + meta.name() + "' has no serviceable copy on another node yet";
            }
        }
        return null;
    }

    /** @return whether this node serves: the cluster is active and vecgrid's caches are ready. */
    public boolean serving() {
        return serving;
    }

    /** Node upkeep: load and unload segment copies, publish this node's distribution, refresh the routing cache. */
    private void maintain() {
        if (!serving)
            return;
        try {
            if (reporter != null) {
                segments.sweep();
                reporter.publishIfNeeded(cfg.getRoutingRefreshMillis() * 1_000_000L);
            }
            long now = System.nanoTime();
            if (now - lastMetricsSync > 1_000_000_000L) {
                collectionMetrics.sync(metaStore.servingGenerations());
                lastMetricsSync = now;
            }
            if (now - lastLatencySample >= VecgridMetrics.SAMPLE_MILLIS * 1_000_000L) {
                metrics.sample(System.currentTimeMillis());
                lastLatencySample = now;
            }
            if (now - lastRoutingRefresh > cfg.getRoutingRefreshMillis() * 1_000_000L) {
                routing.refresh();
                router.refreshCatalog();
                lastRoutingRefresh = now;
            }
        }
        catch (Throwable t) {
            if (!ignite.cluster().localNode().isClient() || !(t instanceof IllegalStateException))
                log.warning("vecgrid maintenance failed: " + t, t);
        }
    }

    /**
     * Stops the node's background work and waits for it to end: Ignite calls this before it stops its caches, and a
     * thread still writing into a cache's off-heap memory while the node stops can crash the whole JVM.
     */
    public void stop() {
        routing.close();
        router.stop();
        List<ExecutorService> pools = new java.util.ArrayList<>(List.of(searchExecutor, workExecutor));
        if (background != null)
            pools.add(0, background);
        for (ExecutorService p : pools)
            p.shutdownNow();
        segments.stop();
        for (ExecutorService p : pools)
            awaitTermination(p);
        collectionMetrics.clear();
    }

    private void awaitTermination(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS))
                log.warning("vecgrid threads did not stop within " + STOP_WAIT_MILLIS + " ms");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the executor of long node work (seals, compactions, flushes), apart from Ignite's pools. */
    public ExecutorService workExecutor() {
        return workExecutor;
    }

    public SegmentStore segments() {
        return segments;
    }

    public VecgridMetrics metrics() {
        return metrics;
    }

    public ExecutorService searchExecutor() {
        return searchExecutor;
    }

    public RoutingCache routing() {
        return routing;
    }

    public Ignite ignite() {
        return ignite;
    }

    public VecgridConfiguration configuration() {
        return cfg;
    }

    public MetaStore metaStore() {
        return metaStore;
    }

    public GrowingRegistry growing() {
        return growing;
    }

    public Sealer sealer() {
        return sealer;
    }

    public WritePath writePath() {
        return writePath;
    }

    public Rewriter rewriter() {
        return rewriter;
    }

    public LayoutRecovery layoutRecovery() {
        return recovery;
    }

    public RowReader rowReader() {
        return rowReader;
    }

    public CollectionManager collections() {
        return collections;
    }

    /** @return backups of every collection (Ignite snapshots): take, list, restore. */
    public Backups backups() {
        return backups;
    }

    @Override public CollectionDescription createCollection(CollectionSpec spec) {
        io.vecgrid.cluster.WriteQuorum.check(ignite, "create collection" + (spec == null ? "" : " '" + spec.name() + "'"));
        return collections.create(spec);
    }

    @Override public CollectionDescription describeCollection(String name) {
        return collections.describe(name);
    }

    @Override public List<String> listCollections() {
        return collections.list();
    }

    @Override public void dropCollection(String name) {
        io.vecgrid.cluster.WriteQuorum.check(ignite, "drop collection '" + name + "'");
        CollectionMeta meta = metaStore.meta(name);
        collections.drop(name);
        if (meta != null)
            growing.forget(meta.rowsCache());
    }

    @Override public long insert(String collection, List<VectorRow> rows) {
        return timedWrite(rows == null ? 0 : rows.size(), () -> writePath.insert(collection, rows));
    }

    @Override public long upsert(String collection, List<VectorRow> rows) {
        return timedWrite(rows == null ? 0 : rows.size(), () -> writePath.upsert(collection, rows));
    }

    @Override public long delete(String collection, long... pks) {
        return timedWrite(pks == null ? 0 : pks.length, () -> writePath.delete(collection, pks));
    }

    /** Runs a write request, counted in the node's write metrics. */
    private long timedWrite(int rows, java.util.function.LongSupplier write) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            long res = write.getAsLong();
            failed = false;
            return res;
        }
        finally {
            metrics.wrote(rows, (System.nanoTime() - start) / 1_000_000, failed);
        }
    }

    @Override public List<VectorRow> get(String collection, long[] pks, List<String> outputFields) {
        return rowReader.get(collection, pks, outputFields);
    }

    @Override public long count(String collection) {
        return rowReader.count(collection);
    }

    @Override public ReplicaInfo replicas(String collection) {
        return ReplicaView.of(ignite, metaStore, routing, collections, collection);
    }

    @Override public CollectionDescription setReplicaNumber(String collection, int replicas) {
        io.vecgrid.cluster.WriteQuorum.check(ignite, "replica change of collection '" + collection + "'");
        return replicaChange.request(collection, replicas);
    }

    /** @return the replica changes (the coordinator drives them). */
    public ReplicaChange replicaChange() {
        return replicaChange;
    }

    @Override public SearchResult search(SearchRequest request) {
        return router.search(request);
    }

    @Override public void flush(String collection) {
        CollectionMeta meta = metaStore.requireReady(collection);
        io.vecgrid.cluster.WriteQuorum.check(ignite, "flush of collection '" + collection + "'");
        for (int shard = 0; shard < meta.spec().shards(); shard++) {
            for (int attempt = 1; ; attempt++) {
                try {
                    org.apache.ignite.cluster.ClusterNode primary = ignite.affinity(meta.rowsCache()).mapPartitionToNode(shard);
                    if (primary == null)
                        throw new VecgridException("shard " + shard + " of collection '" + collection + "' has no live owner");
                    int s = shard;
                    NodeCall.callOn(ignite, primary, ig -> {
                        Vecgrid vg = Vecgrid.local(ig);
                        return vg.sealer().sealAll(vg.metaStore().requireReady(collection), s);
                    });
                    break;
                }
                catch (IgniteException | VecgridException e) {
                    if (attempt >= FLUSH_ATTEMPTS || !retriable(e))
                        throw e instanceof VecgridException ? (VecgridException)e : new VecgridException("flush of shard " +
                            shard + " of collection '" + collection + "' failed: " + e.getMessage(), e);
                    sleep(200L * attempt);
                }
            }
        }
    }

    private static boolean retriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClusterTopologyException)
                return true;
            if (t instanceof VecgridException && t.getMessage() != null &&
                (t.getMessage().contains("not the primary") || t.getMessage().contains("not OWNING")))
                return true;
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecgridException("interrupted", e);
        }
    }
}
