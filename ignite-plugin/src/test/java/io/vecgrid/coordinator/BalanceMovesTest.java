package io.vecgrid.coordinator;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balancer's choice of moves ({@link BalanceChecker.Moves}) over plain numbers: the coordinator's ticks are
 * played one after the other, each applying the move the balancer asks for, as the coordinator would once the move
 * is done. The cluster-level behaviour (segments really moving as nodes join, searches exact) is {@link BalanceTest}.
 */
class BalanceMovesTest {
    private static final double TOLERANCE = 0.3;

    /** Two groups of two nodes: group 0 is nodes 0 and 1, group 1 is nodes 2 and 3. */
    private static final int[][] TWO_BY_TWO = {{0, 1}, {2, 3}};

    @Test
    void picksTheMoveThatKeepsTheOtherGroupEven() {
        // Slots: 0 = (node 0, node 2), 1 = (node 1, node 3), 2 = (node 0, node 3).
        int[][] owner = {{0, 2}, {1, 3}, {0, 3}};
        long[] rows = {10, 10};
        int[] slot = {0, 2};
        // Group 0 is 20 / 0, group 1 is 10 / 10. Moving segment 0 to slot 1 would even group 0 and unbalance group
        // 1 (20 on node 3); moving segment 1 there keeps node 3 its owner.
        int[] move = new BalanceChecker.Moves(owner, 4, rows, slot, new boolean[] {true, true}).next(TWO_BY_TWO, TOLERANCE);
        assertArrayEquals(new int[] {1, 1, 0, 0, 1, 20}, move);
        slot[1] = 1;
        assertNull(new BalanceChecker.Moves(owner, 4, rows, slot, new boolean[] {true, true}).next(TWO_BY_TWO, TOLERANCE),
            "even in both groups");
    }

    @Test
    void doesNotEvenOneGroupByUnbalancingAnother() {
        // Group 0 is nodes 0 and 1, group 1 is nodes 2, 3 and 4. Slots: 0 = (node 0, node 2), 1 = (node 0, node 3),
        // 2 = (node 1, node 4); four 1-row segments in each. Loads: group 0 8 / 4, group 1 4 / 4 / 4.
        int[][] members = {{0, 1}, {2, 3, 4}};
        int[][] owner = {{0, 2}, {0, 3}, {1, 4}};
        long[] rows = new long[12];
        Arrays.fill(rows, 1);
        int[] slot = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
        boolean[] movable = new boolean[12];
        Arrays.fill(movable, true);
        // The first move (to slot 2, node 4 gains a row in group 1) lowers the sum of squares; a second one would
        // even out group 0 (6 / 6) only by making node 4 group 1's busiest (6 against 2 or 3): group 1 would then ask
        // to move a segment back onto node 0's slots, and so on. It is not made.
        assertEquals(1, playToTheEnd(owner, 5, rows, slot, movable, members, TOLERANCE, 10));
        BalanceChecker.Moves end = new BalanceChecker.Moves(owner, 5, rows, slot, movable);
        long[] loads = new long[5];
        for (int n = 0; n < 5; n++)
            loads[n] = end.loadOf(n);
        assertArrayEquals(new long[] {7, 5, 3, 4, 5}, loads);
    }

    @Test
    void busySegmentsStay() {
        int[][] owner = {{0, 2}, {1, 3}};
        long[] rows = {10, 10};
        int[] slot = {0, 0};
        assertNull(new BalanceChecker.Moves(owner, 4, rows, slot, new boolean[] {false, false}).next(TWO_BY_TWO, TOLERANCE));
        int[] move = new BalanceChecker.Moves(owner, 4, rows, slot, new boolean[] {false, true}).next(TWO_BY_TWO, TOLERANCE);
        assertArrayEquals(new int[] {1, 1}, Arrays.copyOf(move, 2));
    }

    @Test
    void aSegmentBiggerThanHalfTheGapStays() {
        int[][] owner = {{0, 2}, {1, 3}};
        // 30 vs 10: moving the 30-row segment would turn the gap around; the 5-row ones narrow it.
        long[] rows = {30, 10, 5};
        int[] slot = {0, 1, 0};
        int[] move = new BalanceChecker.Moves(owner, 4, rows, slot, new boolean[] {true, true, true}).next(TWO_BY_TWO, 0.1);
        assertArrayEquals(new int[] {2, 1}, Arrays.copyOf(move, 2));
    }

    @Test
    void settledSegmentsMoveOntoShardLeadersWhenThatKeepsTheGroupEven() {
        // One group of three nodes (one copy); node 2 leads both shards and holds nothing, nodes 0 and 1 hold one
        // segment each. Slots 0, 1, 2 are owned by nodes 0, 1, 2.
        int[][] members = {{0, 1, 2}};
        int[][] owner = {{0}, {1}, {2}};
        long[] rows = {100, 100};
        int[] slot = {0, 1};
        boolean[] movable = {true, true};
        boolean[] leads = {false, false, true};
        BalanceChecker.Moves m = new BalanceChecker.Moves(owner, 3, rows, slot, movable);
        assertNull(m.next(members, TOLERANCE), "within the tolerance: 100 / 100 / 0 is as even as two segments get");
        assertNull(m.colocate(members, leads, new boolean[] {false, false}), "shards not settled yet");
        int[] move = m.colocate(members, leads, new boolean[] {true, true});
        assertArrayEquals(new int[] {0, 2, 0, 0, 2}, move);
        slot[0] = 2;
        // Now node 2 holds 100: a second segment there (200) would pass the group's highest.
        m = new BalanceChecker.Moves(owner, 3, rows, slot, movable);
        assertNull(m.colocate(members, leads, new boolean[] {true, true}));
        assertNull(m.next(members, TOLERANCE));
    }

    @Test
    void coLocationKeepsTheOtherGroupsOwners() {
        // Two groups; node 1 (group 0) leads. The only slot of node 1 has another group-1 owner than segment 0's.
        int[][] members = {{0, 1}, {2, 3}};
        int[][] owner = {{0, 2}, {1, 3}};
        BalanceChecker.Moves m = new BalanceChecker.Moves(owner, 4, new long[] {100}, new int[] {0}, new boolean[] {true});
        assertNull(m.colocate(members, new boolean[] {false, true, false, false}, new boolean[] {true}));
    }

    /**
     * Random placements as the affinity makes them (64 slots, every slot one owner per group, 2 or 3 groups of 2 to
     * 4 nodes) and random segments: played tick after tick, every move lowers the sum of squared loads (so no layout
     * comes back: no ping-pong), the moves end, and at the end every group is within the tolerance.
     */
    @Test
    void movesEndWithEveryGroupEvenAndNeverGoBack() {
        for (int seed = 1; seed <= 200; seed++) {
            Random rnd = new Random(seed);
            int groups = 2 + rnd.nextInt(2);
            int[][] members = new int[groups][];
            int nodes = 0;
            for (int g = 0; g < groups; g++) {
                members[g] = new int[2 + rnd.nextInt(3)];
                for (int j = 0; j < members[g].length; j++)
                    members[g][j] = nodes++;
            }
            int[][] owner = new int[64][groups];
            for (int p = 0; p < 64; p++) {
                for (int g = 0; g < groups; g++)
                    owner[p][g] = members[g][rnd.nextInt(members[g].length)];
            }
            int segs = 30 + rnd.nextInt(60);
            long[] rows = new long[segs];
            int[] slot = new int[segs];
            boolean[] movable = new boolean[segs];
            // Skewed: a new node's arrival, or segments sealed on few slots.
            int hot = rnd.nextInt(64);
            for (int i = 0; i < segs; i++) {
                rows[i] = 100 + rnd.nextInt(2000);
                slot[i] = rnd.nextInt(3) == 0 ? hot : rnd.nextInt(64);
                movable[i] = true;
            }
            int moves = playToTheEnd(owner, nodes, rows, slot, movable, members, TOLERANCE, 10 * segs);
            BalanceChecker.Moves end = new BalanceChecker.Moves(owner, nodes, rows, slot, movable);
            for (int g = 0; g < groups; g++) {
                long max = Long.MIN_VALUE, min = Long.MAX_VALUE, total = 0;
                for (int n : members[g]) {
                    max = Math.max(max, end.loadOf(n));
                    min = Math.min(min, end.loadOf(n));
                    total += end.loadOf(n);
                }
                double mean = (double)total / members[g].length;
                assertTrue(max - min <= TOLERANCE * mean,
                    "seed " + seed + ", group " + g + ": loads " + min + " .. " + max + " (mean " + mean + ") after " +
                        moves + " moves");
            }
        }
    }

    /** Plays the balancer's moves until it asks for none; each must lower the sum of squares. @return moves made. */
    private static int playToTheEnd(int[][] owner, int nodes, long[] rows, int[] slot, boolean[] movable,
        int[][] members, double tolerance, int bound) {
        Set<String> seen = new HashSet<>();
        for (int moves = 0; ; moves++) {
            assertTrue(moves <= bound, "more than " + bound + " moves");
            assertTrue(seen.add(Arrays.toString(slot)), "a layout came back after " + moves + " moves");
            BalanceChecker.Moves m = new BalanceChecker.Moves(owner, nodes, rows, slot, movable);
            int[] move = m.next(members, tolerance);
            if (move == null)
                return moves;
            double before = squares(m, nodes);
            double delta = m.delta(move[0], move[1]);
            slot[move[0]] = move[1];
            double after = squares(new BalanceChecker.Moves(owner, nodes, rows, slot, movable), nodes);
            assertTrue(after < before, "move " + moves + " raised the sum of squared loads: " + before + " -> " + after);
            assertEquals(after - before, delta, 1e-3, "the balancer's own account of the change");
        }
    }

    private static double squares(BalanceChecker.Moves m, int nodes) {
        double s = 0;
        for (int n = 0; n < nodes; n++)
            s += (double)m.loadOf(n) * m.loadOf(n);
        return s;
    }
}
