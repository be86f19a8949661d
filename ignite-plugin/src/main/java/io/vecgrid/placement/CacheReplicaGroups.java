package io.vecgrid.placement;

import org.apache.ignite.Ignite;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.CacheConfiguration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Decodes the replica groups of a live cache placed by {@link ReplicaGroupAffinityFunction}. */
public final class CacheReplicaGroups {
    private CacheReplicaGroups() {
    }

    /** @return the replica groups of {@code cache} in the current topology. */
    public static ReplicaGroups of(Ignite ignite, String cache) {
        List<ClusterNode> topology = new ArrayList<>(ignite.cluster().forServers().nodes());
        topology.sort(Comparator.comparingLong(ClusterNode::order));
        Affinity<Object> aff = ignite.affinity(cache);
        List<List<ClusterNode>> assignment = new ArrayList<>(aff.partitions());
        for (int p = 0; p < aff.partitions(); p++)
            assignment.add(new ArrayList<>(aff.mapPartitionToPrimaryAndBackups(p)));
        int replicas = ignite.cache(cache).getConfiguration(CacheConfiguration.class).getBackups() + 1;
        return ReplicaGroups.decode(topology, assignment, replicas);
    }
}
