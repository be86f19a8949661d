package io.vecgrid.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An immutable view of the distribution reports of the live nodes: which nodes hold a serviceable copy of each
 * segment, which hold each shard OWNING, and each node's load.
 */
public final class RoutingTable {
    static final RoutingTable EMPTY = new RoutingTable(Collections.emptyList(), 0);

    private final Map<String, Map<Long, List<UUID>>> copies = new HashMap<>();
    private final Map<String, Map<Integer, List<UUID>>> shardOwners = new HashMap<>();
    private final Map<UUID, NodeDistribution> nodes = new HashMap<>();
    private final long builtAtNanos;
    private final long generation;

    RoutingTable(Collection<NodeDistribution> reports, long generation) {
        this.generation = generation;
        builtAtNanos = System.nanoTime();
        for (NodeDistribution d : reports) {
            nodes.put(d.nodeId(), d);
            d.segments().forEach((cache, ids) -> {
                Map<Long, List<UUID>> m = copies.computeIfAbsent(cache, k -> new HashMap<>());
                for (long id : ids)
                    m.computeIfAbsent(id, k -> new ArrayList<>()).add(d.nodeId());
            });
            d.shards().forEach((cache, shards) -> {
                Map<Integer, List<UUID>> m = shardOwners.computeIfAbsent(cache, k -> new HashMap<>());
                for (int s : shards)
                    m.computeIfAbsent(s, k -> new ArrayList<>()).add(d.nodeId());
            });
        }
    }

    /** @return whether {@code node} reported that it is draining (stopping gracefully). */
    public boolean draining(UUID node) {
        NodeDistribution d = nodes.get(node);
        return d != null && d.draining();
    }

    /** @return the nodes to give new search work on this segment: its copies, without draining nodes if others exist. */
    public List<UUID> searchCopies(String segmentsCache, long segmentId) {
        return withoutDraining(copies(segmentsCache, segmentId));
    }

    /** @return the nodes to lead a shard's growing search: its owners, without draining nodes if others exist. */
    public List<UUID> searchShardOwners(String rowsCache, int shard) {
        return withoutDraining(shardOwners(rowsCache, shard));
    }

    /** A draining node (stopping gracefully) gets no new work wherever another node can take it. */
    private List<UUID> withoutDraining(List<UUID> nodes) {
        List<UUID> res = new ArrayList<>(nodes.size());
        for (UUID n : nodes) {
            if (!draining(n))
                res.add(n);
        }
        return res.isEmpty() ? nodes : res;
    }

    /** @return nodes that report a serviceable copy of the segment. */
    public List<UUID> copies(String segmentsCache, long segmentId) {
        Map<Long, List<UUID>> m = copies.get(segmentsCache);
        List<UUID> res = m == null ? null : m.get(segmentId);
        return res == null ? Collections.emptyList() : res;
    }

    /** @return nodes that report the shard's partition OWNING. */
    public List<UUID> shardOwners(String rowsCache, int shard) {
        Map<Integer, List<UUID>> m = shardOwners.get(rowsCache);
        List<UUID> res = m == null ? null : m.get(shard);
        return res == null ? Collections.emptyList() : res;
    }

    /** @return the live rows a node reports for a segment copy, or -1 if it reports none. */
    public int liveRows(String segmentsCache, long segmentId) {
        for (NodeDistribution d : nodes.values()) {
            long[] ids = d.segments().get(segmentsCache);
            int[] live = d.liveRows().get(segmentsCache);
            if (ids == null || live == null)
                continue;
            for (int i = 0; i < ids.length && i < live.length; i++) {
                if (ids[i] == segmentId)
                    return live[i];
            }
        }
        return -1;
    }

    /** @return the most growing rows any owner reports for the shard (0 if none). */
    public int growingRows(String rowsCache, int shard) {
        int max = 0;
        for (NodeDistribution d : nodes.values()) {
            int[] shards = d.shards().get(rowsCache);
            int[] grow = d.growing().get(rowsCache);
            if (shards == null || grow == null)
                continue;
            for (int i = 0; i < shards.length && i < grow.length; i++) {
                if (shards[i] == shard)
                    max = Math.max(max, grow[i]);
            }
        }
        return max;
    }

    /** @return reports of live nodes whose data directories have less than {@code minFree} bytes free. */
    public List<NodeDistribution> lowOnDisk(long minFree) {
        List<NodeDistribution> res = new ArrayList<>();
        if (minFree <= 0)
            return res;
        for (NodeDistribution d : nodes.values()) {
            if (d.freeDiskBytes() >= 0 && d.freeDiskBytes() < minFree)
                res.add(d);
        }
        return res;
    }

    public long generation() {
        return generation;
    }

    public long ageNanos() {
        return System.nanoTime() - builtAtNanos;
    }
}
