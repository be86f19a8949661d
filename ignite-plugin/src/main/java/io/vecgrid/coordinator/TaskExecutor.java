package io.vecgrid.coordinator;

import io.vecgrid.collection.CollectionMeta;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import io.vecgrid.plugin.NodeCall;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.lang.IgniteFuture;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place coordinator tasks are carried out: each on its shard's primary (through {@link NodeCall}, off Ignite's
 * public pool), asynchronously, at most one at a time per shard (a task for a busy shard waits for a later tick).
 */
final class TaskExecutor {
    private final Ignite ignite;
    private final IgniteLogger log;
    /** Tasks started and not yet over, by {@link CoordinatorTask#shardKey}. */
    private final Map<String, CoordinatorTask> busy = new ConcurrentHashMap<>();

    TaskExecutor(Ignite ignite) {
        this.ignite = ignite;
        this.log = ignite.log().getLogger(TaskExecutor.class);
    }

    /** @return tasks of the collection generation {@code uid} started and not yet over. */
    List<CoordinatorTask> running(String uid) {
        return busy.values().stream().filter(t -> uid.equals(t.uid())).toList();
    }

    void execute(CollectionMeta meta, List<CoordinatorTask> tasks) {
        for (CoordinatorTask t : tasks) {
            if (busy.putIfAbsent(t.shardKey(), t) != null)
                continue;
            boolean quiet = t.kind() == CoordinatorTask.Kind.SEAL || t.kind() == CoordinatorTask.Kind.RESHAPE ||
                t.kind() == CoordinatorTask.Kind.RETIRE || t.node() != null;
            if (!quiet)
                log.info("Coordinator: " + t);
            try {
                // Collection-wide tasks (replica changes) run here, on the coordinator's node; shard tasks on the
                // shard's primary, which holds the shard's growing rows.
                ClusterNode primary = t.node() != null ? ignite.cluster().node(t.node()) : t.shard() < 0 ?
                    ignite.cluster().localNode() : ignite.affinity(meta.rowsCache()).mapPartitionToNode(t.shard());
                if (primary == null) {
                    busy.remove(t.shardKey());
                    continue;
                }
                IgniteFuture<String> fut = NodeCall.callOnAsync(ignite, primary, new CoordinatorJob(t));
                fut.listen(f -> {
                    busy.remove(t.shardKey());
                    try {
                        String res = f.get();
                        // Repeated tasks (seals; a replica change waiting for something) log only what they did.
                        if (!quiet || !(res.startsWith("nothing") || res.startsWith("not yet") || res.startsWith("waiting") || res.startsWith("still") ||
                            res.startsWith("sealed 0")))
                            log.info("Coordinator: " + t + " -> " + res);
                    }
                    catch (RuntimeException e) {
                        log.warning("Coordinator task failed, will be decided again: " + t + ": " + e.getMessage());
                    }
                });
            }
            catch (RuntimeException e) {
                busy.remove(t.shardKey());
                log.warning("Coordinator could not start " + t + ": " + e.getMessage());
            }
        }
    }
}
