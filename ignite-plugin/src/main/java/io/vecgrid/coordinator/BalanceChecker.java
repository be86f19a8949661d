package io.vecgrid.coordinator;

import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.cluster.ClusterNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Inside every replica group, sealed rows per node should stay even. When the most and least loaded nodes of a group
 * differ by more than {@code balanceTolerance} of the group's mean (and by more than a segment's worth), one segment
 * of the most loaded node moves to a slot the least loaded node owns. One move per collection and tick.
 */
final class BalanceChecker implements Checker {
    @Override public List<CoordinatorTask> check(CollectionView v) {
        Map<UUID, Long> load = new HashMap<>();
        for (SegmentRef s : v.target.segments()) {
            for (ClusterNode n : v.slotOwners.get(s.slot()))
                load.merge(n.id(), (long)s.rows(), Long::sum);
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
                if (v.slotOwners.get(s.slot()).contains(max) && s.rows() * 2L <= gap + 1 &&
                    (pick == null || s.rows() > pick.rows()))
                    pick = s;
            }
            if (pick == null)
                continue;
            Integer slot = bestSlotOf(v, min, pick, load);
            if (slot == null)
                continue;
            List<CoordinatorTask> res = new ArrayList<>();
            res.add(new CoordinatorTask(CoordinatorTask.Kind.RESLOT, v.meta.name(), v.meta.uid(), pick.shard(),
                List.of(pick.id()), slot, "group " + g + ": node " + max.id() + " holds " + gap +
                " more rows than node " + min.id()));
            return res;
        }
        return List.of();
    }

    /** @return the slot owned by {@code to} whose busiest owner would carry the least after the move. */
    private static Integer bestSlotOf(CollectionView v, ClusterNode to, SegmentRef seg, Map<UUID, Long> load) {
        Integer best = null;
        long bestMax = Long.MAX_VALUE;
        for (int p = 0; p < v.slotOwners.size(); p++) {
            List<ClusterNode> owners = v.slotOwners.get(p);
            if (!owners.contains(to) || p == seg.slot())
                continue;
            long m = 0;
            for (ClusterNode o : owners)
                m = Math.max(m, load.getOrDefault(o.id(), 0L) + seg.rows());
            if (m < bestMax) {
                bestMax = m;
                best = p;
            }
        }
        return best;
    }
}
