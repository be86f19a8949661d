package io.vecgrid.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ignite.cluster.ClusterNode;

/**
 * Recovers each node's replica group from an assignment built with the {@link GroupOrder} rule.
 *
 * <p>All lists of such an assignment have the same length {@code k}, the number of non-empty groups. The decoder
 * tries every set {@code S} of {@code k} groups out of {@code R}, in lexicographic order, and keeps the first one
 * under which every node gets one group across all partitions and every pinned node gets its pinned group. With
 * {@code k == R} there is one candidate, so the labels are exact. With {@code k < R} a sparse assignment (few
 * partitions, or a single non-empty group) may admit several candidates: the first one wins and the result is flagged
 * {@linkplain #ambiguous() ambiguous}. An assignment that no candidate explains (lists of different lengths, a node
 * twice in a list, a node in two groups) yields no labels: {@linkplain #consistent() inconsistent}.
 *
 * <p>Nodes are identified by {@linkplain ClusterNode#consistentId() consistent id}, as Ignite's own affinity functions
 * do, so that a node restarted with the same consistent id (baseline topologies) is recognised.
 *
 * <p>Candidates are rejected at the first contradiction, so the cost is close to one pass over the assignment.
 * {@code R} is bounded by {@link ReplicaGroupAffinityFunction#MAX_REPLICA_GROUPS}.
 *
 * <p>Immutable result; the decoding itself keeps no state. Thread-safe.
 */
final class GroupLabelDecoder {
    /** Decoded group per node consistent id; lookups only, never iterated. */
    private final Map<Object, Integer> labels;

    /** Whether more than one set of non-empty groups explains the assignment. */
    private final boolean ambiguous;

    /** Whether some set of non-empty groups explains the assignment (or there was none to explain). */
    private final boolean consistent;

    private GroupLabelDecoder(Map<Object, Integer> labels, boolean ambiguous, boolean consistent) {
        this.labels = labels;
        this.ambiguous = ambiguous;
        this.consistent = consistent;
    }

    /**
     * @param assignment node lists per partition, or {@code null} when there is none.
     * @param replicas number of groups {@code R}.
     * @return decoded labels.
     */
    static GroupLabelDecoder decode(List<List<ClusterNode>> assignment, int replicas) {
        if (assignment == null || assignment.isEmpty())
            return new GroupLabelDecoder(Map.of(), false, true);

        int parts = assignment.size();
        int k = assignment.get(0).size();
        Map<Object, Integer> idx = new HashMap<>();
        List<ClusterNode> nodes = new ArrayList<>();
        int[] flat = new int[parts * k];

        for (int p = 0; p < parts; p++) {
            List<ClusterNode> list = assignment.get(p);
            if (list.size() != k)
                return inconsistent();
            for (int i = 0; i < k; i++) {
                ClusterNode node = list.get(i);
                Integer x = idx.get(node.consistentId());
                if (x == null) {
                    x = nodes.size();
                    idx.put(node.consistentId(), x);
                    nodes.add(node);
                }
                for (int j = 0; j < i; j++)
                    if (flat[p * k + j] == x)
                        return inconsistent();
                flat[p * k + i] = x;
            }
        }

        if (k == 0)
            return new GroupLabelDecoder(Map.of(), false, true);
        if (k > replicas)
            return inconsistent();

        int[] pins = new int[nodes.size()];
        for (int x = 0; x < pins.length; x++)
            pins[x] = ReplicaGroups.pinnedGroup(nodes.get(x), replicas);

        int[] found = null;
        boolean ambiguous = false;
        int[] comb = new int[k];
        for (int i = 0; i < k; i++)
            comb[i] = i;

        do {
            int[] labels = tryCandidate(comb, replicas, parts, flat, pins);
            if (labels != null) {
                if (found == null)
                    found = labels;
                else {
                    ambiguous = true;
                    break;
                }
            }
        }
        while (nextCombination(comb, replicas));

        if (found == null)
            return inconsistent();

        Map<Object, Integer> res = new HashMap<>();
        for (int x = 0; x < found.length; x++)
            res.put(nodes.get(x).consistentId(), found[x]);
        return new GroupLabelDecoder(res, ambiguous, true);
    }

    /**
     * @return labels under the candidate set of non-empty groups, or {@code null} on a contradiction.
     */
    private static int[] tryCandidate(int[] comb, int replicas, int parts, int[] flat, int[] pins) {
        boolean[] nonEmpty = new boolean[replicas];
        for (int g : comb)
            nonEmpty[g] = true;
        GroupOrder order = new GroupOrder(nonEmpty);
        int k = comb.length;

        int[] labels = new int[pins.length];
        Arrays.fill(labels, -1);
        for (int p = 0; p < parts; p++) {
            for (int i = 0; i < k; i++) {
                int x = flat[p * k + i];
                int g = order.groupAt(p, i);
                if (labels[x] == -1) {
                    if (pins[x] >= 0 && pins[x] != g)
                        return null;
                    labels[x] = g;
                }
                else if (labels[x] != g)
                    return null;
            }
        }
        return labels;
    }

    /** Advances {@code comb} to the next {@code comb.length}-subset of {@code [0, n)} in lexicographic order. */
    private static boolean nextCombination(int[] comb, int n) {
        int k = comb.length;
        int i = k - 1;
        while (i >= 0 && comb[i] == n - k + i)
            i--;
        if (i < 0)
            return false;
        comb[i]++;
        for (int j = i + 1; j < k; j++)
            comb[j] = comb[j - 1] + 1;
        return true;
    }

    private static GroupLabelDecoder inconsistent() {
        return new GroupLabelDecoder(Map.of(), false, false);
    }

    /**
     * @param consistentId node consistent id.
     * @return decoded group, or {@code -1} if the node owns nothing in the assignment (or it was inconsistent).
     */
    int label(Object consistentId) {
        Integer g = labels.get(consistentId);
        return g == null ? -1 : g;
    }

    /** @return whether more than one set of non-empty groups explains the assignment; the first one was taken. */
    boolean ambiguous() {
        return ambiguous;
    }

    /** @return {@code false} if no set of non-empty groups explains the assignment, so no label was recovered. */
    boolean consistent() {
        return consistent;
    }
}
