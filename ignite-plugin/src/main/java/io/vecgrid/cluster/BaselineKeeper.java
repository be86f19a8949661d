package io.vecgrid.cluster;

import io.vecgrid.config.VecgridConfiguration;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a persistent cluster serving without manual steps. A cluster with Ignite native persistence starts inactive
 * and stores data only on its baseline nodes; this keeper, on the oldest server node, does what an operator would
 * otherwise do with {@code control.sh}:
 * <ul>
 *   <li>a cluster that has never been active (no baseline yet) is activated once {@code expectedServerNodes} servers
 *   have joined; its first baseline is those servers;</li>
 *   <li>a server that joins an active cluster enters the baseline once no other server has joined for
 *   {@code baselineJoinDelayMillis};</li>
 *   <li>a baseline node offline for {@code baselineLeaveTimeoutMillis} (0: never) is removed from the baseline, so
 *   that its partitions are copied again onto the remaining nodes; never while some partition is lost (no online
 *   copy), since the removal would make that loss final;</li>
 *   <li>partitions of vecgrid's caches lost while the nodes of all their copies were offline are reset once every
 *   baseline node is online again (their data is back on those nodes' disks; Ignite keeps them failing until
 *   reset).</li>
 * </ul>
 * Nor does it change the baseline in a part of the cluster that holds no majority of it ({@link WriteQuorum}): a part
 * cut off by a network split that removed the others would make itself the whole cluster.
 * After a full restart, Ignite itself activates the cluster once every baseline node is back. In-memory clusters
 * have no baseline to keep: the keeper does nothing there.
 *
 * <p>Thread-safety: {@link #tick()} is called from one thread (the node's lifecycle thread).
 */
public final class BaselineKeeper {
    private final Ignite ignite;
    private final VecgridConfiguration cfg;
    private final IgniteLogger log;
    private final boolean persistent;
    /** When each online server outside the baseline was first seen, ms. */
    private final Map<Object, Long> joinedAt = new HashMap<>();
    /** When each offline baseline node was first seen offline, ms. */
    private final Map<Object, Long> offlineSince = new HashMap<>();
    private long lastWaitLog;

    public BaselineKeeper(Ignite ignite, VecgridConfiguration cfg) {
        this.ignite = ignite;
        this.cfg = cfg;
        this.log = ignite.log().getLogger(BaselineKeeper.class);
        this.persistent = ClusterInfo.persistent(ignite);
    }

    /** One round: acts only on the oldest server of a persistent cluster. Never throws. */
    public void tick() {
        if (!persistent)
            return;
        try {
            ClusterNode oldest = ignite.cluster().forServers().forOldest().node();
            if (oldest == null || !oldest.isLocal()) {
                joinedAt.clear();
                offlineSince.clear();
                return;
            }
            if (ignite.cluster().state() == ClusterState.INACTIVE)
                activateIfFresh();
            else if (!ignite.cluster().state().active())
                return;
            else
                adjust();
        }
        catch (RuntimeException e) {
            log.warning("vecgrid baseline upkeep failed (will retry): " + e);
        }
    }

    private void activateIfFresh() {
        Collection<BaselineNode> blt = ignite.cluster().currentBaselineTopology();
        int servers = ignite.cluster().forServers().nodes().size();
        long now = System.currentTimeMillis();
        if (blt == null) {
            if (servers >= cfg.getExpectedServerNodes()) {
                log.info("Activating the new cluster: " + servers + " server nodes joined (expectedServerNodes=" +
                    cfg.getExpectedServerNodes() + "); they form its baseline");
                ignite.cluster().state(ClusterState.ACTIVE);
            }
            else if (now - lastWaitLog > 10_000) {
                lastWaitLog = now;
                log.info("New cluster waits for " + (cfg.getExpectedServerNodes() - servers) + " more server nodes " +
                    "(expectedServerNodes=" + cfg.getExpectedServerNodes() + ") before it activates");
            }
        }
        else if (now - lastWaitLog > 10_000) {
            lastWaitLog = now;
            List<Object> missing = ClusterInfo.offlineBaseline(ignite);
            log.info("Cluster is inactive: it activates itself once every baseline node is back; offline baseline " +
                "nodes: " + missing + " (start them, or remove them for good: see docs/operations.md)");
        }
    }

    /**
     * Partitions lost while every copy's node was offline (more nodes down at once than the replicas tolerate) have
     * their data again once those nodes are back: each node kept its copies on disk. Ignite still fails reads and
     * writes of them (READ_WRITE_SAFE) until they are reset, the step an operator would take now with
     * {@code control.sh --cache reset_lost_partitions}; vecgrid takes it for its own caches, and only when every
     * baseline node is online, so that no partition is reset while a node holding its newest data is away (that reset
     * would start it over from an older or empty copy). Caches of others are left to their operators.
     */
    private void resetLostOnceAllBack(Collection<BaselineNode> blt, Map<Object, ClusterNode> online) {
        for (BaselineNode n : blt) {
            if (!online.containsKey(n.consistentId()))
                return;
        }
        List<String> lost = ClusterInfo.lostPartitionCaches(ignite, "vecgrid");
        if (lost.isEmpty())
            return;
        log.warning("Every baseline node is online again: resetting the lost partitions of " + lost.size() +
            " vecgrid caches " + lost + ", whose copies are back on their nodes' disks");
        ignite.resetLostPartitions(lost);
    }

    private void adjust() {
        Collection<BaselineNode> blt = ignite.cluster().currentBaselineTopology();
        if (blt == null)
            return;
        long now = System.currentTimeMillis();
        Set<Object> inBaseline = new HashSet<>();
        for (BaselineNode n : blt)
            inBaseline.add(n.consistentId());
        Map<Object, ClusterNode> online = new HashMap<>();
        for (ClusterNode n : ignite.cluster().forServers().nodes())
            online.put(n.consistentId(), n);

        resetLostOnceAllBack(blt, online);

        // Joins: wait for a quiet period so that nodes started together enter in one baseline change.
        joinedAt.keySet().retainAll(online.keySet());
        joinedAt.keySet().removeAll(inBaseline);
        List<ClusterNode> joiners = new ArrayList<>();
        long lastJoin = 0;
        for (ClusterNode n : online.values()) {
            if (!inBaseline.contains(n.consistentId())) {
                lastJoin = Math.max(lastJoin, joinedAt.computeIfAbsent(n.consistentId(), k -> now));
                joiners.add(n);
            }
        }

        // Leaves: offline baseline nodes past the timeout.
        offlineSince.keySet().retainAll(inBaseline);
        offlineSince.keySet().removeAll(online.keySet());
        List<Object> leavers = new ArrayList<>();
        for (BaselineNode n : blt) {
            if (online.containsKey(n.consistentId()))
                continue;
            long since = offlineSince.computeIfAbsent(n.consistentId(), k -> now);
            if (cfg.getBaselineLeaveTimeoutMillis() > 0 && now - since >= cfg.getBaselineLeaveTimeoutMillis())
                leavers.add(n.consistentId());
        }

        boolean join = !joiners.isEmpty() && now - lastJoin >= cfg.getBaselineJoinDelayMillis();
        String noQuorum = (join || !leavers.isEmpty()) ? WriteQuorum.refusal(ignite) : null;
        if (noQuorum != null) {
            // A part of a split cluster that removed the others would give itself a majority, and two parts could
            // each go on as the whole cluster; only a part holding the quorum changes the baseline.
            if (now - lastWaitLog > 30_000) {
                lastWaitLog = now;
                log.warning("The baseline stays as it is (" + (join ? "joiners " + ids(joiners) : "") +
                    (join && !leavers.isEmpty() ? ", " : "") + (leavers.isEmpty() ? "" : "offline " + leavers) +
                    " wait): " + noQuorum);
            }
            return;
        }
        if (!leavers.isEmpty() && ClusterInfo.hasLostPartitions(ignite)) {
            if (now - lastWaitLog > 30_000) {
                lastWaitLog = now;
                log.warning("Baseline nodes " + leavers + " are offline past baselineLeaveTimeoutMillis, but some " +
                    "partitions have no online copy: they stay in the baseline until they return (or an operator " +
                    "removes them and resets the lost partitions)");
            }
            leavers.clear();
        }
        if (!join && leavers.isEmpty())
            return;
        List<BaselineNode> next = new ArrayList<>();
        for (BaselineNode n : blt) {
            if (!leavers.contains(n.consistentId()))
                next.add(online.containsKey(n.consistentId()) ? online.get(n.consistentId()) : n);
        }
        if (join)
            next.addAll(joiners);
        log.info("Changing the baseline: " + (join ? "adding " + ids(joiners) : "") +
            (join && !leavers.isEmpty() ? ", " : "") + (leavers.isEmpty() ? "" : "removing " + leavers +
            " (offline for more than " + cfg.getBaselineLeaveTimeoutMillis() + " ms)"));
        ignite.cluster().setBaselineTopology(next);
        if (join)
            joiners.forEach(n -> joinedAt.remove(n.consistentId()));
        leavers.forEach(offlineSince::remove);
    }

    private static List<Object> ids(List<ClusterNode> nodes) {
        List<Object> res = new ArrayList<>();
        for (ClusterNode n : nodes)
            res.add(n.consistentId());
        return res;
    }
}
