package io.vecgrid.config;

import org.apache.ignite.IgniteException;
import org.apache.ignite.plugin.PluginConfiguration;

/**
 * Node-local configuration of the vecgrid plugin, a Spring-friendly bean (see {@code config/default-config.xml}).
 *
 * <p>Every property has a {@code DFLT_*} default. {@link #validate()} checks all rules in one place; the plugin calls
 * it when the node starts, so a bad value fails node start with a message naming the property.
 *
 * <p>All nodes of a cluster should use the same {@link #setSealRows sealRows}, {@link #setMaxTopK maxTopK} and
 * {@link #setMaxBatchRows maxBatchRows}: a collection's shard is sealed by its primary node, and requests are
 * validated by the node that receives them.
 */
public class VecgridConfiguration implements PluginConfiguration {
    /** Default rows per sealed segment. */
    public static final int DFLT_SEAL_ROWS = 8192;
    /** Default search thread pool size: one per core, at least two. */
    public static final int DFLT_SEARCH_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** Default routing-cache refresh interval, ms. */
    public static final long DFLT_ROUTING_REFRESH_MILLIS = 1000;
    /** Default largest topK a search may ask for (Milvus's limit). */
    public static final int DFLT_MAX_TOP_K = 16384;
    /** Default largest number of rows in one insert, upsert, delete or get. */
    public static final int DFLT_MAX_BATCH_ROWS = 10_000;
    /** Default number of affinity slots (partitions) of a collection's segments cache. */
    public static final int DFLT_SEGMENT_SLOTS = 64;
    /** Default interval at which a shard's primary checks whether its growing rows reached the seal threshold, ms. */
    public static final long DFLT_SEAL_CHECK_MILLIS = 200;
    /** Default search timeout when a request does not set one, ms. */
    public static final long DFLT_SEARCH_TIMEOUT_MILLIS = 30_000;
    /** Default test-only delay added before every sealed-segment search on this node, ms: zero (off). */
    public static final long DFLT_TEST_SEARCH_DELAY_MILLIS = 0;

    /** Rows per sealed segment: a shard's primary seals its growing rows once there are this many; flush seals earlier. */
    private int sealRows = DFLT_SEAL_ROWS;

    /** Threads of the dedicated search executor that runs search jobs on this node. */
    private int searchThreads = DFLT_SEARCH_THREADS;

    /** How often the routing cache re-reads the distribution reports, ms (it is also pushed on change and refreshed on error). */
    private long routingRefreshMillis = DFLT_ROUTING_REFRESH_MILLIS;

    /** Largest topK a search may ask for. */
    private int maxTopK = DFLT_MAX_TOP_K;

    /** Largest number of rows (or primary keys) in one write or get request. */
    private int maxBatchRows = DFLT_MAX_BATCH_ROWS;

    /** Affinity slots (partitions) of each collection's segments cache; sealed segments are spread over them. */
    private int segmentSlots = DFLT_SEGMENT_SLOTS;

    /** How often shard primaries look at their growing rows to seal them, ms. */
    private long sealCheckMillis = DFLT_SEAL_CHECK_MILLIS;

    /** Timeout of a search whose request sets none, ms. */
    private long searchTimeoutMillis = DFLT_SEARCH_TIMEOUT_MILLIS;

    /** Test-only fault injection: delay before each sealed-segment search on this node, ms. Keep 0 in production. */
    private long testSearchDelayMillis = DFLT_TEST_SEARCH_DELAY_MILLIS;

    /**
     * Checks every rule.
     *
     * @throws IgniteException naming the first property that breaks a rule, its value and the allowed range.
     */
    public void validate() {
        check("sealRows", sealRows, 1, 10_000_000);
        check("searchThreads", searchThreads, 1, 1024);
        check("routingRefreshMillis", routingRefreshMillis, 10, 3_600_000);
        check("maxTopK", maxTopK, 1, 1_000_000);
        check("maxBatchRows", maxBatchRows, 1, 10_000_000);
        check("segmentSlots", segmentSlots, 1, 65_536);
        check("sealCheckMillis", sealCheckMillis, 10, 3_600_000);
        check("searchTimeoutMillis", searchTimeoutMillis, 1, 86_400_000);
        check("testSearchDelayMillis", testSearchDelayMillis, 0, 600_000);
    }

    private static void check(String prop, long val, long min, long max) {
        if (val < min || val > max)
            throw new IgniteException("vecgrid configuration: " + prop + " must be in [" + min + ", " + max + "], got " + val);
    }

    public int getSealRows() {
        return sealRows;
    }

    public VecgridConfiguration setSealRows(int sealRows) {
        this.sealRows = sealRows;
        return this;
    }

    public int getSearchThreads() {
        return searchThreads;
    }

    public VecgridConfiguration setSearchThreads(int searchThreads) {
        this.searchThreads = searchThreads;
        return this;
    }

    public long getRoutingRefreshMillis() {
        return routingRefreshMillis;
    }

    public VecgridConfiguration setRoutingRefreshMillis(long routingRefreshMillis) {
        this.routingRefreshMillis = routingRefreshMillis;
        return this;
    }

    public int getMaxTopK() {
        return maxTopK;
    }

    public VecgridConfiguration setMaxTopK(int maxTopK) {
        this.maxTopK = maxTopK;
        return this;
    }

    public int getMaxBatchRows() {
        return maxBatchRows;
    }

    public VecgridConfiguration setMaxBatchRows(int maxBatchRows) {
        this.maxBatchRows = maxBatchRows;
        return this;
    }

    public int getSegmentSlots() {
        return segmentSlots;
    }

    public VecgridConfiguration setSegmentSlots(int segmentSlots) {
        this.segmentSlots = segmentSlots;
        return this;
    }

    public long getSealCheckMillis() {
        return sealCheckMillis;
    }

    public VecgridConfiguration setSealCheckMillis(long sealCheckMillis) {
        this.sealCheckMillis = sealCheckMillis;
        return this;
    }

    public long getSearchTimeoutMillis() {
        return searchTimeoutMillis;
    }

    public VecgridConfiguration setSearchTimeoutMillis(long searchTimeoutMillis) {
        this.searchTimeoutMillis = searchTimeoutMillis;
        return this;
    }

    public long getTestSearchDelayMillis() {
        return testSearchDelayMillis;
    }

    public VecgridConfiguration setTestSearchDelayMillis(long testSearchDelayMillis) {
        this.testSearchDelayMillis = testSearchDelayMillis;
        return this;
    }
}
