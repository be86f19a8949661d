package io.vecgrid.collection;

import org.apache.ignite.plugin.security.SecurityPermission;

/**
 * Keeps vecgrid's caches written by vecgrid only. A collection's rows, locations, segments, delete marks and state,
 * and the collection catalog, are written only by vecgrid's own code: the write path (validation, versions, delete
 * marks of sealed segments, growing-row bookkeeping, acknowledgement), seals and merges, replica changes, collection
 * creation and restore. Each of those marks its thread with {@link #internal()} for the span of its cache writes. A
 * write to one of these caches from a thread without that mark (a cache put, remove or invoke from a user's thick
 * client or server node, a thin client's cache put, a data streamer with or without {@code allowOverwrite}, an Ignite
 * SQL statement that vecgrid did not carry out) is refused before it is applied, with a
 * {@link CacheWriteRefusedException} that names the collection and says what to use.
 *
 * <p>The check runs in Ignite's security hook, {@code GridSecurityProcessor.authorize(cacheName, CACHE_PUT or
 * CACHE_REMOVE)}, which vecgrid's plugin installs on a cluster with authentication
 * ({@code io.vecgrid.plugin.VecgridSecurity}; without authentication there is no security processor and no check,
 * see there why). Ignite 2.17 calls it,
 * in the thread of the caller, before anything is written:
 * <ul>
 *   <li>transactional cache updates: {@code GridNearTxLocal.beforePut} (put, putAll, putIfAbsent, replace, invoke) and
 *   {@code GridNearTxLocal.removeAllAsync0} (remove, removeAll), on the node the call is made on; a refused implicit
 *   transaction is rolled back ({@code GridCacheAdapter.syncOp});</li>
 *   <li>the data streamer: {@code DataStreamerImpl.addDataInternal} (every {@code addData}/{@code removeData}, whatever
 *   the receiver, so also the isolated updater that {@code allowOverwrite(false)} uses and that skips cache
 *   interceptors), and again on the receiving node in {@code DataStreamerUpdateJob.call}; the thin client's streamer
 *   ({@code ClientDataStreamerStartRequest}) and SQL {@code COPY} use the same {@code DataStreamerImpl};</li>
 *   <li>{@code clear} and {@code localClear} ({@code GridCacheAdapter.clearLocally}).</li>
 * </ul>
 * The cache interceptors ({@code RowsInterceptor}, {@code LocsInterceptor}) run only inside the commit of a
 * transactional cache, where an exception is a heuristic failure, so they can drop a foreign write but not refuse it;
 * a cache store runs at commit too. The security hook is the only one of 2.17 that runs first and whose exception
 * reaches the caller.
 *
 * <p>Reads are never checked. The mark is per thread and vecgrid's writes are synchronous calls in the marked thread
 * (the check runs in that thread before Ignite hands anything to other threads), so no other thread inherits it. It
 * guards against writes made by mistake around vecgrid, not against code running inside a node on purpose: such code
 * can call {@link #internal()} too.
 */
public final class CacheWriteGuard {
    private static final String[] DATA_PREFIXES = {
        "vecgrid_rows_", "vecgrid_locs_", "vecgrid_segments_", "vecgrid_deletes_", CollectionMeta.STATE_CACHE_PREFIX};

    /** Depth of nested {@link #internal()} scopes of this thread. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** Ends the scope opened by {@link #internal()}. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    private static final Scope CLOSE = () -> DEPTH.get()[0]--;

    private CacheWriteGuard() {
    }

    /**
     * Marks this thread's cache writes, until the scope is closed, as vecgrid's own. Use in try-with-resources around
     * the code that writes (scopes nest).
     */
    public static Scope internal() {
        DEPTH.get()[0]++;
        return CLOSE;
    }

    /** @return whether this thread is inside an {@link #internal()} scope. */
    public static boolean isInternal() {
        return DEPTH.get()[0] > 0;
    }

    /**
     * @throws CacheWriteRefusedException if {@code perm} writes ({@code CACHE_PUT}, {@code CACHE_REMOVE})
     *      {@code cacheName}, one of vecgrid's caches, outside an {@link #internal()} scope.
     */
    public static void check(String cacheName, SecurityPermission perm) {
        if ((perm != SecurityPermission.CACHE_PUT && perm != SecurityPermission.CACHE_REMOVE) || cacheName == null)
            return;
        String what = describe(cacheName);
        if (what == null || isInternal())
            return;
        boolean catalog = cacheName.equals(MetaStore.COLLECTIONS_CACHE);
        throw new CacheWriteRefusedException("Write to cache " + cacheName + " refused: it holds " + what + ", which " +
            "vecgrid writes only through its own code (validation, versions, delete marks of sealed segments, " +
            "acknowledgement). A direct cache " + (perm == SecurityPermission.CACHE_PUT ? "put" : "remove") +
            ", invoke, data streamer or SQL COPY would go around it" + (catalog ? "" : " and leave the collection's " +
            "table, get and search disagreeing") + ", so nothing was written. " + (catalog ?
            "Use VectorGrid.createCollection and dropCollection (or VECGRID_CREATE_COLLECTION and " +
            "VECGRID_DROP_COLLECTION in SQL, or the CLI)" :
            "Use VectorGrid.insert, upsert and delete (Java API or VecgridClient), SQL INSERT, MERGE, UPDATE and " +
            "DELETE on the collection's table, or the CLI's import (scripts/vecgrid import)"));
    }

    /**
     * @return what {@code cacheName} holds if it is one of vecgrid's guarded caches ("collection 'docs'", "vecgrid's
     *      collection catalog"), else {@code null}.
     */
    static String describe(String cacheName) {
        if (cacheName.equals(MetaStore.COLLECTIONS_CACHE))
            return "vecgrid's collection catalog";
        if (!cacheName.startsWith("vecgrid_"))
            return null;
        for (String p : DATA_PREFIXES) {
            if (cacheName.startsWith(p)) {
                // <prefix><collection>_<id>: the id (8 hex digits) has no '_', a collection name may.
                int end = cacheName.lastIndexOf('_');
                return end > p.length() ? "collection '" + cacheName.substring(p.length(), end) + "'" :
                    "a vecgrid collection";
            }
        }
        return null;
    }
}
