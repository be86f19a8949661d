package io.vecgrid.coordinator;

import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.ShardState;

import java.util.ArrayList;
import java.util.List;

/**
 * Layout operations whose driver node is gone (it died or restarted: a restarted node has a new id), or that have
 * run far longer than any seal or merge should, are recovered: undone if they had not published, finished if they
 * had.
 */
final class RecoveryChecker implements Checker {
    /** An operation older than this is recovered even if its driver is alive (it gave up without cleaning up). */
    static final long MAX_OP_MILLIS = 3_600_000;

    @Override public List<CoordinatorTask> check(CollectionView v) {
        List<CoordinatorTask> res = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (ShardState st : v.shards) {
            for (LayoutOp op : st.ops()) {
                boolean gone = !v.alive.test(op.driver());
                if (gone || now - op.startedAtMillis() > MAX_OP_MILLIS) {
                    res.add(new CoordinatorTask(CoordinatorTask.Kind.RECOVER, v.meta.name(), v.meta.uid(), st.shard(),
                        List.of(op.segment()), null, (gone ? "driver " + op.driver() + " is gone" : "running for " +
                        (now - op.startedAtMillis()) / 1000 + " s") + ": " + op));
                }
            }
        }
        return res;
    }
}
