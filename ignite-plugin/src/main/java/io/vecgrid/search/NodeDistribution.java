package io.vecgrid.search;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What one node reports it serves: per collection (keyed by its segments cache, which names one incarnation of a
 * collection) the ids of its serviceable segment copies; per rows cache the shards whose partition it holds OWNING
 * (so it can lead them) with their growing row counts, and its free disk space. Load figures (running jobs, latency)
 * are not here: a router learns them from the answers of its own jobs. Written only by the node itself.
 * Immutable.
 */
public final class NodeDistribution {
    private final UUID nodeId;
    private final long version;
    private final HashMap<String, long[]> segments;
    private final HashMap<String, int[]> shards;
    private final HashMap<String, int[]> growing;
    private final HashMap<String, int[]> liveRows;
    private final String consistentId;
    private final long freeDiskBytes;
    private final String dataDir;
    private final boolean draining;

    /**
     * @param freeDiskBytes free space of the node's fullest data directory ({@code dataDir}), or -1 when the node keeps
     *      no data on disk.
     */
    public NodeDistribution(UUID nodeId, long version, Map<String, long[]> segments, Map<String, int[]> liveRows,
        Map<String, int[]> shards, Map<String, int[]> growing, String consistentId,
        long freeDiskBytes, String dataDir, boolean draining) {
        this.draining = draining;
        this.consistentId = consistentId;
        this.freeDiskBytes = freeDiskBytes;
        this.dataDir = dataDir;
        this.nodeId = nodeId;
        this.version = version;
        this.segments = new HashMap<>(segments);
        this.liveRows = new HashMap<>(liveRows);
        this.shards = new HashMap<>(shards);
        this.growing = new HashMap<>(growing);
    }

    public UUID nodeId() {
        return nodeId;
    }

    public long version() {
        return version;
    }

    /** @return serviceable segment ids by segments-cache name. */
    public Map<String, long[]> segments() {
        return Collections.unmodifiableMap(segments);
    }

    /** @return live (not deleted) rows of each serviceable segment, aligned with {@link #segments()}. */
    public Map<String, int[]> liveRows() {
        return Collections.unmodifiableMap(liveRows);
    }

    /** @return growing rows of each shard held OWNING, aligned with {@link #shards()}. */
    public Map<String, int[]> growing() {
        return Collections.unmodifiableMap(growing);
    }

    /** @return shards held OWNING by rows-cache name. */
    public Map<String, int[]> shards() {
        return Collections.unmodifiableMap(shards);
    }

    /** @return the node's consistent id (stable across restarts of a persistent node). */
    public String consistentId() {
        return consistentId;
    }

    /** @return free bytes of the node's fullest data directory, or -1 if it keeps no data on disk. */
    public long freeDiskBytes() {
        return freeDiskBytes;
    }

    /** @return whether the node is stopping gracefully: routers send it no new work where another copy exists. */
    public boolean draining() {
        return draining;
    }

    /** @return the data directory {@link #freeDiskBytes()} is about, or {@code null}. */
    public String dataDir() {
        return dataDir;
    }
}
