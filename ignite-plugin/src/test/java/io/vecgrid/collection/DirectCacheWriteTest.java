package io.vecgrid.collection;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.segment.ChunkKey;
import io.vecgrid.segment.DeleteKey;
import io.vecgrid.shard.LocKey;
import io.vecgrid.shard.RowCodec;
import io.vecgrid.shard.RowKey;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.apache.ignite.transactions.Transaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes to a collection's caches that do not come from vecgrid (Ignite's data streamer with and without
 * allowOverwrite, cache put/remove/invoke/clear from a thick client and from a server node, inside a user transaction
 * too, the thin client's cache put, SQL COPY) are refused with an error that names the collection and says what to
 * use, and change nothing: after each, the collection's count, its rows (get), exact searches, its SQL table and the
 * entries of every one of its caches are as before. vecgrid's own writes (API, SQL DML, seals) keep working. Two
 * persistent server nodes with Ignite's authentication (the refusal runs in its security hook, installed by vecgrid
 * where authentication is on), replicaNumber 2, and a thick client; rows sealed into segments and growing rows both
 * present.
 */
class DirectCacheWriteTest {
    private static final int DIM = 4;
    private static final String NAME = "docs";
    private static final String WHAT_TO_USE = "Use VectorGrid.insert, upsert and delete (Java API or VecgridClient), " +
        "SQL INSERT, MERGE, UPDATE and DELETE on the collection's table, or the CLI's import (scripts/vecgrid import)";

    private static TestCluster cluster;
    private static Ignite client;
    private static VectorGrid vg;
    /** The collection as it must be: pk -> row. */
    private static final TreeMap<Long, VectorRow> oracle = new TreeMap<>();

    @BeforeAll
    static void start() {
        cluster = new TestCluster().persistentTemp("vecgrid-direct").authentication(true).configure(TestCluster::noRewrites)
            .startServers(2);
        client = cluster.startClient("c");
        vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder(NAME).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).build());
        List<VectorRow> rows = TestRows.rows(0, 40, DIM);
        vg.insert(NAME, rows.subList(0, 30));
        vg.flush(NAME);
        vg.insert(NAME, rows.subList(30, 40));
        rows.forEach(r -> oracle.put(r.pk(), r));
        // A delete of a sealed row: the deletes cache holds a mark.
        vg.delete(NAME, 7);
        oracle.remove(7L);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    private Snapshot before;

    @BeforeEach
    void recordCaches() throws SQLException {
        assertMatchesOracle();
        before = Snapshot.of(cluster.node("s0"), meta());
        assertTrue(before.sizes.get(meta().segmentsCache()) > 0, "rows are sealed: " + before.sizes);
        assertTrue(before.sizes.get(meta().deletesCache()) > 0, "a delete mark exists: " + before.sizes);
        assertTrue(before.sizes.get(meta().rowsCache()) > 0, "rows are growing: " + before.sizes);
    }

    // ---- data streamer ----

    @Test
    void streamerWithoutOverwriteIsRefusedOnEveryCache() throws SQLException {
        for (Ignite ig : List.of(client, cluster.node("s1"))) {
            CollectionMeta meta = meta();
            // A well-formed row, with vecgrid's bookkeeping, so that only the refusal keeps it out.
            BinaryObject row = new RowCodec(ig, meta).encodeRow(new float[] {9, 9, 9, 9}, new Object[] {1L, "x"}, 42);
            BinaryObject loc = new RowCodec(ig, meta).encodeLoc(new Object[] {1L, "x"}, 42, 0);
            streamRefused(ig, meta.rowsCache(), false, s -> s.addData(RowKey.of(1000, 2), row));
            streamRefused(ig, meta.locsCache(), false, s -> s.addData(LocKey.of(1000, 2), loc));
            // Replacing an existing row (pk 3, sealed) and its location.
            streamRefused(ig, meta.locsCache(), false, s -> s.addData(LocKey.of(3, 2), loc));
            streamRefused(ig, meta.deletesCache(), false, s -> s.addData(new DeleteKey(1, 3, 0), Boolean.TRUE));
            streamRefused(ig, meta.segmentsCache(), false, s -> s.addData(new ChunkKey(99, 0, 0), new byte[8]));
            assertNothingChanged();
        }
    }

    @Test
    void streamerWithOverwriteIsRefused() throws SQLException {
        for (Ignite ig : List.of(client, cluster.node("s0"))) {
            CollectionMeta meta = meta();
            BinaryObject row = new RowCodec(ig, meta).encodeRow(new float[] {9, 9, 9, 9}, new Object[] {1L, "x"}, 42);
            BinaryObject loc = new RowCodec(ig, meta).encodeLoc(new Object[] {1L, "x"}, 42, 0);
            streamRefused(ig, meta.rowsCache(), true, s -> s.addData(RowKey.of(35, 2), row));
            streamRefused(ig, meta.locsCache(), true, s -> s.addData(LocKey.of(35, 2), loc));
            streamRefused(ig, meta.locsCache(), true, s -> s.removeData(LocKey.of(5, 2)));
            streamRefused(ig, meta.rowsCache(), true, s -> s.removeData(RowKey.of(35, 2)));
            assertNothingChanged();
        }
    }

    private interface StreamCall {
        void run(IgniteDataStreamer<Object, Object> s);
    }

    private static void streamRefused(Ignite ig, String cache, boolean overwrite, StreamCall call) {
        try (IgniteDataStreamer<Object, Object> s = ig.dataStreamer(cache)) {
            s.allowOverwrite(overwrite);
            s.keepBinary(true);
            Exception e = assertThrows(Exception.class, () -> call.run(s), cache + " allowOverwrite " + overwrite);
            assertRefusal(e, cache);
        }
    }

    // ---- cache calls ----

    @Test
    void cacheWritesFromAThickClientAndAServerAreRefused() throws SQLException {
        for (Ignite ig : List.of(client, cluster.node("s1"))) {
            CollectionMeta meta = meta();
            BinaryObject row = new RowCodec(ig, meta).encodeRow(new float[] {9, 9, 9, 9}, new Object[] {1L, "x"}, 42);
            BinaryObject loc = new RowCodec(ig, meta).encodeLoc(new Object[] {1L, "x"}, 42, 0);
            IgniteCache<Object, Object> rows = ig.cache(meta.rowsCache()).withKeepBinary();
            IgniteCache<Object, Object> locs = ig.cache(meta.locsCache()).withKeepBinary();
            IgniteCache<Object, Object> deletes = ig.cache(meta.deletesCache()).withKeepBinary();
            IgniteCache<Object, Object> segments = ig.cache(meta.segmentsCache()).withKeepBinary();
            IgniteCache<Object, Object> state = ig.cache(meta.stateCache());

            refused(meta.rowsCache(), () -> rows.put(RowKey.of(1000, 2), row));
            refused(meta.rowsCache(), () -> rows.putAll(Map.of(RowKey.of(1000, 2), row, RowKey.of(1001, 2), row)));
            refused(meta.rowsCache(), () -> rows.putIfAbsent(RowKey.of(1000, 2), row));
            refused(meta.rowsCache(), () -> rows.getAndPut(RowKey.of(35, 2), row));
            refused(meta.rowsCache(), () -> rows.remove(RowKey.of(35, 2)));
            refused(meta.rowsCache(), () -> rows.invoke(RowKey.of(35, 2),
                (javax.cache.processor.EntryProcessor<Object, Object, Object>)(e, args) -> {
                    e.remove();
                    return null;
                }));
            refused(meta.locsCache(), () -> locs.put(LocKey.of(3, 2), loc));
            refused(meta.locsCache(), () -> locs.replace(LocKey.of(35, 2), loc));
            refused(meta.locsCache(), () -> locs.removeAll(java.util.Set.of(LocKey.of(3, 2), LocKey.of(35, 2))));
            refused(meta.locsCache(), locs::removeAll);
            refused(meta.deletesCache(), () -> deletes.put(new DeleteKey(1, 3, 0), Boolean.TRUE));
            refused(meta.deletesCache(), deletes::clear);
            refused(meta.segmentsCache(), () -> segments.put(new ChunkKey(99, 0, 0), new byte[8]));
            refused(meta.stateCache(), () -> state.put(MetaStore.shardKey(0), "junk"));
            refused(MetaStore.COLLECTIONS_CACHE, () -> ig.cache(MetaStore.COLLECTIONS_CACHE).remove(NAME));
            assertNothingChanged();
        }
    }

    @Test
    void aWriteInsideAUserTransactionIsRefusedAndTheTransactionKeepsNothing() throws SQLException {
        CollectionMeta meta = meta();
        BinaryObject loc = new RowCodec(client, meta).encodeLoc(new Object[] {1L, "x"}, 42, 0);
        IgniteCache<Object, Object> locs = client.cache(meta.locsCache()).withKeepBinary();
        try (Transaction tx = client.transactions().txStart()) {
            refused(meta.locsCache(), () -> locs.put(LocKey.of(1000, 2), loc));
            tx.rollback();
        }
        assertNothingChanged();
    }

    @Test
    void aThinClientCachePutIsRefusedWithTheMessage() throws Exception {
        CollectionMeta meta = meta();
        try (IgniteClient thin = Ignition.startClient(new ClientConfiguration()
            .setAddresses("127.0.0.1:" + cluster.clientPort()).setUserName("ignite").setUserPassword("ignite"))) {
            ClientCache<Object, Object> rows = thin.cache(meta.rowsCache()).withKeepBinary();
            refused(meta.rowsCache(), () -> rows.put(RowKey.of(1000, 2), "junk"));
            refused(meta.rowsCache(), () -> rows.remove(RowKey.of(35, 2)));
            // clear runs as a job on every node; the thin client gets only the job's failure, not its cause.
            Exception e = assertThrows(Exception.class, rows::clear);
            assertTrue(e.getMessage().contains("Remote job threw exception"), e.getMessage());
        }
        assertNothingChanged();
    }

    // ---- SQL ----

    @Test
    void copyOverJdbcThinIsRefused() throws Exception {
        File csv = File.createTempFile("vecgrid-copy", ".csv");
        csv.deleteOnExit();
        Files.writeString(csv.toPath(), "700,\"[1, 2, 3, 4]\"\n", StandardCharsets.UTF_8);
        try (Connection c = jdbc(); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeUpdate("COPY FROM '" +
                csv.getAbsolutePath() + "' INTO DOCS (ID, VECTOR) FORMAT CSV"));
            assertTrue(e.getMessage().contains("COPY into collection table VECGRID.DOCS is not supported: COPY " +
                "loads through a data streamer, around vecgrid's write path. Use INSERT"), e.getMessage());
        }
        assertNothingChanged();
    }

    /** The refusals leave vecgrid's own writes alone: API, SQL DML, a seal, an upsert and delete of sealed rows. */
    @Test
    void vecgridsOwnWritesStillWork() throws SQLException {
        Vecgrid local = Vecgrid.local(cluster.node("s1"));
        List<VectorRow> more = TestRows.rows(500, 20, DIM);
        Vecgrid.of(client).insert(NAME, more);
        more.forEach(r -> oracle.put(r.pk(), r));
        try (Connection c = jdbc(); Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("INSERT INTO DOCS (ID, TAG, NAME, VECTOR) VALUES (600, 6, 'sql', " +
                "'[0.5, 0.25, 0.125, 1]')"));
            oracle.put(600L, new VectorRow(600, new float[] {0.5f, 0.25f, 0.125f, 1}, fields(6L, "sql")));
            assertEquals(1, st.executeUpdate("DELETE FROM DOCS WHERE ID = 501"));
            oracle.remove(501L);
        }
        local.flush(NAME);
        VectorRow up = new VectorRow(3, new float[] {3, 3, 3, 3}, fields(33L, "up"));
        vg.upsert(NAME, List.of(up));
        oracle.put(3L, up);
        vg.delete(NAME, 4, 600);
        oracle.remove(4L);
        oracle.remove(600L);
        assertMatchesOracle();
    }

    // ---- helpers ----

    private static CollectionMeta meta() {
        return Vecgrid.local(cluster.node("s0")).metaStore().meta(NAME);
    }

    private static Connection jdbc() throws SQLException {
        return DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + cluster.clientPort() + "/VECGRID",
            "ignite", "ignite");
    }

    private static Map<String, Object> fields(Object tag, Object name) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("tag", tag);
        f.put("name", name);
        return f;
    }

    private static void refused(String cache, Executable call) {
        Throwable e = assertThrows(Throwable.class, call, cache);
        assertRefusal(e, cache);
    }

    /**
     * The caller sees the refusal's message: the cache, the collection it holds and what to use instead; as the
     * message of the exception thrown (wrapped in a CacheException whose message is the same), or for clear and
     * removeAll without keys, which Ignite runs as jobs on every node, as the cause of "Remote job threw exception".
     */
    private static void assertRefusal(Throwable e, String cache) {
        StringBuilder msgs = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
            msgs.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        String all = msgs.toString();
        String top = String.valueOf(e.getMessage());
        assertTrue(top.contains("Write to cache " + cache + " refused: it holds ") ||
            top.contains("Remote job threw exception") && all.contains("Write to cache " + cache + " refused"),
            "the message names the cache: " + all);
        if (cache.equals(MetaStore.COLLECTIONS_CACHE))
            assertTrue(all.contains("vecgrid's collection catalog") && all.contains("Use VectorGrid.createCollection"), all);
        else {
            assertTrue(all.contains("it holds collection '" + NAME + "'"), all);
            assertTrue(all.contains("so nothing was written. " + WHAT_TO_USE), all);
        }
    }

    private void assertNothingChanged() throws SQLException {
        assertMatchesOracle();
        Snapshot after = Snapshot.of(cluster.node("s1"), meta());
        assertEquals(before.sizes, after.sizes, "entries of every cache of the collection");
        assertEquals(before.entries, after.entries, "rows and locations, entry by entry");
    }

    /**
     * The collection holds exactly the oracle's rows, seen through count, get (from both nodes), an exact search from
     * the thick client and the server nodes, and the SQL table.
     */
    private static void assertMatchesOracle() throws SQLException {
        long[] all = LongStream.range(0, 2000).toArray();
        for (Ignite ig : List.of(cluster.node("s0"), cluster.node("s1"), client)) {
            VectorGrid g = Vecgrid.of(ig);
            assertEquals(oracle.size(), g.count(NAME), "count from " + ig.name());
            Map<Long, VectorRow> got = new TreeMap<>();
            for (VectorRow r : g.get(NAME, all, null))
                got.put(r.pk(), r);
            assertEquals(oracle.keySet(), got.keySet(), "rows from " + ig.name());
            for (VectorRow r : oracle.values()) {
                VectorRow x = got.get(r.pk());
                assertTrue(java.util.Arrays.equals(r.vector(), x.vector()), "vector of " + r.pk());
                assertEquals(r.field("tag"), x.field("tag"), "tag of " + r.pk());
                assertEquals(r.field("name"), x.field("name"), "name of " + r.pk());
            }
            Map<Long, float[]> live = new HashMap<>();
            oracle.values().forEach(r -> live.put(r.pk(), r.vector()));
            Oracle exact = new Oracle(Metric.L2, live);
            for (int i = 0; i < 3; i++) {
                float[] q = i == 0 ? new float[] {9, 9, 9, 9} : TestRows.vector(10_000 + i, DIM);
                SearchResult res = g.search(SearchRequest.builder(NAME, new float[][] {q}, 10).build());
                exact.assertExact(q, 10, res.hits(0), pk -> true, "search " + i + " from " + ig.name());
            }
        }
        try (Connection c = jdbc(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COUNT(*), SUM(ID), SUM(TAG) FROM DOCS")) {
            r.next();
            assertEquals(oracle.size(), r.getLong(1), "table rows");
            assertEquals(oracle.keySet().stream().mapToLong(Long::longValue).sum(), r.getLong(2), "table keys");
            assertEquals(oracle.values().stream().mapToLong(v -> (Long)v.field("tag")).sum(), r.getLong(3), "table tags");
        }
    }

    /** Entry counts of every cache of the collection, and the rows and locations caches' entries. */
    private static final class Snapshot {
        final Map<String, Long> sizes = new TreeMap<>();
        final Map<String, String> entries = new TreeMap<>();

        static Snapshot of(Ignite ig, CollectionMeta meta) {
            Snapshot s = new Snapshot();
            for (String c : List.of(meta.rowsCache(), meta.locsCache(), meta.segmentsCache(), meta.deletesCache(),
                meta.stateCache(), MetaStore.COLLECTIONS_CACHE))
                s.sizes.put(c, ig.cache(c).sizeLong(CachePeekMode.PRIMARY));
            for (String c : List.of(meta.rowsCache(), meta.locsCache())) {
                List<String> es = new ArrayList<>();
                ig.cache(c).withKeepBinary().query(new org.apache.ignite.cache.query.ScanQuery<>())
                    .forEach(e -> es.add(key(e.getKey()) + "=" + value(e.getValue())));
                es.sort(null);
                s.entries.put(c, String.join("\n", es));
            }
            return s;
        }

        private static String key(Object k) {
            RowKey r = RowKey.from(k);
            return r.pk() + "@" + r.shard();
        }

        private static String value(Object v) {
            BinaryObject b = (BinaryObject)v;
            StringBuilder sb = new StringBuilder();
            for (String f : new java.util.TreeSet<>(b.type().fieldNames())) {
                Object x = b.field(f);
                sb.append(f).append(':').append(x instanceof float[] ? java.util.Arrays.toString((float[])x) : x)
                    .append(' ');
            }
            return sb.toString();
        }
    }
}
