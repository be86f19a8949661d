package io.vecgrid.coordinator;

import io.vecgrid.Vecgrid;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.LayoutOp;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.plugin.NodeCall;
import org.apache.ignite.Ignite;

/** Carries out one {@link CoordinatorTask} on the shard's primary. */
final class CoordinatorJob implements NodeCall<String> {
    private static final long serialVersionUID = 1L;

    private final CoordinatorTask task;

    CoordinatorJob(CoordinatorTask task) {
        this.task = task;
    }

    @Override public String call(Ignite ignite) {
        Vecgrid vg = Vecgrid.local(ignite);
        CollectionMeta meta = vg.metaStore().meta(task.collection());
        if (meta == null || !meta.uid().equals(task.uid()))
            return "skipped: collection changed";
        switch (task.kind()) {
            case RESHAPE:
                return vg.replicaChange().drive(task.collection());
            case RETIRE:
                return vg.replicaChange().retire(task.collection());
            case SEAL:
                return "sealed " + vg.sealer().sealPastThreshold(meta, task.shard()) + " segments";
            case MERGE: {
                SegmentRef made = vg.rewriter().merge(meta, task.shard(), task.sources());
                return made == null ? "not done (sources changed or busy)" : "made " + made;
            }
            case MOVE: {
                SegmentRef made = vg.rewriter().move(meta, task.shard(), task.sources().get(0), task.slot());
                return made == null ? "not done (source changed or busy)" : "made " + made;
            }
            case DROP:
                return vg.rewriter().dropRetired(meta, task.shard());
            case RECOVER: {
                ShardState st = vg.metaStore().shardState(meta, task.shard());
                LayoutOp op = st == null ? null : st.op(task.sources().get(0));
                if (op == null)
                    return "nothing to recover";
                if (op.driver().equals(ignite.cluster().localNode().id())) {
                    if (vg.layoutRecovery().drivenHere(meta, op))
                        return "still driven by this node";
                    if (io.vecgrid.shard.LocalPartitions.owning(ignite, meta.rowsCache(), task.shard()) == null) {
                        // Its driver gave it up, but the shard's rows are no longer on this node (a node left and the
                        // partition moved): undoing or finishing needs them, so the shard's primary recovers it. A
                        // driver never takes up an operation it gave up, so nothing here can race that recovery.
                        org.apache.ignite.cluster.ClusterNode primary =
                            ignite.affinity(meta.rowsCache()).mapPartitionToNode(task.shard());
                        if (primary == null)
                            return "not done: the shard has no primary now";
                        return "on the shard's primary " + primary.id() + ": " + NodeCall.callOn(ignite, primary,
                            new CoordinatorJob(new CoordinatorTask(CoordinatorTask.Kind.RECOVER, task.collection(),
                                task.uid(), task.shard(), task.sources(), null, task.reason())));
                    }
                }
                return vg.layoutRecovery().recover(meta, task.shard(), op);
            }
            default:
                return "unknown task";
        }
    }
}
