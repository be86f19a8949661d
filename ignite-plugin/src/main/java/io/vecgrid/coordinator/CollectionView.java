package io.vecgrid.coordinator;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.placement.ReplicaGroups;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.cluster.ClusterNode;

import java.util.List;

/** One collection as the coordinator sees it in one tick: metadata, target, distribution, placement. Immutable. */
final class CollectionView {
    final CollectionMeta meta;
    final CollectionTarget target;
    final RoutingTable table;
    final ReplicaGroups groups;
    /** Owners of each segments-cache slot. */
    final List<List<ClusterNode>> slotOwners;
    final boolean underReplicated;
    final VecgridConfiguration cfg;

    CollectionView(CollectionMeta meta, CollectionTarget target, RoutingTable table, ReplicaGroups groups,
        List<List<ClusterNode>> slotOwners, boolean underReplicated, VecgridConfiguration cfg) {
        this.meta = meta;
        this.target = target;
        this.table = table;
        this.groups = groups;
        this.slotOwners = slotOwners;
        this.underReplicated = underReplicated;
        this.cfg = cfg;
    }
}
