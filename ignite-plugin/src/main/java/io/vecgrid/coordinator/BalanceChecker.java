package io.vecgrid.coordinator;

import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import org.apache.ignite.cluster.ClusterNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Inside every replica group, sealed rows per node should stay even. When the most and least loaded nodes of a group
 * differ by more than {@code balanceTolerance} of the group's mean (and by more than a segment's worth), one segment
 * of the most loaded node moves — bytes and index copied, nothing rebuilt — to a slot the least loaded node owns.
 * A slot has one owner in every group, so a move changes every group's placement: the slot is chosen so that the
 * other groups' owners stay the same where possible, and otherwise so that the other groups gain the least
 * imbalance. One move per collection and tick, never of a segment an operation is working on.
 */
final class BalanceChecker implements Checker {
    @Override public List<CoordinatorTask> check(CollectionView v) {
        Map<UUID, Long> load = new HashMap<>();
        for (SegmentRef s : v.target.segments()) {
            for (ClusterNode n : v.slotOwners.get(s.slot()))
                load.merge(n.id(), (long)s.rows(), Long::sum);
        }
        Set<Long> busy = new HashSet<>();
        for (ShardState st : v.shards) {
            for (LayoutOp op : st.ops())
                busy.addAll(op.sources());
            if (st.ops().stream().anyMatch(op -> op.kind() != LayoutOp.Kind.SEAL)) {
                for (SegmentRef s : st.segments())
                    busy.add(s.id());
            }
        }
        for (int g = 0; g < v.meta.spec().replicas(); g++) {
            List<ClusterNode> nodes = v.groups.nodes(g);
            if (nodes.size() < 2)
                continue;
            ClusterNode max = null, min = null;
            long total = 0;
            for (ClusterNode n : nodes) {
                long l = load.getOrDefault(n.id(), 0L);
                total += l;
                if (max == null || l > load.getOrDefault(max.id(), 0L))
                    max = n;
                if (min == null || l < load.getOrDefault(min.id(), 0L))
                    min = n;
            }
            double mean = (double)total / nodes.size();
            long gap = load.getOrDefault(max.id(), 0L) - load.getOrDefault(min.id(), 0L);
            if (mean == 0 || gap <= v.cfg.getBalanceTolerance() * mean)
                continue;
            // The biggest segment whose move narrows the gap.
            SegmentRef pick = null;
            for (SegmentRef s : v.target.segments()) {
                if (!busy.contains(s.id()) && v.slotOwners.get(s.slot()).contains(max) && s.rows() * 2L <= gap + 1 &&
                    (pick == null || s.rows() > pick.rows()))
                    pick = s;
            }
            if (pick == null)
                continue;
            Integer slot = bestSlot(v, g, min, pick, load);
            if (slot == null)
                continue;
            return List.of(new CoordinatorTask(CoordinatorTask.Kind.MOVE, v.meta.name(), v.meta.uid(), pick.shard(),
                List.of(pick.id()), slot, "group " + g + ": node " + max.id() + " holds " + gap + " more rows than node " +
                min.id()));
        }
        return List.of();
    }

    /**
     * @return a slot group {@code g}'s least loaded node {@code to} owns, where the move costs the other groups least:
     *      no cost where a group's owner stays the same, else the load the new owner would carry above its group's
     *      mean; ties go to the emptiest slot.
     */
    private static Integer bestSlot(CollectionView v, int g, ClusterNode to, SegmentRef seg, Map<UUID, Long> load) {
        int groups = v.meta.spec().replicas();
        double[] mean = new double[groups];
        for (int h = 0; h < groups; h++) {
            List<ClusterNode> nodes = v.groups.nodes(h);
            long t = 0;
            for (ClusterNode n : nodes)
                t += load.getOrDefault(n.id(), 0L);
            mean[h] = nodes.isEmpty() ? 0 : (double)t / nodes.size();
        }
        long[] slotRows = v.target.rowsPerSlot(v.slotOwners.size());
        List<ClusterNode> from = v.slotOwners.get(seg.slot());
        Integer best = null;
        double bestCost = Double.MAX_VALUE;
        for (int p = 0; p < v.slotOwners.size(); p++) {
            List<ClusterNode> owners = v.slotOwners.get(p);
            if (p == seg.slot() || !to.equals(v.groups.owner(owners, g)))
                continue;
            double cost = 0;
            for (int h = 0; h < groups; h++) {
                if (h == g)
                    continue;
                ClusterNode now = v.groups.owner(from, h);
                ClusterNode next = v.groups.owner(owners, h);
                if (next == null || next.equals(now))
                    continue;
                cost += Math.max(0, load.getOrDefault(next.id(), 0L) + seg.rows() - mean[h]);
            }
            if (cost < bestCost || (cost == bestCost && slotRows[p] < slotRows[best])) {
                bestCost = cost;
                best = p;
            }
        }
        return best;
    }
}
