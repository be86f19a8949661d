package io.vecgrid.cluster;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.api.WriteQuorumException;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.collection.MetaStore;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.BaselineNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.cache.CacheException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes need a majority of the baseline, so that a part of a persistent cluster cut off from the rest never
 * acknowledges a write the rest does not see (split brain). Three persistent nodes in this JVM; two of them stop, so
 * that the third sees what a node cut off by the network sees: one of its three baseline nodes. It refuses every
 * write (API, thin client, Ignite's own cache updates), changes nothing, keeps its baseline past the leave timeout,
 * and still serves searches; once a second node is back, writes are taken again and nothing refused has landed.
 */
class WriteQuorumTest {
    private static final int DIM = 8;
    private static final long LEAVE_MILLIS = 1_500;
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster().persistentTemp("vecgrid-quorum")
            .configure(c -> TestCluster.noRewrites(c.setSealRows(500).setBaselineLeaveTimeoutMillis(LEAVE_MILLIS)))
            .startServers(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void theRuleIsAStrictMajorityWithTiesToTheHalfHoldingTheFirstId() {
        assertTrue(WriteQuorum.held(List.of("a", "b", "c"), List.of("b", "c")));
        assertFalse(WriteQuorum.held(List.of("a", "b", "c"), List.of("a")));
        assertTrue(WriteQuorum.held(List.of("a"), List.of("a")));
        // An even split: exactly one half holds it, the one with the baseline id that sorts first.
        assertTrue(WriteQuorum.held(List.of("b", "a"), List.of("a")));
        assertFalse(WriteQuorum.held(List.of("b", "a"), List.of("b")));
        assertTrue(WriteQuorum.held(List.of("d", "c", "b", "a"), List.of("a", "d")));
        assertFalse(WriteQuorum.held(List.of("d", "c", "b", "a"), List.of("b", "c")));
        // Online nodes outside the baseline (joined, not yet added) do not count.
        assertFalse(WriteQuorum.held(List.of("a", "b", "c"), List.of("c", "x", "y")));
        assertTrue(WriteQuorum.held(List.of(), List.of("x")), "no baseline yet: nothing to hold");
        String why = WriteQuorum.refusal(List.of("a", "b", "c"), List.of("c"));
        assertTrue(why.contains("reaches 1 of its 3 baseline nodes [c]") && why.contains("[a, b] are not reachable"),
            why);
    }

    /**
     * Ignite runs topology validators in its exchange worker, where an exception stops the node: a thick client whose
     * server was killed, reconnecting, stopped that way when the validator read the baseline through the public API.
     */
    @Test
    void theValidatorAnswersOnAClientThatIsReconnecting() {
        Ignite client = cluster.startClient("quorum-client");
        try {
            org.apache.ignite.configuration.TopologyValidator v =
                new WriteQuorum.Validators(client).topologyValidator(MetaStore.COLLECTIONS_CACHE);
            java.util.Collection<org.apache.ignite.cluster.ClusterNode> servers = client.cluster().forServers().nodes();
            boolean connected = v.validate(servers);
            org.apache.ignite.internal.GridKernalGateway gw = ((org.apache.ignite.internal.IgniteEx)client).context().gateway();
            gw.onDisconnected();
            try {
                assertThrows(org.apache.ignite.IgniteClientDisconnectedException.class, () -> client.cluster().topologyVersion(),
                    "the public API refuses while the client is disconnected");
                assertEquals(connected, v.validate(servers), "the validator answers as when connected");
            }
            finally {
                gw.onReconnected();
            }
        }
        finally {
            cluster.stop("quorum-client");
        }
    }

    @Test
    void aNodeWithoutAMajorityRefusesWritesServesSearchesAndKeepsItsBaseline() throws Exception {
        Ignite s0 = cluster.node("s0");
        VectorGrid vg = Vecgrid.of(s0);
        vg.createCollection(CollectionSpec.builder("quorum").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).shards(2).replicas(3).build());
        Map<Long, float[]> rows = new HashMap<>();
        vg.insert("quorum", TestRows.rows(0, 1200, DIM));
        TestRows.rows(0, 1200, DIM).forEach(r -> rows.put(r.pk(), r.vector()));
        vg.flush("quorum");
        vg.insert("quorum", TestRows.rows(1200, 100, DIM)); // growing rows too
        TestRows.rows(1200, 100, DIM).forEach(r -> rows.put(r.pk(), r.vector()));
        cluster.awaitCopies(new MetaStore(s0).meta("quorum").rowsCache(), 3);

        cluster.stop("s1");
        vg.insert("quorum", TestRows.rows(2000, 10, DIM)); // two of three: the quorum holds
        TestRows.rows(2000, 10, DIM).forEach(r -> rows.put(r.pk(), r.vector()));
        cluster.stop("s2");

        List<VectorRow> refused = TestRows.rows(3000, 10, DIM);
        WriteQuorumException e = assertThrows(WriteQuorumException.class, () -> vg.insert("quorum", refused));
        assertTrue(e.getMessage().startsWith("insert into collection 'quorum' refused, nothing was written: this " +
            "part of the cluster reaches 1 of its 3 baseline nodes [s0]; [s1, s2] are not reachable"), e.getMessage());
        assertTrue(e.getMessage().contains("control.sh --baseline remove"), e.getMessage());
        assertThrows(WriteQuorumException.class, () -> vg.upsert("quorum", TestRows.rows(0, 5, DIM)));
        assertThrows(WriteQuorumException.class, () -> vg.delete("quorum", 1L, 2L));
        assertThrows(WriteQuorumException.class, () -> vg.flush("quorum"));
        assertThrows(WriteQuorumException.class, () -> vg.setReplicaNumber("quorum", 1));
        assertThrows(WriteQuorumException.class, () -> vg.dropCollection("quorum"));
        assertThrows(WriteQuorumException.class, () -> vg.createCollection(CollectionSpec.builder("other")
            .dimension(DIM).metric(Metric.L2).index(IndexSpec.flat()).shards(1).replicas(1).build()));
        try (VecgridClient thin = VecgridClient.connect("127.0.0.1:" + cluster.clientPort() + ".." +
            (cluster.clientPort() + 2))) {
            WriteQuorumException te = assertThrows(WriteQuorumException.class, () -> thin.insert("quorum", refused));
            assertTrue(te.getMessage().contains("reaches 1 of its 3 baseline nodes"), te.getMessage());
            assertEquals(rows.size(), thin.count("quorum"), "count through the thin client");
            // The operator's view says so too (scripts/vecgrid status prints the advice).
            String advice = thin.status().advice();
            assertTrue(advice != null && advice.startsWith("writes are refused here (searches are served): this " +
                "part of the cluster reaches 1 of its 3 baseline nodes [s0]"), String.valueOf(advice));
        }
        // Ignite itself refuses updates of vecgrid's caches here (background work and writes already under way).
        CacheException ce = assertThrows(CacheException.class,
            () -> s0.cache(MetaStore.COLLECTIONS_CACHE).put("not-a-collection", "x"));
        assertTrue(causes(ce).contains("cache topology is not valid"), causes(ce));

        // Searches are served, exact, over everything acknowledged; nothing refused landed.
        Oracle oracle = new Oracle(Metric.L2, rows);
        for (int q = 0; q < 10; q++) {
            float[] query = TestRows.vector(900_000 + q, DIM);
            oracle.assertExact(query, 10, vg.search(SearchRequest.builder("quorum", new float[][] {query}, 10).build())
                .hits(0), null, "search " + q + " without the quorum");
        }
        assertEquals(rows.size(), vg.count("quorum"));

        // The baseline stays: removing the offline nodes would give this part a majority of its own.
        Thread.sleep(3 * LEAVE_MILLIS);
        assertEquals(new TreeSet<>(List.of("s0", "s1", "s2")), baseline(s0), "the baseline past the leave timeout");

        cluster.start("s1");
        TestCluster.awaitTrue("writes are taken again with two of three nodes", () -> {
            try {
                vg.insert("quorum", TestRows.rows(4000, 10, DIM));
                return true;
            }
            catch (WriteQuorumException ex) {
                return false;
            }
        }, 30_000);
        TestRows.rows(4000, 10, DIM).forEach(r -> rows.put(r.pk(), r.vector()));
        vg.delete("quorum", 1L, 2L);
        rows.remove(1L);
        rows.remove(2L);
        assertEquals(rows.size(), vg.count("quorum"), "every acknowledged write, none of the refused ones");
        assertEquals(List.of(), vg.get("quorum", TestRows.pks(3000, 10), null), "refused rows never landed");
        Oracle after = new Oracle(Metric.L2, rows);
        for (int q = 0; q < 10; q++) {
            float[] query = TestRows.vector(950_000 + q, DIM);
            after.assertExact(query, 10, Vecgrid.of(cluster.node("s1")).search(SearchRequest.builder("quorum",
                new float[][] {query}, 10).build()).hits(0), null, "search " + q + " after the quorum is back");
        }
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
            sb.append(t).append(" <- ");
        return sb.toString();
    }

    private static TreeSet<String> baseline(Ignite ig) {
        TreeSet<String> res = new TreeSet<>();
        for (BaselineNode n : ig.cluster().currentBaselineTopology())
            res.add(String.valueOf(n.consistentId()));
        return res;
    }
}
