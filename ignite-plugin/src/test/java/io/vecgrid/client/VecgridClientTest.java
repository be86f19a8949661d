package io.vecgrid.client;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.DimensionMismatchException;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every vecgrid operation through a real Ignite thin client against two real server nodes: results equal what the
 * data says (search equals an exact oracle), and every error arrives with the type and the exact message the server
 * API throws for the same call (checked against the thick API on a server node), never as an Ignite exception.
 */
class VecgridClientTest {
    private static final int DIM = 8;

    private static TestCluster cluster;
    /** The thin-client path under test. */
    private static VecgridClient thin;
    /** The server-side API, the reference for errors. */
    private static VectorGrid thick;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(2);
        thick = Vecgrid.of(cluster.node("s0"));
        thin = VecgridClient.connect("127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 1));
    }

    @AfterAll
    static void stop() {
        if (thin != null)
            thin.close();
        cluster.close();
    }

    private static CollectionSpec spec(String name) {
        return CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).build();
    }

    /** The thin call fails with the same type and message as the same call on the server API. */
    private static void assertSameError(Class<? extends VecgridException> type, String msg, Executable thickCall,
        Executable thinCall) {
        VecgridException onServer = assertThrows(VecgridException.class, thickCall);
        VecgridException onClient = assertThrows(VecgridException.class, thinCall);
        assertEquals(type, onServer.getClass(), "server API: " + onServer);
        if (msg != null)
            assertEquals(msg, onServer.getMessage());
        assertEquals(onServer.getClass(), onClient.getClass(), "type survives the trip: " + onClient);
        assertEquals(onServer.getMessage(), onClient.getMessage(), "message survives the trip");
    }

    @Test
    void collectionLifecycle() {
        CollectionDescription d = thin.createCollection(spec("life"));
        assertEquals("life", d.name());
        assertEquals(DIM, d.spec().dimension());
        assertEquals(Metric.L2, d.spec().metric());
        assertEquals(List.of("tag", "name"), List.of(d.spec().scalarFields().get(0).name(), d.spec().scalarFields().get(1).name()));
        assertTrue(thin.listCollections().contains("life"));
        assertEquals(thick.describeCollection("life").toString(), thin.describeCollection("life").toString());

        assertSameError(CollectionExistsException.class, "collection 'life' already exists",
            () -> thick.createCollection(spec("life")), () -> thin.createCollection(spec("life")));
        assertSameError(InvalidRequestException.class, "replicaNumber must be at most the number of server nodes (2), got 3",
            () -> thick.createCollection(spec("life3").toBuilder().replicas(3).build()),
            () -> thin.createCollection(spec("life3").toBuilder().replicas(3).build()));
        assertFalse(thin.listCollections().contains("life3"), "a rejected create creates nothing");

        thin.dropCollection("life");
        assertFalse(thin.listCollections().contains("life"));
        assertSameError(CollectionNotFoundException.class, "collection 'life' does not exist",
            () -> thick.describeCollection("life"), () -> thin.describeCollection("life"));
        assertSameError(CollectionNotFoundException.class, "collection 'life' does not exist",
            () -> thick.dropCollection("life"), () -> thin.dropCollection("life"));
    }

    @Test
    void writesAndReads() {
        thin.createCollection(spec("w"));
        assertEquals(300, thin.insert("w", TestRows.rows(0, 300, DIM)));
        assertEquals(300, thin.count("w"));

        List<VectorRow> got = thin.get("w", new long[] {7, 5, 123_456}, null);
        assertEquals(2, got.size(), "missing keys are left out");
        assertEquals(7, got.get(0).pk(), "rows come in the order asked");
        assertArrayEquals(TestRows.vector(7, DIM), got.get(0).vector());
        assertEquals(7L, got.get(0).field("tag"));
        assertEquals("row-7", got.get(0).field("name"));
        List<VectorRow> tagOnly = thin.get("w", new long[] {5}, List.of("tag"));
        assertEquals(Map.of("tag", 5L), tagOnly.get(0).fields());
        assertNull(tagOnly.get(0).vector(), "the vector only when asked for");

        float[] v = TestRows.vector(9999, DIM);
        assertEquals(1, thin.upsert("w", List.of(new VectorRow(5, v, Map.of("tag", 42L, "name", "up")))));
        VectorRow up = thin.get("w", new long[] {5}, null).get(0);
        assertArrayEquals(v, up.vector());
        assertEquals("up", up.field("name"));

        assertEquals(2, thin.delete("w", 5, 6, 777_777));
        assertEquals(298, thin.count("w"));

        // Rejected writes: same error as on the server, nothing written.
        List<VectorRow> dup = new ArrayList<>(TestRows.rows(1000, 3, DIM));
        dup.add(new VectorRow(7, TestRows.vector(7, DIM)));
        assertSameError(InvalidRequestException.class, null, () -> thick.insert("w", dup), () -> thin.insert("w", dup));
        List<VectorRow> badDim = new ArrayList<>(TestRows.rows(1000, 1, DIM));
        badDim.add(new VectorRow(1001, new float[DIM + 1]));
        assertSameError(DimensionMismatchException.class,
            "row 1 (pk 1001): vector field 'vector' has dimension 9, collection 'w' expects 8",
            () -> thick.insert("w", badDim), () -> thin.insert("w", badDim));
        List<VectorRow> badField = List.of(new VectorRow(1000, TestRows.vector(1, DIM), Map.of("colour", "red")));
        assertSameError(InvalidRequestException.class, null, () -> thick.upsert("w", badField), () -> thin.upsert("w", badField));
        assertEquals(298, thin.count("w"));
        assertEquals(0, thin.get("w", TestRows.pks(1000, 3), null).size(), "no row of a rejected batch is written");
        assertSameError(CollectionNotFoundException.class, "collection 'nope' does not exist",
            () -> thick.insert("nope", TestRows.rows(0, 1, DIM)), () -> thin.insert("nope", TestRows.rows(0, 1, DIM)));

        thin.flush("w");
        CollectionDescription d = thin.describeCollection("w");
        assertTrue(d.segmentCount() > 0, "flush sealed segments: " + d);
        assertEquals(298, thin.count("w"));
        assertEquals(298, d.rowCount());
        thin.dropCollection("w");
    }

    @Test
    void searchEqualsTheOracle() {
        String name = "s";
        thin.createCollection(CollectionSpec.builder(name).dimension(16).metric(Metric.L2).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).build());
        Map<Long, float[]> live = new HashMap<>();
        for (int from = 0; from < 1200; from += 400) {
            List<VectorRow> rows = TestRows.rows(from, 400, 16);
            thin.insert(name, rows);
            rows.forEach(r -> live.put(r.pk(), r.vector()));
            if (from == 400)
                thin.flush(name); // sealed segments and growing rows both
        }
        Oracle oracle = new Oracle(Metric.L2, live);
        float[][] qs = new float[5][];
        for (int i = 0; i < qs.length; i++)
            qs[i] = TestRows.vector(50_000 + 13L * i, 16);

        SearchResult r = thin.search(name, qs, 10);
        assertEquals(qs.length, r.hits().size());
        assertFalse(r.partial());
        for (int q = 0; q < qs.length; q++)
            oracle.assertExact(qs[q], 10, r.hits(q), null, "thin-client query " + q);

        SearchResult f = thin.search(SearchRequest.builder(name, qs, 5).filter("tag == 3").outputFields(List.of("tag", "name"))
            .diagnostics(true).build());
        assertNotNull(f.diagnostics(), "diagnostics survive the trip");
        assertFalse(f.diagnostics().segmentNodes().isEmpty());
        Set<UUID> servers = new HashSet<>();
        for (Ignite ig : cluster.servers())
            servers.add(ig.cluster().localNode().id());
        assertTrue(servers.containsAll(f.diagnostics().segmentNodes().values()));
        for (int q = 0; q < qs.length; q++) {
            oracle.assertExact(qs[q], 5, f.hits(q), pk -> pk % 10 == 3, "filtered query " + q);
            for (SearchHit h : f.hits(q)) {
                assertEquals(3L, h.fields().get("tag"));
                assertEquals("row-" + h.pk(), h.fields().get("name"));
            }
        }

        assertSameError(DimensionMismatchException.class,
            "query vector 0: vector field 'vector' has dimension 3, collection 's' expects 16",
            () -> thick.search(SearchRequest.builder(name, new float[][] {{1, 2, 3}}, 5).build()),
            () -> thin.search(name, new float[][] {{1, 2, 3}}, 5));
        assertSameError(InvalidRequestException.class, "topK must be in [1, 16384], got 0",
            () -> thick.search(SearchRequest.builder(name, qs, 0).build()), () -> thin.search(name, qs, 0));
        assertSameError(InvalidRequestException.class, null,
            () -> thick.search(SearchRequest.builder(name, qs, 3).filter("colour == 1").build()),
            () -> thin.search(SearchRequest.builder(name, qs, 3).filter("colour == 1").build()));
        assertSameError(CollectionNotFoundException.class, "collection 'nope' does not exist",
            () -> thick.search(SearchRequest.builder("nope", qs, 3).build()), () -> thin.search("nope", qs, 3));
        thin.dropCollection(name);
    }

    @Test
    void replicasAndReplicaNumber() {
        String name = "rep";
        thin.createCollection(spec(name));
        Map<Long, float[]> live = new HashMap<>();
        List<VectorRow> rows = TestRows.rows(0, 500, DIM);
        thin.insert(name, rows);
        rows.forEach(r -> live.put(r.pk(), r.vector()));
        thin.flush(name);

        TestCluster.awaitTrue("every segment copy serviceable", () -> thin.replicas(name).groups().stream()
            .allMatch(g -> g.segments().values().stream().flatMap(List::stream)
                .allMatch(ReplicaGroupInfo.SegmentCopy::serviceable)), 60_000);
        ReplicaInfo one = thin.replicas(name);
        assertEquals(name, one.collection());
        assertEquals(1, one.replicaNumber());
        assertEquals(1, one.groups().size());
        assertEquals(2, one.groups().get(0).nodes().size(), "one group holds both nodes");
        assertEquals(2, one.groups().get(0).shardLeaders().size(), "a leader per shard");
        assertEquals(thick.replicas(name).toString(), one.toString(), "the same view as on the server");

        CollectionDescription d = thin.setReplicaNumber(name, 2);
        assertEquals(2, d.replicaNumber());
        TestCluster.awaitTrue("every segment copy serviceable in both groups", () -> {
            ReplicaInfo r = thin.replicas(name);
            return r.groups().size() == 2 && r.groups().stream().allMatch(g -> g.segments().values().stream()
                .flatMap(List::stream).allMatch(ReplicaGroupInfo.SegmentCopy::serviceable));
        }, 60_000);
        ReplicaInfo two = thin.replicas(name);
        assertEquals(2, two.replicaNumber());
        Set<UUID> seen = new HashSet<>();
        int segments = thin.describeCollection(name).segmentCount();
        for (ReplicaGroupInfo g : two.groups()) {
            for (UUID n : g.nodes())
                assertTrue(seen.add(n), "groups are node-disjoint: " + two);
            assertEquals(2, g.shardLeaders().size(), "a leader per shard in group " + g.id());
            assertEquals(segments, g.segments().values().stream().mapToInt(List::size).sum(),
                "group " + g.id() + " holds every segment once");
        }

        float[][] qs = {TestRows.vector(60_000, DIM), TestRows.vector(60_001, DIM)};
        SearchResult r = thin.search(name, qs, 10);
        Oracle oracle = new Oracle(Metric.L2, live);
        for (int q = 0; q < qs.length; q++)
            oracle.assertExact(qs[q], 10, r.hits(q), null, "after the replica change, query " + q);

        assertSameError(InvalidRequestException.class, null, () -> thick.setReplicaNumber(name, 3),
            () -> thin.setReplicaNumber(name, 3));
        assertSameError(CollectionNotFoundException.class, "collection 'nope' does not exist",
            () -> thick.replicas("nope"), () -> thin.replicas("nope"));
        thin.dropCollection(name);
    }

    /**
     * More concurrent calls than the nodes have public threads (2 each), every one of them waiting for compute jobs of
     * its own (search jobs, flush jobs): they all finish, because the task's job does not hold a public thread while
     * its operation runs.
     */
    @Test
    void concurrentCallsDoNotStarveThePublicPool() throws Exception {
        for (String c : List.of("conc0", "conc1"))
            thin.createCollection(spec(c));
        thin.insert("conc0", TestRows.rows(0, 200, DIM));
        thin.insert("conc1", TestRows.rows(0, 200, DIM));
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<?>> futs = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                int id = t;
                futs.add(pool.submit(() -> {
                    String c = "conc" + (id % 2);
                    for (int i = 0; i < 5; i++) {
                        if (id < 2) {
                            thin.upsert(c, TestRows.rows(1000 + id * 100 + i, 1, DIM));
                            thin.flush(c);
                        }
                        SearchResult r = thin.search(c, new float[][] {TestRows.vector(id * 31L + i, DIM)}, 5);
                        assertEquals(5, r.hits(0).size());
                        assertTrue(thin.count(c) >= 200);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futs)
                f.get(120, TimeUnit.SECONDS);
        }
        finally {
            pool.shutdownNow();
        }
        assertEquals(205, thin.count("conc0"));
        for (String c : List.of("conc0", "conc1"))
            thin.dropCollection(c);
    }

    @Test
    void status() {
        thin.createCollection(spec("st"));
        ClusterStatus st = thin.status();
        Set<UUID> ids = new HashSet<>();
        for (Ignite ig : cluster.servers())
            ids.add(ig.cluster().localNode().id());
        assertEquals(2, st.nodes().size());
        for (ClusterStatus.Node n : st.nodes())
            assertTrue(ids.contains(n.id()), "a server node: " + n);
        assertTrue(ids.contains(st.servedBy()));
        assertTrue(st.collections().stream().anyMatch(d -> d.name().equals("st") && d.spec().dimension() == DIM));
        thin.dropCollection("st");
    }

    /** The task's contract as a thin client without {@link VecgridClient} sees it. */
    @Test
    void taskContractByName() throws Exception {
        VecgridResponse ok = thin.igniteClient().compute().execute(VecgridRequest.TASK_NAME, VecgridRequest.list());
        assertFalse(ok.failed());
        assertInstanceOf(List.class, ok.result());

        VecgridResponse missing = thin.igniteClient().compute().execute(VecgridRequest.TASK_NAME,
            VecgridRequest.describe("nope"));
        assertTrue(missing.failed());
        assertEquals("io.vecgrid.api.CollectionNotFoundException", missing.errorType());
        assertEquals("collection 'nope' does not exist", missing.errorMessage());
        assertEquals("nope", missing.errorCollection());
        assertNull(missing.result());

        VecgridResponse wrongArg = thin.igniteClient().compute().execute(VecgridRequest.TASK_NAME, "describe nope");
        assertEquals(VecgridException.class.getName(), wrongArg.errorType());
        assertTrue(wrongArg.errorMessage().contains(VecgridRequest.class.getName()), wrongArg.errorMessage());

        VecgridResponse noArg = thin.igniteClient().compute().execute(VecgridRequest.TASK_NAME, null);
        assertEquals(InvalidRequestException.class.getName(), noArg.errorType());
        assertEquals("the request must name an operation, got null", noArg.errorMessage());

        // A spec rebuilt by the binary marshaller skips its builder: the server checks it again.
        assertThrows(InvalidRequestException.class, () -> thin.call(VecgridRequest.create(null)));
    }

    /** A negative hedging delay is refused, naming the setting, and the client's delay stays as it was. */
    @Test
    void aNegativeHedgeDelayIsRefused() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
            () -> thin.hedgeDelay(java.time.Duration.ofMillis(-1)));
        assertEquals("hedgeDelay: must not be negative, was PT-0.001S", e.getMessage());
        assertNotNull(thin.hedgeDelay(java.time.Duration.ZERO).hedgeDelay(null).listCollections(),
            "zero and null (learned again) are accepted and the client serves");
    }

    /** Authentication is off by default: no credentials needed, and credentials given are ignored. */
    @Test
    void authenticationOffNeedsNoCredentials() {
        assertFalse(cluster.any().configuration().isAuthenticationEnabled());
        assertNotNull(thin.listCollections(), "the client opened without credentials serves");
        try (VecgridClient withCredentials = VecgridClient.builder()
            .addresses("127.0.0.1:" + cluster.clientPort()).credentials("someone", "anything").connect()) {
            assertEquals(2, withCredentials.status().nodes().size());
        }
    }

    @Test
    void noNodeAnswering() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int dead = port;
        ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class,
            () -> VecgridClient.connect("127.0.0.1:" + dead));
        assertTrue(e.getMessage().contains("127.0.0.1:" + dead), e.getMessage());
    }
}
