package io.vecgrid.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.ignite.cache.affinity.AffinityCentralizedFunction;
import org.apache.ignite.cache.affinity.AffinityFunction;
import org.apache.ignite.cache.affinity.AffinityFunctionContext;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * Affinity function that splits the server nodes into {@code R} node-disjoint <b>replica groups</b> and gives every
 * partition exactly one owner in each non-empty group, so that each group holds one full copy of the data.
 *
 * <h2>Properties</h2>
 * <ul>
 *     <li>{@code partitions}: number of partitions {@code P}, in {@code [1, }{@value #MAX_PARTITIONS}{@code ]};
 *     default {@value #DFLT_PARTITIONS}. Keys are slots or shard numbers: {@link #partition(Object)} maps an
 *     {@link Integer}, {@link Long}, {@link Short} or {@link Byte} key (Ignite passes the {@code @AffinityKeyMapped}
 *     field value) to {@code floorMod(value, P)}, any other key to {@code floorMod(key.hashCode(), P)}.</li>
 *     <li>{@code R}, the number of replica groups, is not a property of the function: it is the cache's
 *     {@code backups + 1}, at most {@value #MAX_REPLICA_GROUPS}. {@code REPLICATED} caches are not supported.</li>
 *     <li>Node attribute {@value #REPLICA_GROUP_ATTR} (an integer, or a string holding one) pins a node to group
 *     {@code floorMod(value, R)}. An unparsable value is ignored here (the function must not fail an exchange);
 *     validate it at node start with {@link ReplicaGroups#parseGroupAttribute(Object)}.</li>
 * </ul>
 *
 * <h2>Groups</h2>
 * Unpinned nodes are assigned deterministically and stickily: a node keeps its group across joins and leaves; a new
 * node joins the group with the fewest nodes (ties: lowest group id; joiners in node order). Nodes are identified by
 * {@linkplain ClusterNode#consistentId() consistent id}, as {@code RendezvousAffinityFunction} does, so a node
 * restarted with the same consistent id (baseline topologies) keeps its group and partitions. Nothing is stored:
 * membership is decoded from the current topology and the previous assignment alone, by
 * {@link ReplicaGroups#decode(List, List, int)}. For that the node lists follow a fixed order ({@link GroupOrder}):
 * the primary is the owner in group {@code p mod R}, or in the next non-empty group cyclically if that one is empty,
 * and the owners of the other non-empty groups follow in cyclic group order. With all {@code R} groups non-empty a
 * list of length {@code R} names the group of every position, so decoding is exact. With empty groups the decoder
 * takes the lowest-numbered set of non-empty groups consistent with the previous assignment and the pins; that is
 * ambiguous when one group only is non-empty (groups are then renamed, which moves no data) or when nodes own so
 * few partitions that the lists do not tell (then nodes may be regrouped).
 *
 * <p>Limits of stickiness: a node that owns no partition (fewer partitions than nodes in its group) has no recorded
 * group and is placed again as a joiner; caches that do not share a cache group and are created at different
 * topologies decode their groups independently, so their group <i>labels</i> may differ unless nodes are pinned.
 *
 * <h2>Placement</h2>
 * Primaries rotate over groups by {@code p mod R}, so with all groups non-empty each group holds
 * {@code floor(P/R)} or {@code ceil(P/R)} primaries. A group without a node leaves its copy missing (lists shorter
 * than {@code R}): see {@link ReplicaGroups#underReplicated()}. Inside a group, each node owns {@code floor(P/m)} or
 * {@code ceil(P/m)} partitions and movement is minimal: a leaver's partitions go to the least-loaded nodes of its
 * group, a joiner takes just enough from the most loaded ones ({@link GroupBalancer}). A partition never has two
 * copies on one node since groups are node-disjoint.
 *
 * <h2>Ignite integration</h2>
 * The function is {@link AffinityCentralizedFunction}: it needs the previous assignment, so a joining node must
 * receive the ideal assignment from the coordinator instead of computing one without history. Ignite also recomputes
 * the assignment on custom discovery events with the current ideal assignment as the previous one, so the result is
 * a fixed point: computing again from it with the same topology returns it unchanged (the function repeats a round
 * until that holds; a second round changes something only when a node owns nothing or labels are ambiguous).
 * Consequently {@code ReplicaGroups.decode(topology, currentAssignment, R)} gives the membership the assignment was
 * built with.
 *
 * <h2>Thread-safety</h2>
 * Configure before the cache starts. After that the function is immutable and stateless: {@link #assignPartitions}
 * may run concurrently, and gives the same result on every node for the same topology and previous assignment.
 */
@AffinityCentralizedFunction
public class ReplicaGroupAffinityFunction implements AffinityFunction {
    private static final long serialVersionUID = 1L;

    /** Node attribute that pins a node to a replica group. */
    public static final String REPLICA_GROUP_ATTR = "vecgrid.replica.group";

    /** Default number of partitions. */
    public static final int DFLT_PARTITIONS = 1024;

    /** Maximum number of partitions (Ignite's limit). */
    public static final int MAX_PARTITIONS = CacheConfiguration.MAX_PARTITIONS_COUNT;

    /** Maximum number of replica groups ({@code backups + 1}). */
    public static final int MAX_REPLICA_GROUPS = 16;

    /** Most rounds spent settling on a fixed point; one or two in practice. */
    private static final int SETTLE_ROUNDS = 4;

    /** Number of partitions. */
    private int parts;

    /** Whether numeric keys are hashed before the modulo (keys that are ids rather than slots or shard numbers). */
    private boolean mixKeys;

    /** Creates the function with {@value #DFLT_PARTITIONS} partitions. */
    public ReplicaGroupAffinityFunction() {
        this(DFLT_PARTITIONS);
    }

    /**
     * @param partitions number of partitions, in {@code [1, }{@value #MAX_PARTITIONS}{@code ]}.
     * @throws IllegalArgumentException if out of range.
     */
    public ReplicaGroupAffinityFunction(int partitions) {
        setPartitions(partitions);
    }

    /**
     * Sets the number of partitions; only before the cache starts.
     *
     * @param partitions number of partitions, in {@code [1, }{@value #MAX_PARTITIONS}{@code ]}.
     * @return {@code this} for chaining.
     * @throws IllegalArgumentException if out of range.
     */
    public ReplicaGroupAffinityFunction setPartitions(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS)
            throw new IllegalArgumentException("partitions must be in [1, " + MAX_PARTITIONS + "], got " + partitions);
        parts = partitions;
        return this;
    }

    /**
     * Makes {@link #partition(Object)} hash numeric keys before taking them modulo the partition count, for caches
     * keyed by ids (primary keys), whose values may share a stride, rather than by slots or shard numbers, whose
     * value is the partition. Only before the cache starts.
     *
     * @return {@code this} for chaining.
     */
    public ReplicaGroupAffinityFunction setMixKeys(boolean mixKeys) {
        this.mixKeys = mixKeys;
        return this;
    }

    /** @return whether numeric keys are hashed before the modulo. */
    public boolean isMixKeys() {
        return mixKeys;
    }

    /** {@inheritDoc} */
    @Override public int partitions() {
        return parts;
    }

    /** {@inheritDoc} */
    @Override public int partition(Object key) {
        // No entry has a null key; SQL engines may still ask (a join on a key that evaluates to NULL finds nothing).
        if (key == null)
            return 0;
        if (key instanceof Integer || key instanceof Long || key instanceof Short || key instanceof Byte) {
            long v = ((Number)key).longValue();
            if (mixKeys) {
                v *= 0x9E3779B97F4A7C15L;
                v ^= v >>> 29;
            }
            return (int)Math.floorMod(v, (long)parts);
        }
        return Math.floorMod(key.hashCode(), parts);
    }

    /** {@inheritDoc} */
    @Override public List<List<ClusterNode>> assignPartitions(AffinityFunctionContext ctx) {
        int backups = ctx.backups();
        if (backups < 0 || backups >= MAX_REPLICA_GROUPS)
            throw new IllegalArgumentException("backups must be in [0, " + (MAX_REPLICA_GROUPS - 1)
                + "] (replica groups = backups + 1; REPLICATED caches are not supported), got " + backups);

        List<ClusterNode> topo = ctx.currentTopologySnapshot();
        List<List<ClusterNode>> prev = previousAssignment(ctx);
        List<List<ClusterNode>> res = assign(ReplicaGroups.decode(topo, prev, backups + 1), prev);

        // Settle on a fixed point, so that recomputing from the result changes nothing (see the class comment).
        for (int round = 1; round < SETTLE_ROUNDS; round++) {
            List<List<ClusterNode>> again = assign(ReplicaGroups.decode(topo, res, backups + 1), res);
            if (sameNodes(again, res))
                break;
            res = again;
        }
        return res;
    }

    /** @return whether both assignments list the same nodes (by consistent id) in the same order. */
    private static boolean sameNodes(List<List<ClusterNode>> a, List<List<ClusterNode>> b) {
        for (int p = 0; p < a.size(); p++) {
            List<ClusterNode> x = a.get(p);
            List<ClusterNode> y = b.get(p);
            if (x.size() != y.size())
                return false;
            for (int i = 0; i < x.size(); i++)
                if (!x.get(i).consistentId().equals(y.get(i).consistentId()))
                    return false;
        }
        return true;
    }

    /**
     * @param groups membership for the new assignment.
     * @param prev previous assignment, or {@code null}.
     * @return node lists per partition, primary first.
     */
    private List<List<ClusterNode>> assign(ReplicaGroups groups, List<List<ClusterNode>> prev) {
        List<List<ClusterNode>> res = new ArrayList<>(parts);
        GroupOrder order = groups.order();
        if (order == null) {
            for (int p = 0; p < parts; p++)
                res.add(new ArrayList<>(0));
            return res;
        }

        int[][] owners = new int[groups.replicas()][];
        for (int g = 0; g < owners.length; g++) {
            List<ClusterNode> members = groups.nodes(g);
            if (members.isEmpty())
                continue;
            Object[] ids = new Object[members.size()];
            for (int i = 0; i < ids.length; i++)
                ids[i] = members.get(i).consistentId();
            int[] prevOwner = new int[parts];
            Arrays.fill(prevOwner, -1);
            boolean[] primaryHere = new boolean[parts];
            for (int p = 0; p < parts; p++) {
                primaryHere[p] = order.primaryGroup(p) == g;
                if (prev != null) {
                    ClusterNode o = groups.owner(prev.get(p), g);
                    if (o != null)
                        prevOwner[p] = groups.memberIndex(o);
                }
            }
            owners[g] = GroupBalancer.assign(ids, prevOwner, primaryHere);
        }

        for (int p = 0; p < parts; p++) {
            List<ClusterNode> list = new ArrayList<>(order.size());
            for (int pos = 0; pos < order.size(); pos++) {
                int g = order.groupAt(p, pos);
                list.add(groups.nodes(g).get(owners[g][p]));
            }
            res.add(list);
        }
        return res;
    }

    /** @return the previous assignment from the context, or {@code null} on the first call. */
    private List<List<ClusterNode>> previousAssignment(AffinityFunctionContext ctx) {
        if (ctx.previousAssignment(0) == null)
            return null;
        List<List<ClusterNode>> prev = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            List<ClusterNode> list = ctx.previousAssignment(p);
            if (list == null)
                return null;
            prev.add(list);
        }
        return prev;
    }

    /** {@inheritDoc} */
    @Override public void reset() {
        // No state.
    }

    /** {@inheritDoc} */
    @Override public void removeNode(UUID nodeId) {
        // No state: a leaver is simply absent from the next topology.
    }

    /** {@inheritDoc} */
    @Override public String toString() {
        return "ReplicaGroupAffinityFunction [partitions=" + parts + (mixKeys ? ", mixKeys" : "") + ']';
    }
}
