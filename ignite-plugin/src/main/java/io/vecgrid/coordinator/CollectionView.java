package io.vecgrid.coordinator;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.ShardState;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.placement.ReplicaGroups;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.cluster.ClusterNode;

import java.util.List;

/** One collection as the coordinator sees it in one tick: metadata, shard states, distribution, placement. Immutable. */
final class CollectionView {
    final CollectionMeta meta;
    final List<ShardState> shards;
    final CollectionTarget target;
    final RoutingTable table;
    final ReplicaGroups groups;
    /** Owners of each segments-cache slot. */
    final List<List<ClusterNode>> slotOwners;
    final boolean underReplicated;
    final VecgridConfiguration cfg;
    /** Per shard: whether its state has not changed for a while (no seal, merge or move recently). */
    final boolean[] quiet;
    /** Whether a node can still be asked for work: a live node of the topology. */
    final java.util.function.Predicate<java.util.UUID> alive;
    /** Tasks of this collection the coordinator started and that are not over yet (their operations may not be
     *  recorded in the shard states yet). */
    final List<CoordinatorTask> running;
    /** Nodes holding growing rows of some shard (owners of the rows cache's partitions): every search asks them. */
    final java.util.Set<java.util.UUID> leaders;

    CollectionView(CollectionMeta meta, List<ShardState> shards, RoutingTable table, ReplicaGroups groups,
        List<List<ClusterNode>> slotOwners, boolean underReplicated, VecgridConfiguration cfg, boolean[] quiet,
        java.util.function.Predicate<java.util.UUID> alive, List<CoordinatorTask> running,
        java.util.Set<java.util.UUID> leaders) {
        this.meta = meta;
        this.shards = shards;
        this.target = CollectionTarget.of(shards);
        this.table = table;
        this.groups = groups;
        this.slotOwners = slotOwners;
        this.underReplicated = underReplicated;
        this.cfg = cfg;
        this.quiet = quiet;
        this.alive = alive;
        this.running = running;
        this.leaders = leaders;
    }
}
