package io.vecgrid.cluster;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Facts about the cluster's state and baseline, read through Ignite's public API. Stateless. */
public final class ClusterInfo {
    private ClusterInfo() {
    }

    /** @return whether this node keeps data in Ignite native persistence (some data region is persistent). */
    public static boolean persistent(Ignite ignite) {
        return persistent(ignite.configuration().getDataStorageConfiguration());
    }

    /** @return whether {@code ds} makes some data region persistent. */
    public static boolean persistent(DataStorageConfiguration ds) {
        if (ds == null)
            return false;
        if (ds.getDefaultDataRegionConfiguration() != null && ds.getDefaultDataRegionConfiguration().isPersistenceEnabled())
            return true;
        if (ds.getDataRegionConfigurations() != null) {
            for (DataRegionConfiguration r : ds.getDataRegionConfigurations()) {
                if (r.isPersistenceEnabled())
                    return true;
            }
        }
        return false;
    }

    /** @return consistent ids of the baseline nodes that are not online, in baseline order (empty without a baseline). */
    public static List<Object> offlineBaseline(Ignite ignite) {
        Collection<BaselineNode> blt = ignite.cluster().currentBaselineTopology();
        List<Object> res = new ArrayList<>();
        if (blt == null)
            return res;
        Set<Object> online = new HashSet<>();
        for (ClusterNode n : ignite.cluster().forServers().nodes())
            online.add(n.consistentId());
        for (BaselineNode n : blt) {
            if (!online.contains(n.consistentId()))
                res.add(n.consistentId());
        }
        return res;
    }

    /** @return whether some partition of some started cache has no online copy. */
    public static boolean hasLostPartitions(Ignite ignite) {
        return !lostPartitionCaches(ignite, "").isEmpty();
    }

    /** @return the started caches whose names start with {@code prefix} and that have a lost partition. */
    public static List<String> lostPartitionCaches(Ignite ignite, String prefix) {
        List<String> res = new ArrayList<>();
        for (String name : ignite.cacheNames()) {
            if (!name.startsWith(prefix))
                continue;
            IgniteCache<Object, Object> c = ignite.cache(name);
            if (c != null && !c.lostPartitions().isEmpty())
                res.add(name);
        }
        return res;
    }
}
