package io.vecgrid.search;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replica-choice formula and the job deadlines, on an injected clock (no sleeping, no wall-clock bounds). */
class ReplicaSelectorTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final ReplicaSelector sel = new ReplicaSelector(100, now::get);
    private final UUID a = new UUID(0, 1);
    private final UUID b = new UUID(0, 2);
    private final List<UUID> both = List.of(a, b);

    private int[] chosen(int rounds, int[] planned) {
        int[] n = new int[2];
        for (int i = 0; i < rounds; i++)
            n[sel.choose(both, planned, 1)]++;
        return n;
    }

    /** Answers a job on {@code node} with the given response and service times (ms). */
    private void answer(UUID node, long responseMs, long serviceMs) {
        answer(node, responseMs, serviceMs, 0);
    }

    /** As above, the node reporting {@code queue} other jobs running. */
    private void answer(UUID node, long responseMs, long serviceMs, int queue) {
        answer(node, responseMs, serviceMs, queue, 1);
    }

    /** As above, the node reporting that {@code routers} routers sent it work lately. */
    private void answer(UUID node, long responseMs, long serviceMs, int queue, int routers) {
        sel.sent(node);
        sel.answered(node, responseMs * MS, serviceMs * MS, queue, routers);
    }

    @Test
    void equalCopiesShareTheWork() {
        int[] n = chosen(1000, new int[2]);
        assertTrue(n[0] > 300 && n[1] > 300, "ties are broken at random: " + n[0] + " / " + n[1]);
        for (int i = 0; i < 10; i++) {
            answer(a, 2, 1);
            answer(b, 2, 1);
        }
        n = chosen(1000, new int[2]);
        assertTrue(n[0] > 300 && n[1] > 300, "measured equal, still shared: " + n[0] + " / " + n[1]);
    }

    @Test
    void slowerCopyLosesAndIsTriedAgainOnceItsFiguresFade() {
        for (int i = 0; i < 10; i++) {
            answer(a, 2, 1);
            answer(b, 40, 30);
        }
        assertEquals(1000, chosen(1000, new int[2])[0], "the fast copy takes every request");
        // b is not measured any more; after its figures are FRESH_MILLIS old they fade towards a's, the excess
        // halving every FRESH_MILLIS, and a's own outstanding work (the planned column) makes b worth a try.
        now.addAndGet(ReplicaSelector.FRESH_MILLIS * MS * 12);
        int[] n = chosen(1000, new int[] {1, 0});
        assertTrue(n[1] > 0, "faded figures get the slow copy tried again: " + n[1]);
    }

    @Test
    void outstandingWorkIsCubed() {
        for (int i = 0; i < 10; i++) {
            answer(a, 2, 1);
            answer(b, 3, 2);
        }
        // a is faster, but two jobs of this search are already planned there.
        assertEquals(1000, chosen(1000, new int[] {2, 0})[1], "the loaded copy loses at once");
        // a is faster, but its last answer said it was running three other jobs (other routers' work).
        answer(a, 2, 1, 3);
        assertEquals(1000, chosen(1000, new int[2])[1], "a node's reported queue counts");
        // That figure is forgotten once it is old: a wins again.
        now.addAndGet(ReplicaSelector.FRESH_MILLIS * MS + 1);
        answer(b, 3, 2);
        assertEquals(1000, chosen(1000, new int[2])[0], "an old queue figure is forgotten");
        // The same seen from this router's own outstanding jobs (sent, not answered yet).
        sel.sent(a);
        sel.sent(a);
        assertEquals(1000, chosen(1000, new int[2])[1], "work in flight counts");
        sel.abandoned(a);
        sel.abandoned(a);
        assertEquals(0, sel.outstanding(a));
    }

    @Test
    void aNodePastItsDeadlineGetsNoWorkUntilItAnswersOrItsSuspicionLapses() {
        for (int i = 0; i < 10; i++) {
            answer(a, 2, 1);
            answer(b, 2, 1);
        }
        // b stalls: one job passes its deadline (100 ms, the floor) and its search hedges and ends without it.
        sel.sent(b);
        sel.late(b, 100 * MS);
        sel.abandoned(b);
        assertEquals(1000, chosen(1000, new int[2])[0], "the copy that stalled gets no work");
        // a meanwhile takes all the work and its queue builds up (four other jobs when it last answered): by the
        // formula alone b, whose figures are those from before the stall, would now score better.
        answer(a, 8, 1, 4);
        assertEquals(1000, chosen(1000, new int[] {1, 0})[0], "the suspect copy gets no work while another copy is trusted");
        assertEquals(1, sel.choose(List.of(b), new int[1], 1) + 1, "a suspect copy that is the only one is still used");
        // Its suspicion lapses after FRESH_MILLIS: it is tried again.
        now.addAndGet(ReplicaSelector.FRESH_MILLIS * MS);
        assertTrue(chosen(1000, new int[] {1, 0})[1] > 0, "tried again once the suspicion lapsed");
        // Late again, then it answers (resumed): trusted at once.
        sel.late(b, 100 * MS);
        assertEquals(0, chosen(1000, new int[] {1, 0})[1], "suspect again");
        answer(b, 2, 1);
        assertTrue(chosen(1000, new int[] {1, 0})[1] > 0, "an answer clears the suspicion");
    }

    @Test
    void nearTiesShareTheWork() {
        // A local copy answers a little faster than a remote one: within NEAR_TIE of the best, both take work.
        for (int i = 0; i < 10; i++) {
            answer(a, 2, 1);
            answer(b, 2, 1);
        }
        answer(a, 1, 1);
        int[] n = chosen(1000, new int[2]);
        assertTrue(n[0] > 300 && n[1] > 300, "near-equal copies share: " + n[0] + " / " + n[1]);
    }

    @Test
    void deadlineIsThreeTimesP95AboveAFloor() {
        assertEquals(1_000 * MS, sel.deadlineNanos(a), "a node with few answers gets a second");
        for (int i = 0; i < 100; i++)
            answer(a, i < 95 ? 1 : 50, 1);
        // 64 most recent answers, 5 of them 50 ms: p95 is 50 ms.
        assertEquals(150 * MS, sel.deadlineNanos(a));
        for (int i = 0; i < 64; i++)
            answer(b, 1, 1);
        assertEquals(100 * MS, sel.deadlineNanos(b), "never below the floor");
        // Late jobs do not lengthen the node's deadline.
        sel.late(b, 5_000 * MS);
        assertEquals(100 * MS, sel.deadlineNanos(b));
    }

    @Test
    void aNodeWithFewAnswersGetsTheDeadlineOfEveryNodesAnswers() {
        UUID c = new UUID(0, 3);
        assertEquals(1_000 * MS, sel.deadlineNanos(c), "nothing known at all: a second");
        for (int i = 0; i < 7; i++)
            answer(a, 60, 1);
        assertEquals(1_000 * MS, sel.deadlineNanos(c), "seven answers in all are too few to judge by");
        answer(b, 60, 1);
        // Eight answers in all, none from c: c's deadline comes from them (3 x 60 ms).
        assertEquals(180 * MS, sel.deadlineNanos(c));
        assertEquals(1_000 * MS, new ReplicaSelector(100, now::get).deadlineNanos(c), "a router of its own knows nothing");
        // Once c has answers of its own, they decide.
        for (int i = 0; i < ReplicaSelector.MIN_SAMPLES; i++)
            answer(c, 2, 1);
        assertEquals(100 * MS, sel.deadlineNanos(c));
    }

    @Test
    void roundRobinTakesCopiesInTurnWhateverTheirLoad() {
        ReplicaSelector rr = new ReplicaSelector(100, now::get, true);
        for (int i = 0; i < 10; i++) {
            rr.sent(a);
            rr.answered(a, 2 * MS, MS, 0, 1);
            rr.sent(b);
            rr.answered(b, 400 * MS, 300 * MS, 5, 1);
        }
        int[] n = new int[2];
        for (int i = 0; i < 1000; i++)
            n[rr.choose(both, new int[2], 7)]++;
        assertEquals(500, n[0]);
        assertEquals(500, n[1]);
        // A search places several segments: each takes its own turns, so every segment alternates between its copies
        // (one counter for all would send segment 1 always to the same copy when a search places two).
        int[][] per = new int[2][2];
        for (int i = 0; i < 1000; i++) {
            per[0][rr.choose(both, new int[2], 1)]++;
            per[1][rr.choose(both, new int[2], 2)]++;
        }
        assertEquals(500, per[0][0], "segment 1 alternates");
        assertEquals(500, per[1][0], "segment 2 alternates");
    }

    @Test
    void outstandingWorkCountsOncePerRouterTheNodeServes() {
        for (int i = 0; i < 10; i++) {
            answer(a, 2, 1, 0, 1);
            answer(b, 13, 12, 0, 1);
        }
        // One job of this router out on a, and only this router sends a work: a (q = 2) still beats b (not a near tie).
        sel.sent(a);
        assertEquals(1000, chosen(1000, new int[2])[0], "own outstanding work, one router");
        // a says three routers send it work: the others are assumed to keep as much there, q = 1 + 1 * 3.
        answer(a, 2, 1, 0, 3);
        assertEquals(1000, chosen(1000, new int[2])[1], "three routers' worth of outstanding work");
        sel.abandoned(a);
    }
}
