package io.vecgrid.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One replica group: its nodes, the leader of each shard in it, and each node's segment copies. Immutable. */
public final class ReplicaGroupInfo implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int id;
    private final List<UUID> nodes;
    private final Map<Integer, UUID> shardLeaders;
    private final Map<UUID, List<SegmentCopy>> segments;

    public ReplicaGroupInfo(int id, List<UUID> nodes, Map<Integer, UUID> shardLeaders, Map<UUID, List<SegmentCopy>> segments) {
        this.id = id;
        this.nodes = nodes;
        this.shardLeaders = shardLeaders;
        this.segments = segments;
    }

    public int id() {
        return id;
    }

    public List<UUID> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** @return leader node of each shard in this group (a shard missing here has no live owner in the group). */
    public Map<Integer, UUID> shardLeaders() {
        return Collections.unmodifiableMap(shardLeaders);
    }

    /** @return per node of the group, the target's segments it should hold, with their serviceable flags. */
    public Map<UUID, List<SegmentCopy>> segments() {
        return Collections.unmodifiableMap(segments);
    }

    @Override public String toString() {
        return "group " + id + " nodes=" + nodes + " leaders=" + shardLeaders + " segments=" + segments;
    }

    /** A segment a node should hold, and whether its copy is serviceable there. */
    public static final class SegmentCopy implements Serializable {
        private static final long serialVersionUID = 1L;

        private final long segmentId;
        private final int shard;
        private final int rows;
        private final boolean serviceable;

        public SegmentCopy(long segmentId, int shard, int rows, boolean serviceable) {
            this.segmentId = segmentId;
            this.shard = shard;
            this.rows = rows;
            this.serviceable = serviceable;
        }

        public long segmentId() {
            return segmentId;
        }

        public int shard() {
            return shard;
        }

        public int rows() {
            return rows;
        }

        public boolean serviceable() {
            return serviceable;
        }

        @Override public String toString() {
            return segmentId + (serviceable ? "" : "(loading)");
        }
    }
}
