package io.vecgrid.coordinator;

import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.collection.CollectionManager;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.placement.CacheReplicaGroups;
import io.vecgrid.placement.ReplicaGroups;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds the {@code get replicas} view of a collection: its replica groups (decoded from the segments cache's
 * placement), each group's nodes, the leader of every shard inside the group (the group's owner of the shard's rows
 * partition), and per node the target's segments it should hold with the serviceable flag it reports.
 */
public final class ReplicaView {
    private ReplicaView() {
    }

    public static ReplicaInfo of(Ignite ignite, MetaStore metaStore, RoutingCache routing, CollectionManager collections,
        String name) {
        CollectionMeta meta = metaStore.meta(name);
        if (meta == null)
            throw new CollectionNotFoundException(name);
        CollectionTarget target = metaStore.target(name);
        ReplicaGroups groups = CacheReplicaGroups.of(ignite, meta.segmentsCache());
        Affinity<Object> segAff = ignite.affinity(meta.segmentsCache());
        Affinity<Object> rowAff = ignite.affinity(meta.rowsCache());
        RoutingTable table = routing.refresh();
        List<ReplicaGroupInfo> res = new ArrayList<>();
        for (int g = 0; g < meta.spec().replicas(); g++) {
            List<UUID> nodes = new ArrayList<>();
            for (ClusterNode n : groups.nodes(g))
                nodes.add(n.id());
            Map<Integer, UUID> leaders = new TreeMap<>();
            for (int s = 0; s < meta.spec().shards(); s++) {
                ClusterNode leader = groups.owner(new ArrayList<>(rowAff.mapPartitionToPrimaryAndBackups(s)), g);
                if (leader != null)
                    leaders.put(s, leader.id());
            }
            Map<UUID, List<ReplicaGroupInfo.SegmentCopy>> segs = new LinkedHashMap<>();
            for (ClusterNode n : groups.nodes(g)) {
                List<ReplicaGroupInfo.SegmentCopy> copies = new ArrayList<>();
                for (SegmentRef ref : target.segments()) {
                    if (segAff.mapPartitionToPrimaryAndBackups(ref.slot()).contains(n)) {
                        copies.add(new ReplicaGroupInfo.SegmentCopy(ref.id(), ref.shard(), ref.rows(),
                            table.copies(meta.segmentsCache(), ref.id()).contains(n.id())));
                    }
                }
                segs.put(n.id(), copies);
            }
            res.add(new ReplicaGroupInfo(g, nodes, leaders, segs));
        }
        boolean under = groups.underReplicated() || collections.underReplicated(meta);
        return new ReplicaInfo(name, meta.spec().replicas(), under, target.version(), res);
    }
}
