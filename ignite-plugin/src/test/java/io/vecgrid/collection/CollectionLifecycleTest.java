package io.vecgrid.collection;

import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.placement.ReplicaGroupAffinityFunction;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** create / describe / list / drop on three real server nodes and a thick client. */
class CollectionLifecycleTest {
    private static TestCluster cluster;
    private static VectorGrid vg;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(3);
        cluster.startClient("client");
        vg = Vecgrid.of(cluster.node("s0"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static CollectionSpec.Builder spec(String name) {
        return CollectionSpec.builder(name).dimension(8).metric(Metric.COSINE).index(IndexSpec.flat())
            .scalarField("price", ScalarType.DOUBLE).scalarField("title", ScalarType.STRING).shards(3).replicas(2);
    }

    @Test
    void createDescribeListDrop() {
        CollectionDescription d = vg.createCollection(spec("books").build());
        assertEquals("books", d.name());
        assertEquals(CollectionState.READY, d.state());
        assertEquals(0, d.rowCount());
        assertEquals(2, d.replicaNumber());
        assertEquals(8, d.spec().dimension());
        assertEquals(Metric.COSINE, d.spec().metric());
        assertEquals(List.of("price", "title"), d.spec().scalarFields().stream().map(f -> f.name()).toList());
        assertFalse(d.underReplicated());

        // Visible from every node, the thick client included.
        for (String n : List.of("s1", "s2", "client"))
            assertEquals(d.spec().toString(), Vecgrid.of(cluster.node(n)).describeCollection("books").spec().toString());
        assertTrue(Vecgrid.of(cluster.node("client")).listCollections().contains("books"));

        // Its caches: backups = replicaNumber - 1, FULL_SYNC, TRANSACTIONAL, placed by the replica-group function.
        Ignite ig = cluster.node("s1");
        CollectionMeta meta = Vecgrid.local(ig).metaStore().meta("books");
        for (String cache : List.of(meta.rowsCache(), meta.segmentsCache(), meta.deletesCache())) {
            CacheConfiguration<?, ?> c = ig.cache(cache).getConfiguration(CacheConfiguration.class);
            assertEquals(1, c.getBackups(), cache);
            assertEquals(CacheWriteSynchronizationMode.FULL_SYNC, c.getWriteSynchronizationMode(), cache);
            assertEquals(CacheAtomicityMode.TRANSACTIONAL, c.getAtomicityMode(), cache);
            assertInstanceOf(ReplicaGroupAffinityFunction.class, c.getAffinity(), cache);
        }
        assertEquals(3, ig.affinity(meta.rowsCache()).partitions(), "one rows partition per shard");

        // Metadata: a REPLICATED TRANSACTIONAL cache.
        CacheConfiguration<?, ?> mc = ig.cache(MetaStore.COLLECTIONS_CACHE).getConfiguration(CacheConfiguration.class);
        assertEquals(CacheMode.REPLICATED, mc.getCacheMode());
        assertEquals(CacheAtomicityMode.TRANSACTIONAL, mc.getAtomicityMode());

        vg.dropCollection("books");
        assertFalse(vg.listCollections().contains("books"));
        for (String cache : List.of(meta.rowsCache(), meta.segmentsCache(), meta.deletesCache()))
            assertNull(ig.cache(cache), cache + " must be destroyed with its collection");
        CollectionNotFoundException e = assertThrows(CollectionNotFoundException.class, () -> vg.describeCollection("books"));
        assertEquals("collection 'books' does not exist", e.getMessage());
    }

    @Test
    void duplicateNameIsRejectedAndChangesNothing() {
        vg.createCollection(spec("dup").build());
        long version = vg.describeCollection("dup").version();
        CollectionExistsException e = assertThrows(CollectionExistsException.class,
            () -> vg.createCollection(spec("dup").dimension(16).build()));
        assertEquals("collection 'dup' already exists", e.getMessage());
        CollectionDescription d = vg.describeCollection("dup");
        assertEquals(8, d.spec().dimension());
        assertEquals(version, d.version());
        vg.dropCollection("dup");
    }

    @Test
    void dropUnknownIsRejected() {
        CollectionNotFoundException e = assertThrows(CollectionNotFoundException.class, () -> vg.dropCollection("nope"));
        assertEquals("collection 'nope' does not exist", e.getMessage());
    }

    @Test
    void recreateAfterDropStartsEmpty() {
        vg.createCollection(spec("again").build());
        vg.insert("again", io.vecgrid.TestRows.rows(0, 10, 8).stream()
            .map(r -> new io.vecgrid.api.VectorRow(r.pk(), r.vector())).toList());
        vg.dropCollection("again");
        vg.createCollection(spec("again").build());
        assertEquals(0, vg.count("again"));
        vg.dropCollection("again");
    }

    /**
     * A thick client that has not used a collection's caches yet (a client started after a cluster restart) upserts
     * and deletes sealed rows: both write a delete mark, whose cache the client opens outside the transaction.
     */
    @Test
    void freshClientChangesSealedRows() {
        vg.createCollection(spec("sealed_by_server").build());
        vg.insert("sealed_by_server", io.vecgrid.TestRows.rows(0, 10, 8).stream()
            .map(r -> new io.vecgrid.api.VectorRow(r.pk(), r.vector())).toList());
        vg.flush("sealed_by_server");
        VectorGrid client = Vecgrid.of(cluster.node("client"));
        float[] v = io.vecgrid.TestRows.vector(100, 8);
        assertEquals(1, client.upsert("sealed_by_server", List.of(new io.vecgrid.api.VectorRow(1L, v))));
        assertEquals(1, client.delete("sealed_by_server", 2L));
        assertEquals(9, vg.count("sealed_by_server"));
        assertEquals(List.of(), vg.get("sealed_by_server", new long[] {2}, null));
        org.junit.jupiter.api.Assertions.assertArrayEquals(v, vg.get("sealed_by_server", new long[] {1}, null).get(0).vector());
        vg.dropCollection("sealed_by_server");
    }

    @Test
    void invalidSpecsAreRejectedNamingTheField() {
        List<String> before = vg.listCollections();
        assertInvalid("collection name may contain only letters, digits and '_', got 'bad-name'", () -> spec("bad-name").build());
        assertInvalid("collection name must be at most 255 characters, got 256", () -> spec("x".repeat(256)).build());
        assertInvalid("collection name must not be empty", () -> spec("").build());
        assertInvalid("dimension must be in [1, 32768], got 0", () -> spec("c").dimension(0).build());
        assertInvalid("dimension must be in [1, 32768], got 32769", () -> spec("c").dimension(32769).build());
        assertInvalid("shardsNum must be in [1, 64], got 0", () -> spec("c").shards(0).build());
        assertInvalid("shardsNum must be in [1, 64], got 65", () -> spec("c").shards(65).build());
        assertInvalid("replicaNumber must be at least 1, got 0", () -> spec("c").replicas(0).build());
        assertInvalid("field name 'price' is used twice", () -> spec("c").scalarField("price", ScalarType.LONG).build());
        assertInvalid("scalar field name may contain only letters, digits and '_', got 'a b'",
            () -> spec("c").scalarField("a b", ScalarType.LONG).build());
        assertInvalid("metric must be one of L2, IP, COSINE, got 'HAMMING'", () -> Metric.parse("HAMMING"));
        assertInvalid("index M must be in [2, 512], got 1", () -> IndexSpec.hnsw(1, 100, 10));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
            () -> vg.createCollection(spec("toomany").replicas(4).build()));
        assertEquals("replicaNumber must be at most the number of server nodes (3), got 4", e.getMessage());
        assertEquals(before, vg.listCollections(), "a rejected spec creates nothing");
    }

    private static void assertInvalid(String msg, Supplier<?> action) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, action::get);
        assertEquals(msg, e.getMessage());
    }

    @Test
    void metaIsVersionedAndImmutable() {
        vg.createCollection(spec("versions").build());
        CollectionMeta m = Vecgrid.local(cluster.node("s2")).metaStore().meta("versions");
        assertNotNull(m);
        assertEquals(CollectionState.READY, m.state());
        assertEquals(2, m.version(), "CREATING was version 1, READY is version 2");
        CollectionMeta dropping = m.withState(CollectionState.DROPPING);
        assertEquals(CollectionState.READY, m.state(), "withState copies");
        assertEquals(3, dropping.version());
        vg.dropCollection("versions");
    }
}
