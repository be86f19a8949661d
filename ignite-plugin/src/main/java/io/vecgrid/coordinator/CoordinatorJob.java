package io.vecgrid.coordinator;

import io.vecgrid.Vecgrid;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.Ignite;
import io.vecgrid.plugin.NodeCall;

import java.util.ArrayList;
import java.util.List;

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
        if (task.kind() == CoordinatorTask.Kind.SEAL)
            return "sealed " + vg.sealer().sealPastThreshold(meta, task.shard()) + " segments";
        CollectionTarget target = vg.metaStore().target(meta.name());
        List<SegmentRef> sources = new ArrayList<>();
        for (long id : task.sources()) {
            SegmentRef ref = target.segment(id);
            if (ref == null)
                return "skipped: segment " + id + " left the target";
            sources.add(ref);
        }
        SegmentRef made = vg.sealer().reseal(meta, task.shard(), sources, task.slot());
        return made == null ? "abandoned" : "made " + made;
    }
}
