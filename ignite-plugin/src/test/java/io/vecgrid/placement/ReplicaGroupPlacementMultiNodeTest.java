package io.vecgrid.placement;

import io.vecgrid.TestCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.Ignition;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.failure.StopNodeFailureHandler;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.IgniteNodeAttributes;
import org.apache.ignite.internal.processors.cache.CacheGroupContext;
import org.apache.ignite.internal.util.typedef.internal.CU;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ReplicaGroupAffinityFunction} on real Ignite server nodes in one JVM, one cluster for the class.
 *
 * <p>Nodes {@code rg-0} and {@code rg-1} are unpinned; {@code rg-2} is pinned to group 1 by the string {@code "1"},
 * {@code rg-3} to group 0 by the integer {@code 0}. Pinned nodes are placed first, then the unpinned ones join the
 * smaller group in node order, so group 0 is {@code {rg-0, rg-3}} and group 1 is {@code {rg-1, rg-2}} (without
 * pins it would be {@code {rg-0, rg-2}} and {@code {rg-1, rg-3}}). The tests run in order on that cluster: check
 * the groups, stop {@code rg-1}, start an unpinned {@code rg-4}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaGroupPlacementMultiNodeTest {
    private static final String[] CACHES = {"rg-p8", "rg-p64"};

    private static final int[] CACHE_PARTS = {8, 64};

    private static final int KEYS = 200;

    private static final long AWAIT_MS = 30_000;

    /** Running nodes by instance name, in start order. */
    private static final Map<String, Ignite> NODES = new LinkedHashMap<>();

    /** Discovery and communication ports of this test's own, never the default range a running cluster may use. */
    private static final int PORTS = TestCluster.freePortBase();

    @BeforeAll
    static void startCluster() {
        start("rg-0", null);
        start("rg-1", null);
        start("rg-2", "1");
        start("rg-3", 0);
        Ignite ig = NODES.get("rg-0");
        for (int i = 0; i < CACHES.length; i++) {
            IgniteCache<Integer, Integer> cache = ig.createCache(new CacheConfiguration<Integer, Integer>(CACHES[i])
                .setCacheMode(CacheMode.PARTITIONED)
                .setBackups(1)
                .setAffinity(new ReplicaGroupAffinityFunction(CACHE_PARTS[i])));
            for (int k = 0; k < KEYS; k++)
                cache.put(k, k);
        }
    }

    @AfterAll
    static void stopCluster() {
        for (String name : new ArrayList<>(NODES.keySet()))
            Ignition.stop(name, true);
        NODES.clear();
    }

    @Test
    @Order(1)
    void everyPartitionHasOneOwnerInEachOfTwoGroupsOfTwo() {
        for (int i = 0; i < CACHES.length; i++) {
            ReplicaGroups groups = checkCache(CACHES[i], CACHE_PARTS[i]);
            assertEquals(2, groups.nodes(0).size(), groups.toString());
            assertEquals(2, groups.nodes(1).size(), groups.toString());
            assertFalse(groups.underReplicated());
        }
    }

    @Test
    @Order(2)
    void pinsAreHonouredAndUnpinnedNodesFillTheSmallerGroup() {
        for (int i = 0; i < CACHES.length; i++) {
            ReplicaGroups groups = checkCache(CACHES[i], CACHE_PARTS[i]);
            assertEquals(List.of("rg-0", "rg-3"), names(groups.nodes(0)), groups.toString());
            assertEquals(List.of("rg-1", "rg-2"), names(groups.nodes(1)), groups.toString());
        }
    }

    @Test
    @Order(3)
    void stoppingANodeKeepsSurvivorsInTheirGroups() {
        Map<String, Map<UUID, Integer>> before = new HashMap<>();
        for (int i = 0; i < CACHES.length; i++)
            before.put(CACHES[i], membership(checkCache(CACHES[i], CACHE_PARTS[i])));

        Ignition.stop("rg-1", true);
        NODES.remove("rg-1");

        for (int i = 0; i < CACHES.length; i++) {
            ReplicaGroups groups = checkCache(CACHES[i], CACHE_PARTS[i]);
            assertEquals(List.of("rg-0", "rg-3"), names(groups.nodes(0)), groups.toString());
            assertEquals(List.of("rg-2"), names(groups.nodes(1)), groups.toString());
            assertSticky(before.get(CACHES[i]), groups);

            // rg-2 alone now holds group 1's copy of every partition; no key was lost.
            List<List<ClusterNode>> aff = affinity(NODES.get("rg-0"), CACHES[i], CACHE_PARTS[i]);
            for (List<ClusterNode> owners : aff)
                assertEquals("rg-2", name(groups.owner(owners, 1)));
            assertEquals(KEYS, NODES.get("rg-0").cache(CACHES[i]).size());
        }
    }

    @Test
    @Order(4)
    void unpinnedJoinerCompletesTheSmallerGroup() {
        Map<String, Map<UUID, Integer>> before = new HashMap<>();
        for (int i = 0; i < CACHES.length; i++)
            before.put(CACHES[i], membership(checkCache(CACHES[i], CACHE_PARTS[i])));

        start("rg-4", null);

        for (int i = 0; i < CACHES.length; i++) {
            ReplicaGroups groups = checkCache(CACHES[i], CACHE_PARTS[i]);
            assertEquals(List.of("rg-2", "rg-4"), names(groups.nodes(1)), groups.toString());
            assertSticky(before.get(CACHES[i]), groups);
            for (int k = 0; k < KEYS; k++)
                assertEquals(k, NODES.get("rg-4").cache(CACHES[i]).get(k));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void start(String name, Object pin) {
        IgniteConfiguration cfg = TestCluster.onPorts(new IgniteConfiguration(), PORTS)
            .setIgniteInstanceName(name)
            .setLocalHost("127.0.0.1")
            .setFailureHandler(new StopNodeFailureHandler())
            .setFailureDetectionTimeout(5_000)
            .setPublicThreadPoolSize(2)
            .setSystemThreadPoolSize(2)
            .setQueryThreadPoolSize(2)
            .setServiceThreadPoolSize(2)
            .setStripedPoolSize(2)
            .setDataStreamerThreadPoolSize(1)
            .setRebalanceThreadPoolSize(1)
            .setDataStorageConfiguration(new DataStorageConfiguration()
                .setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                    .setName("default")
                    .setInitialSize(64L << 20)
                    .setMaxSize(64L << 20)));
        if (pin != null)
            cfg.setUserAttributes(Map.of(ReplicaGroupAffinityFunction.REPLICA_GROUP_ATTR, pin));
        NODES.put(name, Ignition.start(cfg));
    }

    /**
     * Waits until every node serves the ideal assignment and all agree, then checks the placement invariants.
     *
     * @return groups decoded from the assignment.
     */
    private static ReplicaGroups checkCache(String cache, int parts) {
        List<List<ClusterNode>> aff = awaitIdealAffinity(cache, parts);
        Ignite ig = NODES.values().iterator().next();
        List<ClusterNode> topo = new ArrayList<>(ig.cluster().forServers().nodes());
        assertEquals(NODES.size(), topo.size(), "foreign nodes in the cluster?");

        ReplicaGroups groups = ReplicaGroups.decode(topo, aff, 2);
        assertFalse(groups.ambiguous(), groups.toString());
        int k = groups.nonEmptyGroups();
        for (int p = 0; p < parts; p++) {
            List<ClusterNode> owners = aff.get(p);
            assertEquals(k, owners.size(), "p=" + p + " " + owners);
            Set<UUID> ids = new HashSet<>();
            Set<Integer> seen = new HashSet<>();
            for (ClusterNode n : owners) {
                assertTrue(ids.add(n.id()), "node twice, p=" + p);
                assertTrue(seen.add(groups.groupOf(n.id())), "two owners in one group, p=" + p);
            }
            assertEquals(groups.primaryGroup(p), groups.groupOf(owners.get(0).id()), "primary group, p=" + p);
            if (k == 2)
                assertEquals(p % 2, groups.primaryGroup(p));
        }
        for (ClusterNode n : topo) {
            Object pin = n.attribute(ReplicaGroupAffinityFunction.REPLICA_GROUP_ATTR);
            if (pin != null)
                assertEquals(Math.floorMod(ReplicaGroups.parseGroupAttribute(pin), 2), groups.groupOf(n.id()), name(n));
        }
        return groups;
    }

    private static List<List<ClusterNode>> awaitIdealAffinity(String cache, int parts) {
        long deadline = System.currentTimeMillis() + AWAIT_MS;
        while (true) {
            List<List<UUID>> ref = null;
            List<List<ClusterNode>> refAff = null;
            boolean ok = true;
            for (Ignite ig : NODES.values()) {
                List<List<ClusterNode>> cur = affinity(ig, cache, parts);
                CacheGroupContext grp = ((IgniteEx)ig).context().cache().cacheGroup(CU.cacheId(cache));
                List<List<ClusterNode>> ideal = grp == null ? null : grp.affinity().idealAssignmentRaw();
                ok &= ig.cluster().forServers().nodes().size() == NODES.size();
                ok &= grp != null && grp.affinity().lastVersion().topologyVersion() >= ig.cluster().topologyVersion();
                ok &= ideal != null && ids(ideal).equals(ids(cur));
                for (List<ClusterNode> owners : cur)
                    for (ClusterNode n : owners)
                        ok &= ig.cluster().node(n.id()) != null;
                if (ref == null) {
                    ref = ids(cur);
                    refAff = cur;
                }
                else
                    ok &= ref.equals(ids(cur));
            }
            if (ok)
                return refAff;
            if (System.currentTimeMillis() > deadline)
                fail("affinity of " + cache + " did not settle on the ideal assignment on all nodes");
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            }
        }
    }

    private static List<List<ClusterNode>> affinity(Ignite ig, String cache, int parts) {
        List<List<ClusterNode>> res = new ArrayList<>();
        for (int p = 0; p < parts; p++)
            res.add(new ArrayList<>(ig.affinity(cache).mapPartitionToPrimaryAndBackups(p)));
        return res;
    }

    private static void assertSticky(Map<UUID, Integer> before, ReplicaGroups after) {
        for (ClusterNode n : after.topology()) {
            Integer g = before.get(n.id());
            if (g != null)
                assertEquals(g.intValue(), after.groupOf(n.id()), "node " + name(n) + " changed group: " + after);
        }
    }

    private static Map<UUID, Integer> membership(ReplicaGroups groups) {
        Map<UUID, Integer> res = new HashMap<>();
        for (ClusterNode n : groups.topology())
            res.put(n.id(), groups.groupOf(n.id()));
        return res;
    }

    private static List<List<UUID>> ids(List<List<ClusterNode>> aff) {
        List<List<UUID>> res = new ArrayList<>();
        for (List<ClusterNode> list : aff) {
            List<UUID> l = new ArrayList<>();
            for (ClusterNode n : list)
                l.add(n.id());
            res.add(l);
        }
        return res;
    }

    /** @return the nodes' names, sorted (a group's members are ordered by consistent id, not by name). */
    private static List<String> names(List<ClusterNode> nodes) {
        List<String> res = new ArrayList<>();
        for (ClusterNode n : nodes)
            res.add(name(n));
        java.util.Collections.sort(res);
        return res;
    }

    private static String name(ClusterNode n) {
        assertNotNull(n);
        return n.attribute(IgniteNodeAttributes.ATTR_IGNITE_INSTANCE_NAME);
    }
}
