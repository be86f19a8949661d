package io.vecgrid.config;

import org.apache.ignite.IgniteException;
import org.apache.ignite.plugin.PluginConfiguration;

/**
 * Node-local configuration of the vecgrid plugin, a Spring-friendly bean (see {@code config/default-config.xml}).
 *
 * <p>Every property has a {@code DFLT_*} default. {@link #validate()} checks all rules in one place; the plugin calls
 * it when the node starts, so a bad value fails node start with a message naming the property.
 *
 * <p>All nodes of a cluster must use the same {@link #setSealRows sealRows}, {@link #setMaxTopK maxTopK},
 * {@link #setMaxBatchRows maxBatchRows} and the other settings {@link io.vecgrid.plugin.ClusterSettings} lists: a
 * collection's shard is sealed by its primary node, and requests are validated by the node that receives them. A node
 * whose settings differ is refused at join with a message naming the setting.
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
    public static final int DFLT_SEGMENT_SLOTS = 256;

    /** Default number of partitions of a collection's locations cache (one small entry per live row). */
    public static final int DFLT_ROW_PARTITIONS = 256;

    /** Default size a shard's segments are merged up to: 512 MiB (see docs/architecture.md for why). */
    public static final long DFLT_SEGMENT_MAX_BYTES = 512L << 20;

    /** Default size of one entry of the segments cache holding part of a segment: 4 MiB. */
    public static final int DFLT_SEGMENT_CHUNK_BYTES = 4 << 20;

    /** Default: keep segment chunks after every owner loaded them (required with persistence). */
    public static final boolean DFLT_KEEP_LOADED_SEGMENT_CHUNKS = true;

    /** Default hard cap of growing rows per shard: 0, meaning 8 times sealRows but at least 65,536. */
    public static final int DFLT_MAX_GROWING_ROWS_PER_SHARD = 0;

    /** Default data region of the segments caches: page memory of its own, so it can be smaller than the data. */
    public static final String DFLT_SEGMENTS_DATA_REGION = "vecgrid-segments";
    /** Default interval at which a shard's primary checks whether its growing rows reached the seal threshold, ms. */
    public static final long DFLT_SEAL_CHECK_MILLIS = 200;
    /** Default search timeout when a request does not set one, ms. */
    public static final long DFLT_SEARCH_TIMEOUT_MILLIS = 30_000;
    /** Default share of sealRows below which a segment counts as small (two small segments of a shard are merged). */
    public static final double DFLT_SMALL_SEGMENT_RATIO = 0.25;
    /** Default share of deleted rows past which a segment is rewritten without them. */
    public static final double DFLT_DELETED_RATIO = 0.3;
    /** Default imbalance (of the group mean) between a group's most and least loaded nodes that triggers a move. */
    public static final double DFLT_BALANCE_TOLERANCE = 0.25;

    /** Default time replaced segments stay loaded after a compaction or re-slot, for searches already planned, ms. */
    public static final long DFLT_REPLACED_SEGMENT_GRACE_MILLIS = 2_000;

    /** Default number of server nodes a new persistent cluster waits for before it activates itself. */
    public static final int DFLT_EXPECTED_SERVER_NODES = 1;

    /** Default quiet time after a server joins an active persistent cluster before it enters the baseline, ms. */
    public static final long DFLT_BASELINE_JOIN_DELAY_MILLIS = 1_000;

    /** Default time an offline baseline node may stay away before it is removed from the baseline, ms. */
    public static final long DFLT_BASELINE_LEAVE_TIMEOUT_MILLIS = 60_000;

    /** Default free disk space below which a persistent node refuses new writes, bytes: 1 GiB. */
    public static final long DFLT_MIN_FREE_DISK_BYTES = 1L << 30;

    /** Default least deadline of a search job before its work is hedged on other copies, ms. */
    public static final long DFLT_SEARCH_DEADLINE_FLOOR_MILLIS = 100;

    /** Default longest wait of a graceful stop for the node's work to drain and its copies to exist elsewhere, ms. */
    public static final long DFLT_DRAIN_TIMEOUT_MILLIS = 30_000;

    /** Default first port of the node's HTTP page (metrics, status): 8095. */
    public static final int DFLT_HTTP_PORT = 8095;

    /** Default number of ports tried from httpPort: 10 (8095..8104), so several nodes of one machine each get one. */
    public static final int DFLT_HTTP_PORT_RANGE = 10;

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

    /**
     * Partitions of each collection's locations cache (fixed per collection at creation): a row's location entry is
     * placed by a hash of its primary key, so a collection's rows spread over up to this many nodes per replica group.
     */
    private int rowPartitions = DFLT_ROW_PARTITIONS;

    /**
     * Compaction merges a shard's sealed segments into segments of up to this many encoded bytes (vectors, keys,
     * scalars and index): fewer, larger segments make a search cheaper, since each costs one index search.
     */
    private long segmentMaxBytes = DFLT_SEGMENT_MAX_BYTES;

    /** Bytes per entry of the segments cache: a segment is stored as ceil(size / this) chunks with the same slot. */
    private int segmentChunkBytes = DFLT_SEGMENT_CHUNK_BYTES;

    /**
     * Growing rows a shard may hold: writers to a shard past half of it are slowed down while its rows are sealed, and
     * refused past it ("ingest faster than sealing, retry"). 0 means 8 times sealRows, but at least 65,536.
     */
    private int maxGrowingRowsPerShard = DFLT_MAX_GROWING_ROWS_PER_SHARD;

    /**
     * Data region of the segments caches. With native persistence its page memory is a cache over the segment files
     * on disk and can be small, since every node holds the segments it serves loaded anyway. When the node has no
     * region of that name, the default region is used.
     */
    private String segmentsDataRegion = DFLT_SEGMENTS_DATA_REGION;

    /**
     * Whether a sealed segment's chunks stay in the segments cache after every owner of its slot has loaded it. Only
     * a cluster without persistence may set {@code false}: its chunks are then a second in-memory copy of what the
     * loaded copies hold, so the slot's primary drops them but a small header, and a copy loaded later (a new owner,
     * a merge or move reading its source) reads the image from a node holding a loaded copy. With persistence the
     * chunks are what a restarted node loads from, and a node refuses to start with {@code false}. Set it the same on
     * every server node.
     */
    private boolean keepLoadedSegmentChunks = DFLT_KEEP_LOADED_SEGMENT_CHUNKS;

    /** How often shard primaries look at their growing rows to seal them, ms. */
    private long sealCheckMillis = DFLT_SEAL_CHECK_MILLIS;

    /** Timeout of a search whose request sets none, ms. */
    private long searchTimeoutMillis = DFLT_SEARCH_TIMEOUT_MILLIS;

    /** Compaction: a segment with fewer live rows than this share of sealRows is small; 0 disables merging. */
    private double smallSegmentRatio = DFLT_SMALL_SEGMENT_RATIO;

    /** Compaction: a segment with a larger share of deleted rows is rewritten; 1 disables rewriting. */
    private double deletedRatio = DFLT_DELETED_RATIO;

    /** Balancer: tolerated gap between the most and least loaded node of a replica group, as a share of the group mean. */
    private double balanceTolerance = DFLT_BALANCE_TOLERANCE;

    /**
     * How long a segment replaced by compaction or re-slotting stays loaded, ms, so that searches planned just before
     * still find it (a later search finds it gone from the target and searches its replacement instead).
     */
    private long replacedSegmentGraceMillis = DFLT_REPLACED_SEGMENT_GRACE_MILLIS;

    /**
     * Persistent clusters only: a cluster that has never been active (no baseline yet) activates itself once this
     * many server nodes have joined, and its first baseline is those nodes. After that, a cluster whose baseline
     * nodes are all back after a full restart activates itself (Ignite's own rule), whatever this says.
     */
    private int expectedServerNodes = DFLT_EXPECTED_SERVER_NODES;

    /**
     * Persistent clusters only: a server that joins an active cluster enters the baseline (and starts holding data)
     * once no other server has joined for this long, ms; several nodes started together enter in one change.
     */
    private long baselineJoinDelayMillis = DFLT_BASELINE_JOIN_DELAY_MILLIS;

    /**
     * Persistent clusters only: a baseline node that has been offline this long, ms, is removed from the baseline,
     * so that its data is copied again onto the remaining nodes; a node that comes back sooner rejoins with its own
     * data and catches up only what it missed. 0 keeps offline nodes in the baseline until an operator removes them.
     * Never done while some partition has no online copy (removing the node would lose its data for good).
     */
    private long baselineLeaveTimeoutMillis = DFLT_BASELINE_LEAVE_TIMEOUT_MILLIS;

    /**
     * Persistent clusters only: writes (and baseline changes) need a majority of the baseline nodes online in the part
     * of the cluster that takes them (exactly half counts when it includes the baseline node whose consistent id sorts
     * first), so that a part cut off from the rest by a network split never acknowledges writes the rest does not see.
     * Off: any surviving part takes writes (a two-node cluster that loses either node keeps taking them) at the risk of
     * losing what a cut-off part acknowledged. Searches are served either way. Must be the same on every node.
     */
    private boolean writeQuorum = true;

    /**
     * Persistent nodes only: when a node's data directories (page files, WAL, WAL archive) have less free disk space
     * than this, bytes, inserts and upserts are refused with a clear error naming the node and directory, and the
     * node seals nothing new, until space is freed (deletes still go through). Ignite itself stops a node whose disk
     * fills up during a write or a checkpoint; this keeps a margin for checkpoints and WAL archiving. 0 disables.
     */
    private long minFreeDiskBytes = DFLT_MIN_FREE_DISK_BYTES;

    /**
     * A search job that has not answered after three times its node's recent 95th-percentile response time (as this
     * router measured it), and at least this long, ms, has its work sent to other copies as well (hedging): a node
     * that stalls without leaving costs a search about this much, not the search timeout.
     */
    private long searchDeadlineFloorMillis = DFLT_SEARCH_DEADLINE_FLOOR_MILLIS;

    /**
     * A graceful stop ({@code Ignition.stop(name, false)}, or SIGTERM to a node started by {@code scripts/start-node.sh})
     * first drains the node: it refuses new thin-client operations with a "resend" error, tells routers to send it no
     * more search work, and waits at most this long, ms, for the operations and search jobs it runs to finish and for
     * every segment copy it serves (replica number 2 or more) to be serviceable on another node. 0 skips the drain.
     */
    private long drainTimeoutMillis = DFLT_DRAIN_TIMEOUT_MILLIS;

    /**
     * How a router chooses among the copies of a segment: {@code "adaptive"} (the default: the cost formula described
     * in docs/architecture.md, Search) or {@code "round-robin"} (copies in turn, blind to load; for comparison in
     * benchmarks).
     */
    private String replicaChoice = "adaptive";

    /**
     * First port of the node's HTTP page: Prometheus metrics at {@code /metrics}, the status page at {@code /}. The node
     * takes the first free port of httpPort..httpPort+httpPortRange-1 and logs its URL; none free fails the start. 0 or
     * -1 turns the page off.
     */
    private int httpPort = DFLT_HTTP_PORT;

    /** Number of ports tried from httpPort (1: exactly httpPort). */
    private int httpPortRange = DFLT_HTTP_PORT_RANGE;

    /** Address the HTTP page binds to; {@code null} or empty: every interface. */
    private String httpHost;

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
        check("rowPartitions", rowPartitions, 1, 65_536);
        check("segmentMaxBytes", segmentMaxBytes, 1L << 20, 1L << 30);
        check("segmentChunkBytes", segmentChunkBytes, 64 << 10, 64 << 20);
        check("maxGrowingRowsPerShard", maxGrowingRowsPerShard, 0, 100_000_000);
        if (maxGrowingRowsPerShard > 0 && maxGrowingRowsPerShard < sealRows)
            throw new IgniteException("vecgrid configuration: maxGrowingRowsPerShard must be 0 or at least sealRows (" +
                sealRows + "), got " + maxGrowingRowsPerShard);
        check("sealCheckMillis", sealCheckMillis, 10, 3_600_000);
        check("searchTimeoutMillis", searchTimeoutMillis, 1, 86_400_000);
        check("testSearchDelayMillis", testSearchDelayMillis, 0, 600_000);
        check("replacedSegmentGraceMillis", replacedSegmentGraceMillis, 0, 3_600_000);
        check("smallSegmentRatio", smallSegmentRatio, 0, 1);
        check("deletedRatio", deletedRatio, 0.01, 1);
        check("balanceTolerance", balanceTolerance, 0.01, 100);
        check("expectedServerNodes", expectedServerNodes, 1, 100_000);
        check("baselineJoinDelayMillis", baselineJoinDelayMillis, 0, 3_600_000);
        check("baselineLeaveTimeoutMillis", baselineLeaveTimeoutMillis, 0, 30L * 86_400_000);
        check("minFreeDiskBytes", minFreeDiskBytes, 0, 1L << 50);
        check("searchDeadlineFloorMillis", searchDeadlineFloorMillis, 1, 3_600_000);
        check("drainTimeoutMillis", drainTimeoutMillis, 0, 3_600_000);
        check("httpPort", httpPort, -1, 65_535);
        check("httpPortRange", httpPortRange, 1, 1_000);
        if (httpPort > 0 && httpPort + httpPortRange - 1 > 65_535)
            throw new IgniteException("vecgrid configuration: httpPort + httpPortRange - 1 must be at most 65535, got " +
                httpPort + " + " + httpPortRange + " - 1");
        if (!"adaptive".equals(replicaChoice) && !"round-robin".equals(replicaChoice))
            throw new IgniteException("vecgrid configuration: replicaChoice must be 'adaptive' or 'round-robin', got '" +
                replicaChoice + "'");
    }

    private static void check(String prop, double val, double min, double max) {
        if (!(val >= min && val <= max))
            throw new IgniteException("vecgrid configuration: " + prop + " must be in [" + min + ", " + max + "], got " + val);
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

    public long getReplacedSegmentGraceMillis() {
        return replacedSegmentGraceMillis;
    }

    public VecgridConfiguration setReplacedSegmentGraceMillis(long replacedSegmentGraceMillis) {
        this.replacedSegmentGraceMillis = replacedSegmentGraceMillis;
        return this;
    }

    public double getSmallSegmentRatio() {
        return smallSegmentRatio;
    }

    public VecgridConfiguration setSmallSegmentRatio(double smallSegmentRatio) {
        this.smallSegmentRatio = smallSegmentRatio;
        return this;
    }

    public double getDeletedRatio() {
        return deletedRatio;
    }

    public VecgridConfiguration setDeletedRatio(double deletedRatio) {
        this.deletedRatio = deletedRatio;
        return this;
    }

    public double getBalanceTolerance() {
        return balanceTolerance;
    }

    public VecgridConfiguration setBalanceTolerance(double balanceTolerance) {
        this.balanceTolerance = balanceTolerance;
        return this;
    }

    public long getTestSearchDelayMillis() {
        return testSearchDelayMillis;
    }

    public VecgridConfiguration setTestSearchDelayMillis(long testSearchDelayMillis) {
        this.testSearchDelayMillis = testSearchDelayMillis;
        return this;
    }

    public int getExpectedServerNodes() {
        return expectedServerNodes;
    }

    public VecgridConfiguration setExpectedServerNodes(int expectedServerNodes) {
        this.expectedServerNodes = expectedServerNodes;
        return this;
    }

    public long getBaselineJoinDelayMillis() {
        return baselineJoinDelayMillis;
    }

    public VecgridConfiguration setBaselineJoinDelayMillis(long baselineJoinDelayMillis) {
        this.baselineJoinDelayMillis = baselineJoinDelayMillis;
        return this;
    }

    public long getBaselineLeaveTimeoutMillis() {
        return baselineLeaveTimeoutMillis;
    }

    public VecgridConfiguration setBaselineLeaveTimeoutMillis(long baselineLeaveTimeoutMillis) {
        this.baselineLeaveTimeoutMillis = baselineLeaveTimeoutMillis;
        return this;
    }

    public boolean isWriteQuorum() {
        return writeQuorum;
    }

    public VecgridConfiguration setWriteQuorum(boolean writeQuorum) {
        this.writeQuorum = writeQuorum;
        return this;
    }

    public long getMinFreeDiskBytes() {
        return minFreeDiskBytes;
    }

    public VecgridConfiguration setMinFreeDiskBytes(long minFreeDiskBytes) {
        this.minFreeDiskBytes = minFreeDiskBytes;
        return this;
    }

    public int getRowPartitions() {
        return rowPartitions;
    }

    public VecgridConfiguration setRowPartitions(int rowPartitions) {
        this.rowPartitions = rowPartitions;
        return this;
    }

    public long getSegmentMaxBytes() {
        return segmentMaxBytes;
    }

    public VecgridConfiguration setSegmentMaxBytes(long segmentMaxBytes) {
        this.segmentMaxBytes = segmentMaxBytes;
        return this;
    }

    public int getSegmentChunkBytes() {
        return segmentChunkBytes;
    }

    public VecgridConfiguration setSegmentChunkBytes(int segmentChunkBytes) {
        this.segmentChunkBytes = segmentChunkBytes;
        return this;
    }

    public int getMaxGrowingRowsPerShard() {
        return maxGrowingRowsPerShard;
    }

    public VecgridConfiguration setMaxGrowingRowsPerShard(int maxGrowingRowsPerShard) {
        this.maxGrowingRowsPerShard = maxGrowingRowsPerShard;
        return this;
    }

    /** @return the effective hard cap of growing rows per shard (8 times sealRows, at least 65,536, when 0). */
    public int growingCap() {
        return maxGrowingRowsPerShard > 0 ? maxGrowingRowsPerShard : (int)Math.min(100_000_000L, Math.max(65_536L, 8L * sealRows));
    }

    public boolean isKeepLoadedSegmentChunks() {
        return keepLoadedSegmentChunks;
    }

    public VecgridConfiguration setKeepLoadedSegmentChunks(boolean keepLoadedSegmentChunks) {
        this.keepLoadedSegmentChunks = keepLoadedSegmentChunks;
        return this;
    }

    public String getSegmentsDataRegion() {
        return segmentsDataRegion;
    }

    public VecgridConfiguration setSegmentsDataRegion(String segmentsDataRegion) {
        this.segmentsDataRegion = segmentsDataRegion;
        return this;
    }

    public long getSearchDeadlineFloorMillis() {
        return searchDeadlineFloorMillis;
    }

    public VecgridConfiguration setSearchDeadlineFloorMillis(long searchDeadlineFloorMillis) {
        this.searchDeadlineFloorMillis = searchDeadlineFloorMillis;
        return this;
    }

    public long getDrainTimeoutMillis() {
        return drainTimeoutMillis;
    }

    public VecgridConfiguration setDrainTimeoutMillis(long drainTimeoutMillis) {
        this.drainTimeoutMillis = drainTimeoutMillis;
        return this;
    }

    public String getReplicaChoice() {
        return replicaChoice;
    }

    public VecgridConfiguration setReplicaChoice(String replicaChoice) {
        this.replicaChoice = replicaChoice;
        return this;
    }

    public int getHttpPort() {
        return httpPort;
    }

    public VecgridConfiguration setHttpPort(int httpPort) {
        this.httpPort = httpPort;
        return this;
    }

    public int getHttpPortRange() {
        return httpPortRange;
    }

    public VecgridConfiguration setHttpPortRange(int httpPortRange) {
        this.httpPortRange = httpPortRange;
        return this;
    }

    public String getHttpHost() {
        return httpHost;
    }

    public VecgridConfiguration setHttpHost(String httpHost) {
        this.httpHost = httpHost;
        return this;
    }
}
