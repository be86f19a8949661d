package io.vecgrid.search;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What one node reports it serves: per collection (keyed by its segments cache, which names one incarnation of a
 * collection) the ids of its serviceable segment copies; per rows cache the shards whose partition it holds OWNING
 * (so it can lead them); its running search jobs and recent per-segment latency. Written only by the node itself.
 * Immutable.
 */
public final class NodeDistribution {
    private final UUID nodeId;
    private final long version;
    private final HashMap<String, long[]> segments;
    private final HashMap<String, int[]> shards;
    private final int inFlight;
    private final double latencyMicros;

    public NodeDistribution(UUID nodeId, long version, Map<String, long[]> segments, Map<String, int[]> shards,
        int inFlight, double latencyMicros) {
        this.nodeId = nodeId;
        this.version = version;
        this.segments = new HashMap<>(segments);
        this.shards = new HashMap<>(shards);
        this.inFlight = inFlight;
        this.latencyMicros = latencyMicros;
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

    /** @return shards held OWNING by rows-cache name. */
    public Map<String, int[]> shards() {
        return Collections.unmodifiableMap(shards);
    }

    public int inFlight() {
        return inFlight;
    }

    public double latencyMicros() {
        return latencyMicros;
    }
}
