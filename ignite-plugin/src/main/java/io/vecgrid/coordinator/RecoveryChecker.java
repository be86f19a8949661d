package io.vecgrid.coordinator;

import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.ShardState;

import java.util.ArrayList;
import java.util.List;

/**
 * Replaced segments whose grace period is over are dropped (their chunks and marks), whoever replaced them.
 * Layout operations nobody drives any more are recovered: undone if they had not published, finished if they had.
 * An operation whose driver node is gone (it died or restarted: a restarted node has a new id) is recovered on the
 * shard's primary at once; one whose driver is alive but that has run for {@link #ORPHAN_MILLIS} is recovered on the
 * driver's node, only if no thread there drives it any more (it gave up and its own undo failed, e.g. when a node left
 * in the middle of the undo's transaction); a driver's node that no longer holds the shard's rows hands the recovery to
 * the shard's primary. A driver may legitimately take longer (a large merge; waiting for copies
 * to load), so a live driver's node decides, not the operation's age.
 */
final class RecoveryChecker implements Checker {
    /** Age after which an operation of a live driver is checked on the driver's node, ms. */
    static final long ORPHAN_MILLIS = 30_000;

    @Override public List<CoordinatorTask> check(CollectionView v) {
        List<CoordinatorTask> res = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (ShardState st : v.shards) {
            List<io.vecgrid.collection.SegmentRef> due = st.droppable(now);
            if (!due.isEmpty()) {
                List<Long> ids = new ArrayList<>();
                due.forEach(r -> ids.add(r.id()));
                res.add(new CoordinatorTask(CoordinatorTask.Kind.DROP, v.meta.name(), v.meta.uid(), st.shard(), ids, null,
                    "replaced, grace period over"));
            }
            for (LayoutOp op : st.ops()) {
                boolean gone = !v.alive.test(op.driver());
                long age = now - op.startedAtMillis();
                if (gone) {
                    res.add(new CoordinatorTask(CoordinatorTask.Kind.RECOVER, v.meta.name(), v.meta.uid(), st.shard(),
                        List.of(op.segment()), null, "driver " + op.driver() + " is gone: " + op));
                }
                else if (age > ORPHAN_MILLIS) {
                    res.add(new CoordinatorTask(CoordinatorTask.Kind.RECOVER, v.meta.name(), v.meta.uid(), st.shard(),
                        List.of(op.segment()), null, "running for " + age / 1000 + " s; recovered if its node no " +
                        "longer drives it: " + op).on(op.driver()));
                }
            }
        }
        return res;
    }
}
