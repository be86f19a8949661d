package io.vecgrid.search;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.SearchTimeoutException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.filter.ScalarFilter;
import io.vecgrid.metrics.VecgridMetrics;
import io.vecgrid.shard.RowValidator;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The search router (Milvus's proxy): validates a request, takes the collection's current target, and runs a
 * {@link SearchTask} that plans, dispatches (one {@link NodeJob} message per node, {@link SearchMessages}), fails over
 * and merges. Runs on any server node or thick client; thin clients reach it through a compute task.
 *
 * <p>Thread-safe.
 */
public final class SearchRouter {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final RoutingCache routing;
    private final VecgridMetrics metrics;
    private final VecgridConfiguration cfg;
    private final OutputFieldReader outputs;
    private final CatalogView catalog;

    private final ReplicaSelector selector;
    private final java.util.concurrent.ExecutorService async;
    private final SearchMessages messages;

    /**
     * @param rowFetch reads rows by primary key with the given output fields (the second phase: output fields of the
     *      final top-k only).
     */
    public SearchRouter(Ignite ignite, MetaStore metaStore, RoutingCache routing, VecgridMetrics metrics,
        VecgridConfiguration cfg, OutputFieldReader rowFetch) {
        this.ignite = ignite;
        this.selector = new ReplicaSelector(cfg.getSearchDeadlineFloorMillis(), System::nanoTime,
            "round-robin".equals(cfg.getReplicaChoice()));
        // Replies and failures a search message's own thread must not send itself (SearchMessages). Job deadlines
        // need no timer: the thread waiting for a search watches its jobs' deadlines (SearchTask.run).
        this.async = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vecgrid-search-async-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
        this.messages = new SearchMessages(ignite, async);
        this.outputs = rowFetch;
        this.catalog = new CatalogView(ignite, metaStore);
        this.metaStore = metaStore;
        this.routing = routing;
        this.metrics = metrics;
        this.cfg = cfg;
    }

    /**
     * Registers with Ignite, before the node starts, what the search messages need on every node (clients too): their
     * direct types, and the I/O pool that hands jobs to the search executor ({@link SearchMessages}).
     */
    public static void registerExtensions(org.apache.ignite.plugin.ExtensionRegistry registry, Ignite ignite) {
        registry.registerExtension(org.apache.ignite.plugin.extensions.communication.MessageFactoryProvider.class,
            WireMessage.FACTORY);
        registry.registerExtension(org.apache.ignite.plugin.extensions.communication.IoPool.class,
            SearchMessages.jobPool(ignite));
        registry.registerExtension(org.apache.ignite.plugin.extensions.communication.IoPool.class,
            SearchMessages.replyPool());
    }

    /** Searches being routed by this node (a graceful stop waits for them). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    public SearchResult search(SearchRequest req) {
        long start = System.nanoTime();
        boolean failed = true;
        inFlight.incrementAndGet();
        try {
            SearchContext ctx = validate(req);
            SearchResult res = execute(ctx, ctx.timeoutNanos / 1_000_000);
            if (!ctx.outputFields.isEmpty())
                res = withOutputFields(ctx, res);
            failed = false;
            return res;
        }
        finally {
            inFlight.decrementAndGet();
            metrics.searched((System.nanoTime() - start) / 1_000_000, failed);
        }
    }

    /** @return this node's id. */
    java.util.UUID localNodeId() {
        return ignite.cluster().localNode().id();
    }

    /** @return searches this node is routing now. */
    public int inFlight() {
        return inFlight.get();
    }

    private SearchResult execute(SearchContext ctx, long timeout) {
        SearchTask task = new SearchTask(this, ctx);
        try {
            return task.run(timeout);
        }
        catch (java.util.concurrent.TimeoutException e) {
            SearchTimeoutException te = new SearchTimeoutException("search of collection '" + ctx.meta.name() +
                "' did not complete within " + timeout + " ms; raise the request's timeout or look for slow nodes (" +
                task.pending() + ")");
            task.abort(te);
            java.util.concurrent.CompletableFuture<SearchResult> f = task.result();
            if (f.isCompletedExceptionally())
                throw te;
            return f.join(); // It completed at the same moment.
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.abort(new VecgridException("search of collection '" + ctx.meta.name() + "' interrupted"));
            throw new VecgridException("search of collection '" + ctx.meta.name() + "' interrupted", e);
        }
        catch (java.util.concurrent.ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof VecgridException)
                    throw (VecgridException)t;
            }
            Throwable c = e.getCause();
            throw new VecgridException("search of collection '" + ctx.meta.name() + "' failed: " + c.getMessage(), c);
        }
    }

    /** Checks the request against the collection before anything runs. */
    SearchContext validate(SearchRequest req) {
        if (req == null)
            throw new InvalidRequestException("search request must not be null");
        CollectionMeta meta = MetaStore.serving(req.collection(), catalog.meta(req.collection()));
        CollectionSpec spec = meta.spec();
        float[][] vs = req.vectors();
        if (vs == null || vs.length == 0)
            throw new InvalidRequestException("search needs at least one query vector");
        if (vs.length > cfg.getMaxBatchRows()) {
            throw new InvalidRequestException("search has " + vs.length + " query vectors, at most maxBatchRows=" +
                cfg.getMaxBatchRows() + " are allowed");
        }
        for (int i = 0; i < vs.length; i++)
            RowValidator.checkVector(spec, vs[i], "query vector " + i);
        if (req.topK() < 1 || req.topK() > cfg.getMaxTopK())
            throw new InvalidRequestException("topK must be in [1, " + cfg.getMaxTopK() + "], got " + req.topK());
        if (req.ef() < 0 || req.ef() > IndexSpec.MAX_EF)
            throw new InvalidRequestException("ef must be in [1, " + IndexSpec.MAX_EF + "] (or 0 for the collection's default), got " + req.ef());
        if (req.timeoutMillis() < 0)
            throw new InvalidRequestException("timeoutMillis must be positive (or 0 for the default), got " + req.timeoutMillis());
        if (req.filter() != null && !req.filter().isBlank())
            ScalarFilter.parse(req.filter(), spec.scalarFields());
        for (String f : req.outputFields()) {
            if (!f.equals(spec.pkField()) && !f.equals(spec.vectorField()) && spec.scalarIndex(f) < 0) {
                throw new InvalidRequestException("unknown output field '" + f + "'; collection '" + spec.name() +
                    "' has fields " + spec.pkField() + ", " + spec.vectorField() + ", " + spec.scalarFields());
            }
        }
        long timeout = req.timeoutMillis() > 0 ? req.timeoutMillis() : cfg.getSearchTimeoutMillis();
        return new SearchContext(meta, catalog.target(meta), req, timeout, localNodeId());
    }

    /**
     * The second phase: the output fields of the final hits only, read by primary key (a node answers with keys and
     * distances, so a search moves nq × k × nodes small hits, not fields for every segment's top-k). A hit whose row
     * left between the two phases keeps its key and distance, without fields.
     */
    private SearchResult withOutputFields(SearchContext ctx, SearchResult res) {
        java.util.Set<Long> pks = new java.util.TreeSet<>();
        for (List<io.vecgrid.api.SearchHit> q : res.hits()) {
            for (io.vecgrid.api.SearchHit h : q)
                pks.add(h.pk());
        }
        if (pks.isEmpty())
            return res;
        java.util.Map<Long, io.vecgrid.api.VectorRow> rows = outputs.read(ctx.meta.name(),
            pks.stream().mapToLong(Long::longValue).toArray(), ctx.outputFields);
        boolean withVector = ctx.outputFields.contains(ctx.meta.spec().vectorField());
        List<List<io.vecgrid.api.SearchHit>> hits = new ArrayList<>();
        for (List<io.vecgrid.api.SearchHit> q : res.hits()) {
            List<io.vecgrid.api.SearchHit> out = new ArrayList<>(q.size());
            for (io.vecgrid.api.SearchHit h : q) {
                io.vecgrid.api.VectorRow r = rows.get(h.pk());
                java.util.Map<String, Object> fields = null;
                if (r != null) {
                    fields = new java.util.LinkedHashMap<>();
                    for (String f : ctx.outputFields) {
                        if (r.fields().containsKey(f))
                            fields.put(f, r.fields().get(f));
                    }
                }
                out.add(new io.vecgrid.api.SearchHit(h.pk(), h.distance(), fields, withVector && r != null ? r.vector() : null));
            }
            hits.add(out);
        }
        return new SearchResult(hits, res.partial(), res.missingSegments(), res.diagnostics());
    }

    /** Reads rows by primary key for the output fields of a search's final hits. */
    @FunctionalInterface
    public interface OutputFieldReader {
        /** @return the rows that exist, by primary key, with {@code fields} (the vector if its field is named). */
        java.util.Map<Long, io.vecgrid.api.VectorRow> read(String collection, long[] pks, List<String> fields);
    }

    ReplicaSelector selector() {
        return selector;
    }


    SearchMessages messages() {
        return messages;
    }

    /**
     * @return metadata of collection {@code name} as this node's router knows it (pushed, a moment behind the catalog),
     *      or as the catalog has it if the router has none yet; {@code null} if there is none.
     */
    CollectionMeta knownMeta(String name) {
        return catalog.meta(name);
    }

    /** Routers that sent this node search work lately, by last time (ns); see {@link #recentRouters()}. */
    private final java.util.concurrent.ConcurrentHashMap<UUID, Long> routersSeen = new java.util.concurrent.ConcurrentHashMap<>();

    /** A search job of {@code router} came in. */
    void routedBy(UUID router) {
        if (router != null)
            routersSeen.put(router, System.nanoTime());
    }

    /** @return routers that sent this node search work in the last {@value ReplicaSelector#FRESH_MILLIS} ms (at least 1). */
    int recentRouters() {
        long oldest = System.nanoTime() - ReplicaSelector.FRESH_MILLIS * 1_000_000L;
        routersSeen.values().removeIf(t -> t - oldest < 0);
        return Math.max(1, routersSeen.size());
    }

    /** Starts following the catalog and the collections' targets (the cluster turned active). */
    public void startServing() {
        catalog.start();
    }

    /** Stops following them (the cluster turned inactive). */
    public void stopServing() {
        catalog.stop();
    }

    /** Re-reads the catalog (the node's upkeep, every routing refresh interval: a safety net under the pushes). */
    public void refreshCatalog() {
        catalog.rescan();
    }

    /** @return server nodes (the weight of a search's own planned work in replica choice). */
    int serverCount() {
        return ignite.cluster().forServers().nodes().size();
    }

    /** Starts taking search messages (the node joined; before it reports any segment copy). */
    public void start() {
        messages.start();
    }

    /** Stops the search messages' executor, search messages and the catalog's subscriptions (the node stops). */
    public void stop() {
        messages.stop();
        catalog.close();
        async.shutdownNow();
    }

    RoutingCache routing() {
        return routing;
    }

    VecgridMetrics metrics() {
        return metrics;
    }

    /** @return the collection's current target (re-read, not the one the search started with). */
    CollectionTarget currentTarget(CollectionMeta meta) {
        return metaStore.target(meta.name());
    }

    boolean alive(UUID node) {
        return ignite.cluster().node(node) != null;
    }


    /** @return affinity owners of a segments-cache slot (they may hold a copy not yet reported). */
    List<UUID> slotOwners(CollectionMeta meta, int slot) {
        return ids(ignite.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(slot));
    }

    /** @return affinity owners of a shard's rows partition. */
    List<UUID> shardOwners(CollectionMeta meta, int shard) {
        return ids(ignite.affinity(meta.rowsCache()).mapPartitionToPrimaryAndBackups(shard));
    }

    private static List<UUID> ids(java.util.Collection<ClusterNode> nodes) {
        List<UUID> res = new ArrayList<>();
        for (ClusterNode n : nodes)
            res.add(n.id());
        return res;
    }
}
