package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorRow;
import io.vecgrid.index.DistanceKernel;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SQL DML on a collection table through the JDBC thin driver (H2 engine) on two nodes: every statement form goes
 * through vecgrid's write path, checked after each statement against an exact oracle through the table ({@code
 * SELECT}), the API's {@code get} and {@code count}, and exact (FLAT) searches with and without a filter from both
 * nodes; rows sealed into segments before the statement included. Every refused form and every bad input is a test
 * of its own: the message the client sees, and nothing changed.
 */
class SqlDmlTest {
    private static final int DIM = 4;
    private static final String COLLECTION = "docs";

    private static SqlCluster cluster;
    /** The collection as it must be: pk -> row. */
    private static final TreeMap<Long, VectorRow> oracle = new TreeMap<>();
    private static final Random rnd = new Random(5);

    @BeforeAll
    static void start() {
        cluster = new SqlCluster(2);
        Vecgrid.of(cluster.node(0)).createCollection(CollectionSpec.builder(COLLECTION).dimension(DIM).metric(Metric.L2)
            .index(IndexSpec.flat()).shards(2).scalarField("cat", ScalarType.LONG).scalarField("price", ScalarType.DOUBLE)
            .scalarField("title", ScalarType.STRING).build());
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    /** Every test starts from 40 rows written by the API, 30 sealed into segments and 10 growing. */
    @BeforeEach
    void reset() {
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        if (!oracle.isEmpty())
            vg.delete(COLLECTION, oracle.keySet().stream().mapToLong(Long::longValue).toArray());
        List<Long> left = new ArrayList<>();
        for (VectorRow r : vg.get(COLLECTION, java.util.stream.LongStream.range(0, 2000).toArray(), List.of()))
            left.add(r.pk());
        if (!left.isEmpty())
            vg.delete(COLLECTION, left.stream().mapToLong(Long::longValue).toArray());
        oracle.clear();
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = 0; pk < 40; pk++) {
            VectorRow r = row(pk, randomVector(), pk % 4, pk * 0.5, "t" + pk);
            rows.add(r);
            oracle.put(pk, r);
        }
        vg.insert(COLLECTION, rows.subList(0, 30));
        vg.flush(COLLECTION);
        vg.insert(COLLECTION, rows.subList(30, 40));
        assertMatchesOracle();
    }

    // ---- INSERT ----

    @Test
    void insertMultiRowValuesGoesThroughTheWritePath() throws SQLException {
        float[] a = randomVector();
        float[] b = randomVector();
        int n = update("INSERT INTO DOCS (ID, CAT, PRICE, TITLE, VECTOR) VALUES (100, 7, 1.5, 'new', '" +
            VectorLiteral.format(a) + "'), (101, 8, 2, 'newer', '" + VectorLiteral.format(b) + "')");
        assertEquals(2, n);
        oracle.put(100L, row(100, a, 7L, 1.5, "new"));
        oracle.put(101L, row(101, b, 8L, 2.0, "newer"));
        assertMatchesOracle();
    }

    @Test
    void insertWithParametersAndBatches() throws SQLException {
        try (Connection c = cluster.h2();
             PreparedStatement ps = c.prepareStatement("INSERT INTO DOCS (ID, VECTOR, CAT, TITLE) VALUES (?, ?, ?, ?)")) {
            for (long pk = 200; pk < 205; pk++) {
                float[] v = randomVector();
                ps.setLong(1, pk);
                ps.setString(2, VectorLiteral.format(v));
                ps.setLong(3, 9);
                ps.setString(4, "b" + pk);
                ps.addBatch();
                oracle.put(pk, row(pk, v, 9L, null, "b" + pk));
            }
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, ps.executeBatch());
            float[] v = randomVector();
            ps.setLong(1, 205);
            ps.setString(2, VectorLiteral.format(v));
            ps.setNull(3, java.sql.Types.BIGINT);
            ps.setString(4, null);
            assertEquals(1, ps.executeUpdate());
            oracle.put(205L, row(205, v, null, null, null));
        }
        assertMatchesOracle();
    }

    @Test
    void insertOfAnExistingKeyFailsAndWritesNothing() throws SQLException {
        SQLException e = assertThrows(SQLException.class, () -> update("INSERT INTO DOCS (ID, VECTOR) VALUES " +
            "(300, '[1, 2, 3, 4]'), (5, '[1, 2, 3, 4]')"));
        assertTrue(e.getMessage().contains("primary key 5 already exists in collection 'docs' (1 of the batch's keys " +
            "exist); nothing was written; use upsert to replace rows"), e.getMessage());
        assertEquals("23000", e.getSQLState(), "duplicate key");
        assertMatchesOracle();
    }

    @Test
    void insertFromASelectCopiesRows() throws SQLException {
        int n = update("INSERT INTO DOCS (ID, CAT, TITLE, VECTOR) SELECT ID + 1000, CAT, TITLE, '[1, 1, 1, 1]' " +
            "FROM DOCS WHERE ID < 3");
        assertEquals(3, n);
        for (long pk = 0; pk < 3; pk++) {
            VectorRow src = oracle.get(pk);
            oracle.put(pk + 1000, row(pk + 1000, new float[] {1, 1, 1, 1}, src.field("cat"), null, src.field("title")));
        }
        assertMatchesOracle();
    }

    // ---- MERGE ----

    @Test
    void mergeUpsertsWholeRows() throws SQLException {
        float[] a = randomVector();
        float[] b = randomVector();
        // pk 3 is sealed, pk 35 growing, pk 400 new; a field left out becomes NULL, as upsert replaces the row.
        int n = update("MERGE INTO DOCS (ID, CAT, VECTOR) VALUES (3, 42, '" + VectorLiteral.format(a) + "'), " +
            "(35, 43, '" + VectorLiteral.format(b) + "'), (400, 44, '[0.5, 0.5, 0.5, 0.5]')");
        assertEquals(3, n);
        oracle.put(3L, row(3, a, 42L, null, null));
        oracle.put(35L, row(35, b, 43L, null, null));
        oracle.put(400L, row(400, new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 44L, null, null));
        assertMatchesOracle();
    }

    // ---- UPDATE ----

    @Test
    void updateOfScalarFieldsReachesFilteredSearches() throws SQLException {
        // Rows 0..29 are sealed: their new field values must reach the filtered searches of their segments.
        int n = update("UPDATE DOCS SET CAT = 42, TITLE = CONCAT(TITLE, '!') WHERE ID BETWEEN 8 AND 12 OR ID = 33");
        assertEquals(6, n);
        for (long pk : new long[] {8, 9, 10, 11, 12, 33}) {
            VectorRow r = oracle.get(pk);
            oracle.put(pk, row(pk, r.vector(), 42L, r.field("price"), r.field("title") + "!"));
        }
        assertMatchesOracle();
        try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement("UPDATE DOCS SET PRICE = PRICE * ? WHERE CAT = ?")) {
            ps.setDouble(1, 2);
            ps.setLong(2, 42);
            assertEquals(6, ps.executeUpdate());
        }
        for (long pk : new long[] {8, 9, 10, 11, 12, 33}) {
            VectorRow r = oracle.get(pk);
            oracle.put(pk, row(pk, r.vector(), 42L, (Double)r.field("price") * 2, r.field("title")));
        }
        assertMatchesOracle();
    }

    @Test
    void updateOfTheVectorMovesTheRowInSearches() throws SQLException {
        float[] v = {9, 9, 9, 9};
        try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement("UPDATE DOCS SET VECTOR = ? WHERE ID IN (4, 36)")) {
            ps.setString(1, VectorLiteral.format(v));
            assertEquals(2, ps.executeUpdate());
        }
        for (long pk : new long[] {4, 36}) {
            VectorRow r = oracle.get(pk);
            oracle.put(pk, row(pk, v, r.field("cat"), r.field("price"), r.field("title")));
        }
        assertMatchesOracle();
        List<SearchHit> hits = Vecgrid.local(cluster.node(1)).search(SearchRequest.builder(COLLECTION,
            new float[][] {v}, 2).build()).hits(0);
        assertEquals(List.of(4L, 36L), List.of(hits.get(0).pk(), hits.get(1).pk()).stream().sorted().toList());
    }

    @Test
    void updateMatchingNothingChangesNothing() throws SQLException {
        assertEquals(0, update("UPDATE DOCS SET CAT = 1 WHERE ID > 100000"));
        assertEquals(0, update("DELETE FROM DOCS WHERE TITLE = 'nope'"));
        assertMatchesOracle();
    }

    // ---- DELETE ----

    @Test
    void deleteOfARangeRemovesSealedAndGrowingRowsFromSearches() throws SQLException {
        // 25..29 sealed, 30..34 growing.
        assertEquals(10, update("DELETE FROM DOCS WHERE ID >= 25 AND ID < 35"));
        for (long pk = 25; pk < 35; pk++)
            oracle.remove(pk);
        assertMatchesOracle();
    }

    @Test
    void deleteByScalarPredicateAndByKey() throws SQLException {
        assertEquals(10, update("DELETE FROM DOCS WHERE CAT = 1"));
        oracle.values().removeIf(r -> Long.valueOf(1).equals(r.field("cat")));
        assertMatchesOracle();
        try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement("DELETE FROM DOCS WHERE ID = ?")) {
            ps.setLong(1, 7);
            assertEquals(1, ps.executeUpdate());
            ps.setLong(1, 7);
            assertEquals(0, ps.executeUpdate(), "already gone");
        }
        oracle.remove(7L);
        assertMatchesOracle();
        assertEquals(oracle.size(), update("DELETE FROM DOCS"));
        oracle.clear();
        assertMatchesOracle();
    }

    @Test
    void severalStatementsInOneCall() throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            assertFalse(st.execute("DELETE FROM DOCS WHERE ID = 1; UPDATE DOCS SET CAT = 99 WHERE ID = 2; " +
                "UPDATE DOCS SET CAT = 98 WHERE ID = 3"));
            assertEquals(1, st.getUpdateCount());
            // Ignite's thin driver says whether there is a next result of any kind.
            assertTrue(st.getMoreResults());
            assertEquals(1, st.getUpdateCount());
            assertTrue(st.getMoreResults());
            assertEquals(1, st.getUpdateCount());
            assertFalse(st.getMoreResults());
        }
        VectorRow r3 = oracle.get(3L);
        oracle.put(3L, row(3, r3.vector(), 98L, r3.field("price"), r3.field("title")));
        oracle.remove(1L);
        VectorRow r2 = oracle.get(2L);
        oracle.put(2L, row(2, r2.vector(), 99L, r2.field("price"), r2.field("title")));
        assertMatchesOracle();
    }

    // ---- the Calcite engine: the same write path ----

    @Test
    void calciteInsertMergeUpdateDeleteGoThroughTheWritePath() throws SQLException {
        try (Connection c = cluster.calcite(); Statement st = c.createStatement()) {
            assertEquals(2, st.executeUpdate("INSERT INTO DOCS (ID, CAT, VECTOR) VALUES (900, 2, '[1, 0, 0, 0]'), " +
                "(901, 2, '[0, 1, 0, 0]')"));
            oracle.put(900L, row(900, new float[] {1, 0, 0, 0}, 2L, null, null));
            oracle.put(901L, row(901, new float[] {0, 1, 0, 0}, 2L, null, null));
            assertMatchesOracle();
            assertEquals(1, st.executeUpdate("MERGE INTO DOCS (ID, CAT, VECTOR) VALUES (5, 42, '[0, 0, 1, 0]')"));
            oracle.put(5L, row(5, new float[] {0, 0, 1, 0}, 42L, null, null));
            assertEquals(3, st.executeUpdate("UPDATE DOCS SET CAT = 42 WHERE ID IN (6, 31, 900)"));
            for (long pk : new long[] {6, 31, 900}) {
                VectorRow r = oracle.get(pk);
                oracle.put(pk, row(pk, r.vector(), 42L, r.field("price"), r.field("title")));
            }
            assertEquals(6, st.executeUpdate("DELETE FROM DOCS WHERE ID BETWEEN 20 AND 24 OR ID = 901"));
            for (long pk : new long[] {20, 21, 22, 23, 24, 901})
                oracle.remove(pk);
            assertMatchesOracle();
            SQLException e = assertThrows(SQLException.class, () -> st.executeUpdate("INSERT INTO DOCS (ID, VECTOR) " +
                "VALUES (902, '[1, 2]')"));
            assertTrue(e.getMessage().contains("row 0 (pk 902): vector field 'vector' has dimension 2, collection " +
                "'docs' expects 4"), e.getMessage());
        }
        assertMatchesOracle();
    }

    // ---- bad input: the API's messages, nothing changed ----

    @Test
    void wrongDimensionIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR) VALUES (500, '[1, 2, 3]')",
            "row 0 (pk 500): vector field 'vector' has dimension 3, collection 'docs' expects 4");
        assertRefused("UPDATE DOCS SET VECTOR = '[1, 2]' WHERE ID < 3",
            "vector field 'vector' has dimension 2, collection 'docs' expects 4");
    }

    @Test
    void nanIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR) VALUES (500, '[1, NaN, 3, 4]')",
            "row 0 (pk 500): vector field 'vector': malformed vector literal '[1, NaN, 3, 4]' at position 5: " +
                "component 'NaN' is not a finite number; every component must be a finite number");
    }

    @Test
    void nanInAnArrayParameterIsRefused() throws SQLException {
        try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement("MERGE INTO DOCS (ID, VECTOR) VALUES (?, ?)")) {
            ps.setLong(1, 3);
            ps.setObject(2, new float[] {1, Float.NaN, 3, 4});
            SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
            assertTrue(e.getMessage().contains("row 0 (pk 3): vector field 'vector' has NaN at position 1; every " +
                "component must be a finite number"), e.getMessage());
        }
        assertMatchesOracle();
    }

    @Test
    void malformedVectorLiteralIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR) VALUES (500, '[1, 2, 3, 4')",
            "row 0 (pk 500): vector field 'vector': malformed vector literal '[1, 2, 3, 4' at position 12: the vector " +
                "is not closed with ']'");
        assertRefused("UPDATE DOCS SET VECTOR = 'abc' WHERE ID = 1",
            "vector field 'vector': malformed vector literal 'abc' at position 1: expected '[' to open the vector");
    }

    @Test
    void missingVectorIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, CAT) VALUES (500, 1)",
            "row 0 (pk 500): vector field 'vector' must not be null");
        assertRefused("MERGE INTO DOCS (ID, CAT) VALUES (3, 1)",
            "row 0 (pk 3): vector field 'vector' must not be null");
    }

    @Test
    void unknownFieldIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR, COLOR) VALUES (500, '[1, 2, 3, 4]', 'red')",
            "unknown field 'COLOR'; collection 'docs' has the primary key ID, the vector VECTOR and scalar fields " +
                "[CAT LONG, PRICE DOUBLE, TITLE STRING]");
        assertRefused("UPDATE DOCS SET COLOR = 'red' WHERE ID = 1", "unknown field 'COLOR'; collection 'docs'");
    }

    @Test
    void wrongTypeIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR, CAT) VALUES (500, '[1, 2, 3, 4]', 'seven')",
            "row 0 (pk 500): field 'cat' is LONG, got String 'seven'");
        assertRefused("UPDATE DOCS SET TITLE = 5 WHERE ID = 1", "row 0 (pk 1): field 'title' is STRING, got Integer '5'");
        assertRefused("INSERT INTO DOCS (ID, VECTOR) VALUES ('x', '[1, 2, 3, 4]')",
            "row 0: primary key ID is BIGINT, got String 'x'");
    }

    @Test
    void nullKeyIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR) VALUES (NULL, '[1, 2, 3, 4]')", "row 0: primary key ID must not be NULL");
        assertRefused("INSERT INTO DOCS (CAT, VECTOR) VALUES (1, '[1, 2, 3, 4]')",
            "INSERT and MERGE into collection 'docs' must give the primary key column ID");
    }

    @Test
    void duplicateKeyInOneStatementIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, VECTOR) VALUES (500, '[1, 2, 3, 4]'), (500, '[1, 2, 3, 4]')",
            "primary key 500 appears twice in the batch (rows 0 and 1)");
    }

    @Test
    void writingTheShardOrTheKeyIsRefused() {
        assertRefused("INSERT INTO DOCS (ID, _SHARD, VECTOR) VALUES (500, 1, '[1, 2, 3, 4]')",
            "column _SHARD of collection 'docs' is derived from the primary key and cannot be written; leave it out");
        assertRefused("UPDATE DOCS SET ID = 1000 WHERE ID = 1", "SQL UPDATE can't modify key or its fields");
    }

    @Test
    void badRowInABatchFailsTheBatchFromThatRow() throws SQLException {
        try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement("INSERT INTO DOCS (ID, VECTOR) VALUES (?, ?)")) {
            ps.setLong(1, 600);
            ps.setString(2, "[1, 2, 3, 4]");
            ps.addBatch();
            ps.setLong(1, 601);
            ps.setString(2, "[1, 2]");
            ps.addBatch();
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertTrue(e.getMessage().contains("row 0 (pk 601): vector field 'vector' has dimension 2"), e.getMessage());
            assertEquals(1, e.getUpdateCounts()[0], "the first statement of the batch was applied");
        }
        oracle.put(600L, row(600, new float[] {1, 2, 3, 4}, null, null, null));
        assertMatchesOracle();
    }

    // ---- forms refused ----

    @Test
    void copyIsRefused() throws IOException {
        File csv = File.createTempFile("vecgrid-copy", ".csv");
        csv.deleteOnExit();
        Files.writeString(csv.toPath(), "700,\"[1, 2, 3, 4]\"\n", StandardCharsets.UTF_8);
        assertRefused("COPY FROM '" + csv.getAbsolutePath() + "' INTO DOCS (ID, VECTOR) FORMAT CSV",
            "COPY into collection table VECGRID.DOCS is not supported: COPY loads through a data streamer, around " +
                "vecgrid's write path. Use INSERT");
    }

    @Test
    void jdbcStreamingIsRefused() throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            st.execute("SET STREAMING ON");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO DOCS (ID, VECTOR) VALUES (?, ?)")) {
                ps.setLong(1, 800);
                ps.setString(2, "[1, 2, 3, 4]");
                ps.executeUpdate();
                SQLException e = assertThrows(SQLException.class, () -> st.execute("SET STREAMING OFF"));
                assertTrue(e.getMessage().contains("JDBC streaming (SET STREAMING ON) into collection table VECGRID.DOCS " +
                    "is not supported"), e.getMessage());
            }
        }
        assertMatchesOracle();
    }

    // ---- helpers ----

    private static void assertRefused(String sql, String message) {
        SQLException e = assertThrows(SQLException.class, () -> update(sql), sql);
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        assertMatchesOracle();
    }

    private static int update(String sql) throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        }
    }

    static VectorRow row(long pk, float[] v, Object cat, Object price, Object title) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("cat", cat);
        f.put("price", price);
        f.put("title", title);
        return new VectorRow(pk, v, f);
    }

    private static float[] randomVector() {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++)
            v[j] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    /** The table, get, count and exact searches (from both nodes, with and without a filter) equal the oracle. */
    static void assertMatchesOracle() {
        try {
            assertTableMatches();
        }
        catch (SQLException e) {
            throw new AssertionError(e);
        }
        for (Ignite node : cluster.nodes()) {
            Vecgrid vg = Vecgrid.local(node);
            assertEquals(oracle.size(), vg.count(COLLECTION), "count");
            long[] pks = java.util.stream.LongStream.range(0, 2000).toArray();
            Map<Long, VectorRow> got = new TreeMap<>();
            for (VectorRow r : vg.get(COLLECTION, pks, null))
                got.put(r.pk(), r);
            assertEquals(oracle.keySet(), got.keySet(), "get");
            for (VectorRow r : oracle.values()) {
                VectorRow g = got.get(r.pk());
                assertArrayEquals(r.vector(), g.vector(), "vector of " + r.pk());
                for (String f : List.of("cat", "price", "title"))
                    assertEquals(r.field(f), g.field(f), f + " of " + r.pk());
            }
            for (int q = 0; q < 3; q++) {
                float[] query = randomVector();
                assertSearch(vg, query, null, r -> true);
                assertSearch(vg, query, "cat == 42 or cat == 2", r -> Objects.equals(r.field("cat"), 42L) ||
                    Objects.equals(r.field("cat"), 2L));
            }
        }
    }

    private static void assertSearch(Vecgrid vg, float[] query, String filter, Predicate<VectorRow> match) {
        List<VectorRow> expected = new ArrayList<>();
        for (VectorRow r : oracle.values()) {
            if (match.test(r))
                expected.add(r);
        }
        expected.sort(Comparator.comparingDouble((VectorRow r) -> DistanceKernel.distance(Metric.L2, query, 0, r.vector(), 0, DIM))
            .thenComparingLong(VectorRow::pk));
        int k = 20;
        List<Long> want = expected.stream().limit(k).map(VectorRow::pk).toList();
        List<Long> got = vg.search(SearchRequest.builder(COLLECTION, new float[][] {query}, k).filter(filter).build())
            .hits(0).stream().map(SearchHit::pk).toList();
        assertEquals(want, got, "search " + Arrays.toString(query) + " filter " + filter);
    }

    private static void assertTableMatches() throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT ID, CAT, PRICE, TITLE, VECTOR_OF('docs', ID) FROM DOCS ORDER BY ID")) {
            List<Long> ids = new ArrayList<>();
            while (r.next()) {
                long id = r.getLong(1);
                ids.add(id);
                VectorRow o = oracle.get(id);
                assertTrue(o != null, "row " + id + " is not in the oracle");
                assertEquals(o.field("cat"), r.getObject(2), "CAT of " + id);
                assertEquals(o.field("price"), r.getObject(3), "PRICE of " + id);
                assertEquals(o.field("title"), r.getObject(4), "TITLE of " + id);
                assertEquals(VectorLiteral.format(o.vector()), r.getString(5), "vector of " + id);
            }
            assertEquals(new ArrayList<>(oracle.keySet()), ids, "table rows");
        }
    }

    @Test
    void vectorColumnReadsNull() throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT VECTOR FROM DOCS WHERE ID = 1")) {
            assertTrue(r.next());
            assertNull(r.getObject(1));
        }
    }
}
