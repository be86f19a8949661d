package io.vecgrid.placement;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ignite.cluster.ClusterNode;

/**
 * Which server node is in which replica group: the membership that {@link ReplicaGroupAffinityFunction} places
 * partitions by, and that the rest of vecgrid reports (replica groups, shard leaders, under-replication).
 *
 * <p>Built by {@link #decode(List, List, int)} from a topology and an assignment of that function. Nodes are matched
 * by {@linkplain ClusterNode#consistentId() consistent id}, as Ignite's own affinity functions do. The rules are
 * applied to the topology's nodes in node order (by consistent id, see {@link #NODE_ORDER}):
 * <ol>
 *     <li>a node pinned with attribute {@link ReplicaGroupAffinityFunction#REPLICA_GROUP_ATTR} is in group
 *     {@code floorMod(value, R)};</li>
 *     <li>otherwise a node that owns a partition in the assignment keeps the group the assignment shows it in
 *     (see {@link GroupOrder} for how lists encode groups);</li>
 *     <li>the remaining nodes (joiners, and nodes that own nothing because there are fewer partitions than nodes)
 *     each join the group with the fewest nodes so far, the lowest group id on ties.</li>
 * </ol>
 * Decoding the function's previous assignment against the new topology gives the membership the function starts
 * from; decoding the current assignment against the current topology gives exactly the membership that assignment
 * was built with, since the function only returns assignments that reproduce themselves (see
 * {@link ReplicaGroupAffinityFunction}). That is what vecgrid reports as replica groups, shard leaders
 * ({@link #owner(List, int)}) and under-replication ({@link #underReplicated()}).
 *
 * <p>With all groups non-empty the labels are exact. With empty groups the lowest-numbered set of non-empty groups
 * consistent with the assignment and the pins is chosen; {@link #ambiguous()} tells when several were consistent:
 * when only one group is non-empty and none of its nodes is pinned (groups are then renamed at most, which moves no
 * data), and when nodes own so few partitions that the lists do not tell (then nodes may be regrouped). An
 * assignment that no labelling explains (not built by this function) is ignored: every node is placed by rules 1
 * and 3.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReplicaGroups {
    /**
     * Node order: consistent id. Not the join order: after a full restart of a persistent cluster there is no previous
     * assignment, the nodes come back in any order, and the groups and partitions must come out as they were when the
     * same nodes placed them first (else data would move between nodes that all still hold it).
     */
    static final Comparator<ClusterNode> NODE_ORDER = Comparator.comparing(n -> String.valueOf(n.consistentId()));

    /** Number of groups {@code R}. */
    private final int replicas;

    /** Topology, in node order. */
    private final List<ClusterNode> topology;

    /** Group of each topology node, by id; lookups only, never iterated. */
    private final Map<UUID, Integer> groupById;

    /** Group of each topology node, by consistent id; lookups only. */
    private final Map<Object, Integer> groupByConsId;

    /** Index of each topology node inside its group's list, by consistent id; lookups only. */
    private final Map<Object, Integer> memberIdx;

    /** Nodes of each group, in node order. */
    private final List<List<ClusterNode>> members;

    /** List order of the non-empty groups, {@code null} when the topology is empty. */
    private final GroupOrder order;

    /** Whether the labels are known only up to renaming. */
    private final boolean ambiguous;

    private ReplicaGroups(int replicas, List<ClusterNode> topology, int[] groups, boolean ambiguous) {
        this.replicas = replicas;
        this.topology = Collections.unmodifiableList(topology);
        this.ambiguous = ambiguous;

        List<List<ClusterNode>> lists = new ArrayList<>(replicas);
        for (int g = 0; g < replicas; g++)
            lists.add(new ArrayList<>());
        groupById = new HashMap<>();
        groupByConsId = new HashMap<>();
        memberIdx = new HashMap<>();
        for (int i = 0; i < topology.size(); i++) {
            ClusterNode node = topology.get(i);
            List<ClusterNode> list = lists.get(groups[i]);
            if (node.id() != null)
                groupById.put(node.id(), groups[i]);
            groupByConsId.put(node.consistentId(), groups[i]);
            memberIdx.put(node.consistentId(), list.size());
            list.add(node);
        }

        boolean[] nonEmpty = new boolean[replicas];
        for (int g = 0; g < replicas; g++) {
            nonEmpty[g] = !lists.get(g).isEmpty();
            lists.set(g, Collections.unmodifiableList(lists.get(g)));
        }
        members = Collections.unmodifiableList(lists);
        order = topology.isEmpty() ? null : new GroupOrder(nonEmpty);
    }

    /**
     * Decodes the replica groups of a topology from an assignment of {@link ReplicaGroupAffinityFunction}.
     *
     * @param topology server nodes that hold the cache (any order).
     * @param assignment node lists per partition as returned by the function (primary first), or {@code null}
     *      for none; it may mention nodes that have left.
     * @param replicas number of groups {@code R} (the cache's backups + 1), in
     *      {@code [1, }{@link ReplicaGroupAffinityFunction#MAX_REPLICA_GROUPS}{@code ]}.
     * @return membership of the topology's nodes.
     * @throws IllegalArgumentException if {@code replicas} is out of range or {@code topology} is {@code null}.
     */
    public static ReplicaGroups decode(List<ClusterNode> topology, List<List<ClusterNode>> assignment, int replicas) {
        if (replicas < 1 || replicas > ReplicaGroupAffinityFunction.MAX_REPLICA_GROUPS)
            throw new IllegalArgumentException("replicas must be in [1, "
                + ReplicaGroupAffinityFunction.MAX_REPLICA_GROUPS + "], got " + replicas);
        if (topology == null)
            throw new IllegalArgumentException("topology must not be null");

        List<ClusterNode> sorted = new ArrayList<>(topology);
        sorted.sort(NODE_ORDER);

        GroupLabelDecoder labels = GroupLabelDecoder.decode(assignment, replicas);

        int[] groups = new int[sorted.size()];
        int[] sizes = new int[replicas];
        for (int i = 0; i < groups.length; i++) {
            ClusterNode node = sorted.get(i);
            int g = pinnedGroup(node, replicas);
            if (g < 0)
                g = labels.label(node.consistentId());
            groups[i] = g;
            if (g >= 0)
                sizes[g]++;
        }
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] >= 0)
                continue;
            int g = 0;
            for (int h = 1; h < replicas; h++)
                if (sizes[h] < sizes[g])
                    g = h;
            groups[i] = g;
            sizes[g]++;
        }
        return new ReplicaGroups(replicas, sorted, groups, labels.ambiguous());
    }

    /**
     * Group a node is pinned to by attribute {@link ReplicaGroupAffinityFunction#REPLICA_GROUP_ATTR}. Lenient: a
     * missing or unparsable value means "not pinned" (validate the attribute at node start with
     * {@link #parseGroupAttribute(Object)}).
     *
     * @param node node.
     * @param replicas number of groups {@code R}.
     * @return {@code floorMod(value, R)}, or {@code -1} if the node is not pinned.
     */
    public static int pinnedGroup(ClusterNode node, int replicas) {
        Object val = node.attribute(ReplicaGroupAffinityFunction.REPLICA_GROUP_ATTR);
        if (val == null)
            return -1;
        try {
            return Math.floorMod(parseGroupAttribute(val), replicas);
        }
        catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Parses a value of attribute {@link ReplicaGroupAffinityFunction#REPLICA_GROUP_ATTR}.
     *
     * @param val an {@link Integer}, {@link Long}, {@link Short} or {@link Byte}, or a string holding an integer.
     * @return the integer (before reduction modulo {@code R}).
     * @throws IllegalArgumentException if the value is none of those.
     */
    public static int parseGroupAttribute(Object val) {
        if (val instanceof Integer || val instanceof Short || val instanceof Byte)
            return ((Number)val).intValue();
        if (val instanceof Long) {
            long l = (Long)val;
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE)
                return (int)l;
        }
        if (val instanceof String) {
            try {
                return Integer.parseInt(((String)val).trim());
            }
            catch (NumberFormatException ignored) {
                // Falls through to the error below.
            }
        }
        throw new IllegalArgumentException(ReplicaGroupAffinityFunction.REPLICA_GROUP_ATTR
            + " must be an integer or a string of one, got " + val
            + (val == null ? "" : " (" + val.getClass().getName() + ")"));
    }

    /** @return number of groups {@code R}. */
    public int replicas() {
        return replicas;
    }

    /** @return the topology, in node order. */
    public List<ClusterNode> topology() {
        return topology;
    }

    /**
     * @param nodeId node id.
     * @return the node's group, or {@code -1} if the node is not in the topology.
     */
    public int groupOf(UUID nodeId) {
        Integer g = groupById.get(nodeId);
        return g == null ? -1 : g;
    }

    /**
     * @param node node, matched by consistent id.
     * @return the node's group, or {@code -1} if the node is not in the topology.
     */
    public int groupOf(ClusterNode node) {
        Integer g = groupByConsId.get(node.consistentId());
        return g == null ? -1 : g;
    }

    /**
     * @param group group in {@code [0, R)}.
     * @return the group's nodes in node order; empty if the group has no node.
     * @throws IllegalArgumentException if the group is out of range.
     */
    public List<ClusterNode> nodes(int group) {
        checkGroup(group);
        return members.get(group);
    }

    /** @return number of groups that have at least one node; the length of every partition's node list. */
    public int nonEmptyGroups() {
        return order == null ? 0 : order.size();
    }

    /** @return groups without any node, ascending; their copy of every partition is missing. */
    public List<Integer> emptyGroups() {
        List<Integer> res = new ArrayList<>();
        for (int g = 0; g < replicas; g++)
            if (members.get(g).isEmpty())
                res.add(g);
        return Collections.unmodifiableList(res);
    }

    /** @return whether some group has no node, so every partition has fewer than {@code R} copies. */
    public boolean underReplicated() {
        return nonEmptyGroups() < replicas;
    }

    /**
     * @return whether more than one labelling explained the assignment, so the labels (and, with very few partitions
     *      per node, the grouping) are the decoder's deterministic choice rather than history; only possible while
     *      some group is empty.
     */
    public boolean ambiguous() {
        return ambiguous;
    }

    /**
     * @param part partition.
     * @return group holding the partition's primary: {@code part mod R} if non-empty, else the next non-empty group
     *      cyclically; {@code -1} if the topology is empty.
     * @throws IllegalArgumentException if the partition is negative.
     */
    public int primaryGroup(int part) {
        if (part < 0)
            throw new IllegalArgumentException("partition must be non-negative, got " + part);
        return order == null ? -1 : order.primaryGroup(part);
    }

    /**
     * Owner of a partition inside a group: the shard leader of that group.
     *
     * @param partitionOwners the partition's node list (e.g. from {@code Affinity.mapPartitionToPrimaryAndBackups}).
     * @param group group in {@code [0, R)}.
     * @return the first node of the list in that group, or {@code null} if none (empty group, or the list is a
     *      transient one during rebalancing that lacks it).
     * @throws IllegalArgumentException if the group is out of range.
     */
    public ClusterNode owner(List<ClusterNode> partitionOwners, int group) {
        checkGroup(group);
        for (ClusterNode node : partitionOwners)
            if (groupOf(node) == group)
                return node;
        return null;
    }

    /** @return list order of the non-empty groups, {@code null} when the topology is empty. */
    GroupOrder order() {
        return order;
    }

    /**
     * @param node a node, matched by consistent id.
     * @return index of the node in {@link #nodes(int)} of its group, or {@code -1} if not in the topology.
     */
    int memberIndex(ClusterNode node) {
        Integer i = memberIdx.get(node.consistentId());
        return i == null ? -1 : i;
    }

    private void checkGroup(int group) {
        if (group < 0 || group >= replicas)
            throw new IllegalArgumentException("group must be in [0, " + replicas + "), got " + group);
    }

    /** {@inheritDoc} */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder("ReplicaGroups [replicas=").append(replicas);
        for (int g = 0; g < replicas; g++) {
            sb.append(", ").append(g).append("=[");
            List<ClusterNode> list = members.get(g);
            for (int i = 0; i < list.size(); i++)
                sb.append(i == 0 ? "" : ", ").append(list.get(i).consistentId());
            sb.append(']');
        }
        return sb.append(", underReplicated=").append(underReplicated())
            .append(", ambiguous=").append(ambiguous).append(']').toString();
    }
}
