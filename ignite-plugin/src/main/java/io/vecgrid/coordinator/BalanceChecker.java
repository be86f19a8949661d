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

/**
 * Inside every replica group, sealed rows per node should stay even. When the most and least loaded nodes of a group
 * differ by more than {@code balanceTolerance} of the group's mean (and by more than a segment's worth), one segment
 * of the most loaded node moves — bytes and index copied, nothing rebuilt — to a slot the least loaded node owns.
 *
 * <p>A slot has one owner in every group, so a move changes every group's placement. Of the possible moves the one
 * taken lowers the sum over all nodes of their squared load the most ({@link Moves#best}); a move that does not lower
 * it at all is not made, even when it would even out the group that asked: evening out one group by unbalancing
 * another would only make that group move the segment back on the next tick (a ping-pong seen with two groups). As
 * every move lowers that sum, moves stop by themselves while the segments stay as they are. One move per collection
 * and tick, never of a segment an operation is working on; moves started and not over yet count as done. With
 * nothing to even out, a segment of a settled shard moves onto a node that leads a shard when that leaves its group
 * no less even ({@link Moves#colocate}).
 */
final class BalanceChecker implements Checker {
    @Override public List<CoordinatorTask> check(CollectionView v) {
        int groups = v.meta.spec().replicas();
        int slots = v.slotOwners.size();
        // Nodes numbered; owner[slot][group] = node number or -1.
        List<ClusterNode> nodes = new ArrayList<>();
        Map<ClusterNode, Integer> index = new HashMap<>();
        int[][] owner = new int[slots][groups];
        for (int p = 0; p < slots; p++) {
            for (int g = 0; g < groups; g++) {
                ClusterNode n = v.groups.owner(v.slotOwners.get(p), g);
                owner[p][g] = n == null ? -1 : index.computeIfAbsent(n, x -> {
                    nodes.add(x);
                    return nodes.size() - 1;
                });
            }
        }
        // Moves under way count as done: the loads they were chosen on are gone, and a tick that still saw the old
        // ones would move another segment for the same gap (and the next one back again).
        Map<Long, Integer> movingTo = new HashMap<>();
        for (CoordinatorTask t : v.running) {
            if (t.kind() == CoordinatorTask.Kind.MOVE)
                movingTo.put(t.sources().get(0), t.slot());
        }
        Set<Long> busy = new HashSet<>(movingTo.keySet());
        for (ShardState st : v.shards) {
            for (LayoutOp op : st.ops()) {
                busy.addAll(op.sources());
                if (op.kind() == LayoutOp.Kind.MOVE && op.phase() == LayoutOp.Phase.BUILDING)
                    movingTo.put(op.sources().get(0), op.slot());
            }
            if (st.ops().stream().anyMatch(op -> op.kind() != LayoutOp.Kind.SEAL)) {
                for (SegmentRef s : st.segments())
                    busy.add(s.id());
            }
        }
        List<SegmentRef> segs = v.target.segments();
        long[] rows = new long[segs.size()];
        int[] slot = new int[segs.size()];
        boolean[] movable = new boolean[segs.size()];
        for (int i = 0; i < segs.size(); i++) {
            rows[i] = segs.get(i).rows();
            slot[i] = movingTo.getOrDefault(segs.get(i).id(), segs.get(i).slot());
            movable[i] = !busy.contains(segs.get(i).id());
        }
        int[][] members = new int[groups][];
        for (int g = 0; g < groups; g++)
            members[g] = v.groups.nodes(g).stream().mapToInt(n -> index.getOrDefault(n, -1)).toArray();
        Moves moves = new Moves(owner, nodes.size(), rows, slot, movable);
        int[] move = moves.next(members, v.cfg.getBalanceTolerance());
        if (move != null) {
            SegmentRef pick = segs.get(move[0]);
            return List.of(new CoordinatorTask(CoordinatorTask.Kind.MOVE, v.meta.name(), v.meta.uid(), pick.shard(),
                List.of(pick.id()), move[1], "group " + move[2] + ": node " + nodes.get(move[3]).id() + " holds " +
                move[5] + " more rows than node " + nodes.get(move[4]).id()));
        }
        boolean[] leads = new boolean[nodes.size()];
        for (int n = 0; n < nodes.size(); n++)
            leads[n] = v.leaders.contains(nodes.get(n).id());
        boolean[] settled = new boolean[segs.size()];
        for (int i = 0; i < segs.size(); i++)
            settled[i] = segs.get(i).shard() < v.quiet.length && v.quiet[segs.get(i).shard()];
        move = moves.colocate(members, leads, settled);
        if (move == null)
            return List.of();
        SegmentRef pick = segs.get(move[0]);
        return List.of(new CoordinatorTask(CoordinatorTask.Kind.MOVE, v.meta.name(), v.meta.uid(), pick.shard(),
            List.of(pick.id()), move[1], "group " + move[2] + ": node " + nodes.get(move[4]).id() + " leads a shard " +
            "(every search asks it for growing rows) and has room for segment " + pick.id() + " of node " +
            nodes.get(move[3]).id()));
    }

    /** Loads and candidate moves of one collection over plain numbers (nodes, slots and segments by index). */
    static final class Moves {
        /** Node number owning each slot in each group, -1 for none. */
        private final int[][] owner;
        private final long[] rows;
        private final int[] slot;
        private final boolean[] movable;
        /** Sealed rows per node. */
        private final long[] load;
        /** Sealed rows per slot. */
        private final long[] slotRows;

        /**
         * @param owner {@code owner[slot][group]}: the node (0 .. nodes - 1) owning that slot in that group, or -1.
         * @param rows rows of each segment.
         * @param slot slot of each segment.
         * @param movable whether each segment may move (no operation works on it).
         */
        Moves(int[][] owner, int nodes, long[] rows, int[] slot, boolean[] movable) {
            this.owner = owner;
            this.rows = rows;
            this.slot = slot;
            this.movable = movable;
            load = new long[nodes];
            slotRows = new long[owner.length];
            for (int i = 0; i < rows.length; i++) {
                slotRows[slot[i]] += rows[i];
                for (int n : owner[slot[i]]) {
                    if (n >= 0)
                        load[n] += rows[i];
                }
            }
        }

        /** @return sealed rows the node holds (0 for -1, a node owning no slot). */
        long loadOf(int node) {
            return node < 0 ? 0 : load[node];
        }

        /**
         * @param members node numbers of each group (-1: a node owning no slot).
         * @return {@code {segment, slot, group, from, to, gap}}: the move the first group whose most and least loaded
         *      nodes differ by more than {@code tolerance} of its mean asks for ({@link #best}), or {@code null}.
         */
        int[] next(int[][] members, double tolerance) {
            for (int g = 0; g < members.length; g++) {
                if (members[g].length < 2)
                    continue;
                // A node owning no slot (-1) has no load, and no slot to move a segment to.
                int max = members[g][0], min = max;
                long total = 0;
                for (int n : members[g]) {
                    total += loadOf(n);
                    if (loadOf(n) > loadOf(max))
                        max = n;
                    if (loadOf(n) < loadOf(min))
                        min = n;
                }
                if (max < 0 || min < 0)
                    continue;
                double mean = (double)total / members[g].length;
                long gap = load[max] - load[min];
                if (mean == 0 || gap <= tolerance * mean)
                    continue;
                int[] move = best(g, max, min);
                if (move != null)
                    return new int[] {move[0], move[1], g, max, min, (int)Math.min(Integer.MAX_VALUE, gap)};
            }
            return null;
        }

        /**
         * @return {@code {segment, slot}}: the move of a segment of node {@code from} to a slot node {@code to} owns
         *      in group {@code g} that narrows that group's gap without overshooting it and lowers the sum of squared
         *      node loads the most (ties: the emptier slot, then the bigger segment); {@code null} when no such move
         *      lowers it.
         */
        int[] best(int g, int from, int to) {
            long gap = load[from] - load[to];
            int[] best = null;
            double bestDelta = 0;
            for (int i = 0; i < rows.length; i++) {
                if (!movable[i] || owner[slot[i]][g] != from || rows[i] * 2 > gap + 1)
                    continue;
                for (int p = 0; p < owner.length; p++) {
                    if (p == slot[i] || owner[p][g] != to)
                        continue;
                    double delta = delta(i, p);
                    boolean better = best == null ? delta < 0 : delta < bestDelta ||
                        (delta == bestDelta && (slotRows[p] < slotRows[best[1]] ||
                            (slotRows[p] == slotRows[best[1]] && rows[i] > rows[best[0]])));
                    if (better) {
                        best = new int[] {i, p};
                        bestDelta = delta;
                    }
                }
            }
            return best;
        }

        /**
         * With nothing to even out: a segment of a settled shard on a node that leads no shard, moved to a slot whose
         * owner in that group leads one (holds a shard's growing rows) — if that owner's load stays at or below the
         * group's highest, the node it leaves stays at or above the group's lowest (the group is no less even, so no
         * balance move undoes it), and the slot's owners in the other groups are the same. Every search asks each
         * shard's leader for its growing rows, so a segment there rides in a job sent anyway: with two shards on three
         * nodes and one copy, a settled search touches two nodes instead of three. Segments only ever move onto
         * leaders this way, so these moves end too. Biggest segments first.
         *
         * @param leads whether each node leads a shard.
         * @param settled whether each segment's shard is settled (no seal, merge or move lately).
         * @return {@code {segment, slot, group, from, to}}, or {@code null}.
         */
        int[] colocate(int[][] members, boolean[] leads, boolean[] settled) {
            Integer[] order = new Integer[rows.length];
            for (int i = 0; i < order.length; i++)
                order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Long.compare(rows[b], rows[a]));
            for (int i : order) {
                if (!movable[i] || !settled[i])
                    continue;
                for (int g = 0; g < members.length; g++) {
                    int x = owner[slot[i]][g];
                    if (x < 0 || leads[x])
                        continue;
                    long hi = Long.MIN_VALUE;
                    long lo = Long.MAX_VALUE;
                    for (int n : members[g]) {
                        hi = Math.max(hi, loadOf(n));
                        lo = Math.min(lo, loadOf(n));
                    }
                    if (load[x] - rows[i] < lo)
                        continue;
                    for (int p = 0; p < owner.length; p++) {
                        int y = owner[p][g];
                        if (p == slot[i] || y < 0 || !leads[y] || load[y] + rows[i] > hi)
                            continue;
                        boolean othersStay = true;
                        for (int h = 0; h < members.length; h++)
                            othersStay &= h == g || owner[p][h] == owner[slot[i]][h];
                        if (othersStay)
                            return new int[] {i, p, g, x, y};
                    }
                }
            }
            return null;
        }

        /** @return how the sum of squared node loads changes when segment {@code i} moves to slot {@code p}. */
        double delta(int i, int p) {
            double r = rows[i];
            double d = 0;
            for (int h = 0; h < owner[p].length; h++) {
                int now = owner[slot[i]][h];
                int next = owner[p][h];
                if (now == next)
                    continue;
                if (now >= 0)
                    d += r * r - 2 * r * load[now];
                if (next >= 0)
                    d += r * r + 2 * r * load[next];
            }
            return d;
        }

    }
}
