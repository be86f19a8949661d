package io.vecgrid.segment;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import org.apache.ignite.IgniteLogger;

/**
 * Finishes or undoes a layout operation whose driver died (or gave up without cleaning up), on the shard's primary
 * (or on the driver's node, when it gave the operation up and still holds the shard's rows):
 * an operation that had not published is undone (its rows unmarked, its segment's chunks and marks removed, the
 * operation gone from the shard's state); one that had published is finished (locations re-pointed, forwards ended,
 * sources dropped). Every step is idempotent, so a recovery racing a driver that is alive after all does no harm.
 * Thread-safe.
 */
public final class LayoutRecovery {
    private final LayoutSteps steps;
    private final Rewriter rewriter;
    private final IgniteLogger log;

    private final io.vecgrid.metrics.VecgridMetrics metrics;

    public LayoutRecovery(LayoutSteps steps, Rewriter rewriter, IgniteLogger log, io.vecgrid.metrics.VecgridMetrics metrics) {
        this.steps = steps;
        this.metrics = metrics;
        this.rewriter = rewriter;
        this.log = log;
    }

    /** @return whether a thread of this node drives {@code op} right now (then it is not recovered). */
    public boolean drivenHere(CollectionMeta meta, LayoutOp op) {
        return steps.driving(meta, op.segment());
    }

    /** @return what was done. */
    public String recover(CollectionMeta meta, int shard, LayoutOp op) {
        metrics.recovered();
        String why = op.driver().equals(steps.localNodeId()) ? "its driver on this node gave it up" :
            steps.alive(op.driver()) ? "its driver gave it up and no longer holds the shard" : "its node is gone";
        if (op.phase() == LayoutOp.Phase.BUILDING) {
            steps.undo(meta, shard, op);
            log.info("Undid " + op + " of collection '" + meta.name() + "' shard " + shard + " (" + why + ")");
            return "undone";
        }
        rewriter.finish(meta, shard, op, null);
        steps.handOff(meta, shard);
        log.info("Finished " + op + " of collection '" + meta.name() + "' shard " + shard + " (" + why + ")");
        return "finished";
    }
}
