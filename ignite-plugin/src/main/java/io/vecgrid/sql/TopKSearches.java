package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.SearchTimeoutException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.shard.RowKey;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.internal.cluster.ClusterTopologyCheckedException;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.metric.MetricRegistry;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes one SQL top-k statement cost one router search, however many nodes and function calls it fans out to.
 *
 * <p>A top-k statement calls the {@code TOPK_*} functions many times: once per node that runs a part of it (H2's map
 * phase runs on every server node; Calcite broadcasts the position range), and under the per-position form once per
 * position and function. Every call names the same search by its arguments ({@link TopKKey}). So:
 * <ol>
 *   <li>Each key has one <b>owner</b> among the server nodes, chosen by rendezvous hashing of the key over the
 *   current server topology: every node computes the same owner without talking to the others.</li>
 *   <li>The owner runs the router search ({@code Vecgrid.search}) once and keeps the result, with the time the search
 *   began. A call on another node asks the owner (one compute call per node and statement,
 *   {@link TopKOwnerJob}) and keeps the answer locally too.</li>
 *   <li>A call joins an existing search (running or done) only while that search began at most the share window
 *   ago ({@value #DFLT_SHARE_MILLIS} ms; system property {@value #SHARE_MILLIS_PROPERTY}); later calls start a new
 *   search. The window covers the spread of one statement's calls over its nodes; it is also the bound on
 *   staleness: two statements with equal arguments that begin within the window of one another may share a search,
 *   so the later one can miss a write acknowledged in between. Anything older is searched afresh (STRONG).</li>
 *   <li>A failed search is shared the same way, so every node of a statement reports the same error.</li>
 *   <li>If the owner leaves while a call waits, the caller searches locally instead (a second search, never a
 *   lost statement).</li>
 * </ol>
 *
 * <p>One instance per node, in the node-local map. Thread-safe. The counters are exposed in the {@code vecgrid.sql}
 * metric registry ({@code SYS.METRICS}: {@code custom.vecgrid.sql.TopKSearches}, {@code ...TopKSharedAnswers},
 * {@code ...TopKRemoteFetches}).
 */
final class TopKSearches {
    /** System property: the share window, ms. */
    static final String SHARE_MILLIS_PROPERTY = "vecgrid.sql.topkShareMillis";
    /** Default share window, ms. */
    static final long DFLT_SHARE_MILLIS = 1000;
    /** Metric registry of the SQL layer. */
    static final String METRICS = "vecgrid.sql";

    private static final String NODE_LOCAL_KEY = TopKSearches.class.getName();
    /** Entries kept before expired ones are purged. */
    private static final int PURGE_THRESHOLD = 256;
    /** How long a caller waits beyond the search timeout (the owner may be slow to answer). */
    private static final long WAIT_MARGIN_MILLIS = 10_000;
    private static final int THREADS = 4;

    private final Ignite ignite;
    private final IgniteLogger log;
    private final long shareNanos;
    private final ConcurrentHashMap<TopKKey, Shared> shared = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor executor;
    private final LongAdder searches = new LongAdder();
    private final LongAdder sharedAnswers = new LongAdder();
    private final LongAdder remoteFetches = new LongAdder();

    private TopKSearches(Ignite ignite) {
        this.ignite = ignite;
        this.log = ignite.log().getLogger(TopKSearches.class);
        this.shareNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong(SHARE_MILLIS_PROPERTY, DFLT_SHARE_MILLIS));
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "vecgrid-sql-topk-" + ignite.name());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /** @return this node's instance (created on first use, dropped with the node). */
    static TopKSearches of(Ignite ignite) {
        ConcurrentMap<Object, Object> local = ignite.cluster().nodeLocalMap();
        Object cur = local.get(NODE_LOCAL_KEY);
        if (cur == null) {
            TopKSearches created = new TopKSearches(ignite);
            cur = local.putIfAbsent(NODE_LOCAL_KEY, created);
            if (cur == null) {
                created.registerMetrics();
                cur = created;
            }
            else
                created.executor.shutdown();
        }
        return (TopKSearches)cur;
    }

    private void registerMetrics() {
        MetricRegistry reg = ignite.metrics().getOrCreate(METRICS);
        reg.register("TopKSearches", searches::sum, "Router searches this node ran for SQL top-k statements.");
        reg.register("TopKSharedAnswers", sharedAnswers::sum,
            "TOPK_* calls on this node answered by a search already running or done.");
        reg.register("TopKRemoteFetches", remoteFetches::sum,
            "Searches this node fetched from the owner node of their arguments.");
    }

    /**
     * @return the hits for {@code key}: from a search that began within the share window, or a new one.
     * @throws VecgridException the search's error (the same on every node of the statement).
     */
    TopKResult get(TopKKey key) {
        long now = System.nanoTime();
        Shared cur = shared.get(key);
        if (cur == null || !fresh(cur, now)) {
            ClusterNode owner = owner(key);
            Shared mine = new Shared(now, owner == null || owner.isLocal());
            cur = shared.compute(key, (k, old) -> old != null && fresh(old, now) ? old : mine);
            if (cur == mine) {
                purgeIfLarge(now);
                if (mine.localSearch)
                    runLocally(key, mine);
                else
                    fetch(key, mine, owner);
            }
            else
                sharedAnswers.increment();
        }
        else
            sharedAnswers.increment();
        return await(cur, key);
    }

    /**
     * Serves a call from another node: joins this node's search of {@code key} or starts one, never forwarding (so
     * nodes that disagree on the owner during a topology change cannot wait on each other).
     *
     * @return the result, stamped with its age when it completes.
     */
    CompletableFuture<TopKResult> serveAsOwner(TopKKey key) {
        long now = System.nanoTime();
        Shared mine = new Shared(now, true);
        Shared cur = shared.compute(key, (k, old) -> old != null && old.localSearch && fresh(old, now) ? old : mine);
        if (cur == mine) {
            purgeIfLarge(now);
            runLocally(key, mine);
        }
        else
            sharedAnswers.increment();
        Shared s = cur;
        return s.future.thenApply(r -> r.withAge(System.nanoTime() - s.startNanos));
    }

    private boolean fresh(Shared s, long now) {
        return now - s.startNanos <= shareNanos;
    }

    /** Gets the result of {@code s} from the key's owner, another node. */
    private void fetch(TopKKey key, Shared s, ClusterNode owner) {
        remoteFetches.increment();
        IgniteFuture<TopKResult> f;
        try {
            f = ignite.compute(ignite.cluster().forNode(owner)).callAsync(new TopKOwnerJob(key));
        }
        catch (RuntimeException e) {
            onRemoteFailure(key, s, owner, e);
            return;
        }
        f.listen(done -> {
            try {
                TopKResult r = done.get();
                s.startNanos = System.nanoTime() - r.ageNanos;
                s.future.complete(r);
            }
            catch (RuntimeException e) {
                onRemoteFailure(key, s, owner, e);
            }
        });
    }

    private void onRemoteFailure(TopKKey key, Shared s, ClusterNode owner, RuntimeException e) {
        if (isTopologyFailure(e)) {
            log.info("Owner node " + owner.id() + " of a SQL top-k search left; searching locally [" + key + "]");
            s.localSearch = true;
            runLocally(key, s);
        }
        else
            s.future.completeExceptionally(vecgridError(key, e));
    }

    private void runLocally(TopKKey key, Shared s) {
        searches.increment();
        try {
            executor.execute(() -> {
                try {
                    s.future.complete(search(key));
                }
                catch (Throwable t) {
                    s.future.completeExceptionally(vecgridError(key, t));
                }
            });
        }
        catch (RejectedExecutionException e) {
            s.future.completeExceptionally(new VecgridException("SQL top-k executor of node " + ignite.name() +
                " is stopped"));
        }
    }

    /** Runs the router search: the one search a statement costs. */
    private TopKResult search(TopKKey key) {
        Vecgrid vg = Vecgrid.local(ignite);
        float[] vector = VectorLiteral.parse(key.vector);
        SearchRequest req = SearchRequest.builder(key.collection, new float[][] {vector}, key.k)
            .filter(key.filter).ef(key.ef).build();
        SearchResult res = vg.search(req);
        CollectionMeta meta = vg.metaStore().meta(key.collection);
        if (meta == null)
            throw new CollectionNotFoundException(key.collection);
        int shards = meta.spec().shards();
        List<SearchHit> hits = res.hits(0);
        long[] ids = new long[hits.size()];
        float[] dists = new float[hits.size()];
        int[] shardOf = new int[hits.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = hits.get(i).pk();
            dists[i] = (float)SqlDistances.ofScore(meta.spec().metric(), hits.get(i).distance());
            shardOf[i] = RowKey.shardOf(ids[i], shards);
        }
        return new TopKResult(ids, dists, shardOf, 0);
    }

    private TopKResult await(Shared s, TopKKey key) {
        long waitMillis = Vecgrid.local(ignite).configuration().getSearchTimeoutMillis() + WAIT_MARGIN_MILLIS;
        try {
            return s.future.get(waitMillis, TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            throw vecgridError(key, e.getCause());
        }
        catch (TimeoutException e) {
            throw new SearchTimeoutException("SQL top-k search of collection '" + key.collection + "' did not answer " +
                "within " + waitMillis + " ms");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecgridException("interrupted while waiting for a top-k search of collection '" +
                key.collection + "'", e);
        }
    }

    /** @return the server node that runs the searches of {@code key}, or {@code null} if there is none. */
    ClusterNode owner(TopKKey key) {
        ClusterNode best = null;
        long bestScore = 0;
        for (ClusterNode n : ignite.cluster().forServers().nodes()) {
            long score = score(key.hashCode(), n.id());
            if (best == null || score > bestScore || (score == bestScore && n.id().compareTo(best.id()) < 0)) {
                best = n;
                bestScore = score;
            }
        }
        return best;
    }

    /** Rendezvous weight of a key on a node: a 64-bit mix of both. */
    private static long score(int keyHash, UUID node) {
        long h = keyHash * 0x9E3779B97F4A7C15L ^ node.getMostSignificantBits() ^ Long.rotateLeft(node.getLeastSignificantBits(), 31);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    private void purgeIfLarge(long now) {
        if (shared.size() <= PURGE_THRESHOLD)
            return;
        shared.entrySet().removeIf(e -> e.getValue().future.isDone() && !fresh(e.getValue(), now));
    }

    private static boolean isTopologyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClusterTopologyException || t instanceof ClusterTopologyCheckedException)
                return true;
        }
        return false;
    }

    /** @return {@code t} as the vecgrid error it carries, or wrapped into one naming the collection. */
    static VecgridException vecgridError(TopKKey key, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof VecgridException)
                return (VecgridException)c;
        }
        return new VecgridException("SQL top-k search of collection '" + key.collection + "' failed: " + t, t);
    }

    /** A search shared by the calls of its window. */
    private static final class Shared {
        final CompletableFuture<TopKResult> future = new CompletableFuture<>();
        /** When the search began (this node's clock; estimated from the owner's answer for a fetched one). */
        volatile long startNanos;
        /** Whether this node runs the search itself (as opposed to fetching it from the owner). */
        volatile boolean localSearch;

        Shared(long startNanos, boolean localSearch) {
            this.startNanos = startNanos;
            this.localSearch = localSearch;
        }
    }
}
