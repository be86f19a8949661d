package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorRow;
import io.vecgrid.index.DistanceKernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A collection as a SQL table, and the exact distance functions, through the JDBC thin driver under both engines:
 * columns (bookkeeping hidden), values, the vector as text, exact distances equal to the kernel's for every metric,
 * ORDER BY ... LIMIT, the errors (malformed literal, dimensions, unknown collection or table), names SQL cannot show,
 * and the table's life with the collection.
 */
class SqlTablesTest {
    private static final int DIM = 4;
    private static final int ROWS = 120;

    private static SqlCluster cluster;
    private static final Map<Long, float[]> vectors = new HashMap<>();

    @BeforeAll
    static void start() {
        cluster = new SqlCluster(2);
        Vecgrid.of(cluster.node(0)).createCollection(CollectionSpec.builder("docs").dimension(DIM).index(IndexSpec.flat())
            .scalarField("cat", ScalarType.LONG).scalarField("price", ScalarType.DOUBLE)
            .scalarField("active", ScalarType.BOOLEAN).scalarField("title", ScalarType.STRING).build());
        Random rnd = new Random(7);
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = 0; pk < ROWS; pk++) {
            float[] v = new float[DIM];
            for (int j = 0; j < DIM; j++)
                v[j] = rnd.nextFloat() * 2 - 1;
            vectors.put(pk, v);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("cat", pk % 4);
            f.put("price", pk * 0.5);
            f.put("active", pk % 2 == 0);
            f.put("title", "t" + pk);
            rows.add(new VectorRow(pk, v, f));
        }
        Vecgrid.of(cluster.node(0)).insert("docs", rows);
        // Half the rows sealed, half growing: the table shows both alike.
        Vecgrid.of(cluster.node(0)).flush("docs");
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void tableHasKeyScalarsVectorAndShardButNoBookkeeping() throws SQLException {
        for (Connection c : List.of(cluster.h2(), cluster.calcite())) {
            try (c; Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT * FROM DOCS WHERE ID = 13")) {
                ResultSetMetaData md = r.getMetaData();
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++)
                    cols.add(md.getColumnName(i));
                // The vector column is written by DML and reads NULL: a sealed row's vector lives only in its
                // segment (VECTOR_OF reads it).
                assertEquals(List.of("ID", "CAT", "PRICE", "ACTIVE", "TITLE", "VECTOR", "_SHARD"), cols);
                assertTrue(r.next());
                assertEquals(13L, r.getLong("ID"));
                assertEquals(1L, r.getLong("CAT"));
                assertEquals(6.5, r.getDouble("PRICE"));
                assertFalse(r.getBoolean("ACTIVE"));
                assertEquals("t13", r.getString("TITLE"));
                assertNull(r.getObject("VECTOR"));
                assertEquals(io.vecgrid.shard.RowKey.shardOf(13, 2), r.getInt("_SHARD"));
                assertFalse(r.next());
            }
        }
        try (Connection c = cluster.h2(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COLUMN_NAME FROM SYS.TABLE_COLUMNS WHERE SCHEMA_NAME = 'VECGRID' " +
                 "AND TABLE_NAME = 'DOCS'")) {
            List<String> all = new ArrayList<>();
            while (r.next())
                all.add(r.getString(1));
            assertTrue(all.containsAll(List.of("ID", "CAT", "PRICE", "ACTIVE", "TITLE", "VECTOR", "_SHARD")), all.toString());
            assertTrue(all.stream().noneMatch(n -> n.startsWith("__")), "bookkeeping fields are hidden: " + all);
        }
    }

    @Test
    void everyRowIsVisibleWithItsFields() throws SQLException {
        for (Connection c : List.of(cluster.h2(), cluster.calcite())) {
            try (c; Statement st = c.createStatement()) {
                try (ResultSet r = st.executeQuery("SELECT COUNT(*), SUM(CAT) FROM DOCS WHERE ACTIVE AND TITLE LIKE 't%'")) {
                    r.next();
                    assertEquals(ROWS / 2, r.getLong(1));
                    long expected = 0;
                    for (long pk = 0; pk < ROWS; pk += 2)
                        expected += pk % 4;
                    assertEquals(expected, r.getLong(2));
                }
            }
        }
    }

    @Test
    void vectorReadsAsText() throws SQLException {
        String expected = VectorLiteral.format(vectors.get(42L));
        try (Connection c = cluster.h2(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT VECTOR_OF('docs', ID) FROM DOCS WHERE ID = 42")) {
            assertTrue(r.next());
            assertEquals(expected, r.getString(1));
        }
        try (Connection c = cluster.calcite(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT VECTOR_OF('docs', ID), VECTOR_OF('docs', 100000) FROM DOCS WHERE ID = 42")) {
            assertTrue(r.next());
            assertEquals(expected, r.getString(1));
            assertNull(r.getString(2), "no such row");
        }
    }

    @Test
    void distancesAreSmallerIsCloserAndSimilaritiesLargerIsCloser() throws SQLException {
        for (Connection c : List.of(cluster.h2(), cluster.calcite())) {
            try (c; Statement st = c.createStatement(); ResultSet r = st.executeQuery(
                "SELECT L2_DISTANCE('[1, 2]', '[3, 5]'), IP_DISTANCE('[1, 2]', '[3, 5]'), " +
                    "COSINE_DISTANCE('[1, 2]', '[3, 5]'), COSINE_DISTANCE('[0, 0]', '[3, 5]'), L2_DISTANCE(NULL, '[1]'), " +
                    "INNER_PRODUCT('[1, 2]', '[3, 5]'), COSINE_SIMILARITY('[1, 2]', '[3, 5]'), " +
                    "COSINE_SIMILARITY('[0, 0]', '[3, 5]'), INNER_PRODUCT('[1]', NULL), COSINE_DISTANCE('[1, 2]', '[-2, -4]')")) {
                assertTrue(r.next());
                assertEquals(13.0, r.getDouble(1), 1e-6, "L2_DISTANCE is the squared Euclidean distance");
                assertEquals(-13.0, r.getDouble(2), 1e-6, "IP_DISTANCE is the negative inner product");
                assertEquals(1 - 13 / Math.sqrt(5 * 34.0), r.getDouble(3), 1e-6, "COSINE_DISTANCE is 1 - similarity");
                assertEquals(1.0, r.getDouble(4), 1e-6, "zero vector: cosine distance 1");
                assertNull(r.getObject(5), "NULL in, NULL out");
                assertEquals(13.0, r.getDouble(6), 1e-6, "INNER_PRODUCT is the dot product");
                assertEquals(13 / Math.sqrt(5 * 34.0), r.getDouble(7), 1e-6, "COSINE_SIMILARITY is the similarity");
                assertEquals(0.0, r.getDouble(8), 1e-6, "zero vector: similarity 0");
                assertNull(r.getObject(9), "NULL in, NULL out");
                assertEquals(2.0, r.getDouble(10), 1e-6, "opposite vectors: cosine distance 2");
            }
        }
    }

    /** Every metric: ORDER BY its *_DISTANCE ascending, and by its similarity descending, give the exact top-k. */
    @Test
    void exactDistanceOrderByLimitMatchesTheKernel() throws SQLException {
        float[] q = {0.25f, -0.5f, 0.75f, 0.1f};
        String lit = VectorLiteral.format(q);
        Map<Metric, String> similarity = Map.of(Metric.IP, "INNER_PRODUCT", Metric.COSINE, "COSINE_SIMILARITY");
        for (Metric m : Metric.values()) {
            List<Long> expected = oracle(m, q, 7);
            String fn = m.name() + "_DISTANCE";
            List<String> sqls = new ArrayList<>(List.of(
                "SELECT ID, " + fn + "(VECTOR_OF('docs', ID), ?) AS D FROM DOCS ORDER BY D LIMIT 7",
                "SELECT ID, " + fn + "(VECTOR_OF('docs', ID), ?) AS D FROM DOCS ORDER BY D ASC LIMIT 7"));
            if (similarity.containsKey(m))
                sqls.add("SELECT ID, " + similarity.get(m) + "(VECTOR_OF('docs', ID), ?) AS S FROM DOCS ORDER BY S DESC LIMIT 7");
            for (String sql : sqls) {
                for (boolean calcite : new boolean[] {false, true}) {
                    try (Connection c = calcite ? cluster.calcite() : cluster.h2();
                         PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, lit);
                        List<Long> ids = new ArrayList<>();
                        try (ResultSet r = ps.executeQuery()) {
                            while (r.next()) {
                                long id = r.getLong(1);
                                ids.add(id);
                                float score = DistanceKernel.distance(m, q, 0, vectors.get(id), 0, DIM);
                                double want = sql.contains("DESC") ? score : SqlDistances.ofScore(m, score);
                                assertEquals(want, r.getDouble(2), 1e-6, sql + " of " + id);
                            }
                        }
                        assertEquals(expected, ids, sql + (calcite ? " (Calcite)" : " (H2)"));
                    }
                }
            }
        }
    }

    @Test
    void malformedLiteralIsAClearError() throws SQLException {
        for (Connection c : List.of(cluster.h2(), cluster.calcite())) {
            try (c; Statement st = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class,
                    () -> st.executeQuery("SELECT L2_DISTANCE('[1, 2, x]', '[1, 2, 3]')").next());
                assertTrue(e.getMessage().contains("malformed vector literal '[1, 2, x]' at position 8: expected a number; " +
                    "expected '[x1, x2, ...]' with decimal numbers"), e.getMessage());
            }
        }
        // The same on the map nodes of a table query (H2: every node evaluates it).
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                () -> st.executeQuery("SELECT ID FROM DOCS ORDER BY L2_DISTANCE(VECTOR_OF('docs', ID), '[1, 2') LIMIT 3").next());
            assertTrue(e.getMessage().contains("malformed vector literal '[1, 2' at position 6: the vector is not closed with ']'"),
                e.getMessage());
        }
    }

    @Test
    void wrongDimensionIsAClearError() throws SQLException {
        for (Connection c : List.of(cluster.h2(), cluster.calcite())) {
            try (c; Statement st = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class,
                    () -> st.executeQuery("SELECT COSINE_DISTANCE('[1, 2, 3]', '[1, 2]')").next());
                assertTrue(e.getMessage().contains("COSINE_DISTANCE: the vectors have different dimensions, 3 and 2"),
                    e.getMessage());
            }
        }
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                () -> st.executeQuery("SELECT ID, L2_DISTANCE(VECTOR_OF('docs', ID), '[1, 2, 3]') FROM DOCS").next());
            assertTrue(e.getMessage().contains("L2_DISTANCE: the vectors have different dimensions, 4 and 3"), e.getMessage());
        }
    }

    @Test
    void unknownCollectionIsAClearError() throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM NOPE").next());
            assertTrue(e.getMessage().contains("Table \"NOPE\" not found"), e.getMessage());
            e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT VECTOR_OF('nope', 1)").next());
            assertTrue(e.getMessage().contains("collection 'nope' does not exist"), e.getMessage());
        }
        try (Connection c = cluster.calcite(); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM NOPE").next());
            assertTrue(e.getMessage().contains("Object 'NOPE' not found"), e.getMessage());
            e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT VECTOR_OF('nope', 1)").next());
            assertTrue(e.getMessage().contains("collection 'nope' does not exist"), e.getMessage());
        }
    }

    /** H2 only: Calcite 2.17 cannot ship a schema-qualified function to another node (connect with schema VECGRID). */
    @Test
    void qualifiedNamesWorkFromAnotherSchema() throws SQLException {
        String publicUrl = cluster.url(0).replace("/" + CollectionTables.SCHEMA, "");
        for (String url : List.of(publicUrl)) {
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT COUNT(*), MIN(VECGRID.L2_DISTANCE(VECGRID.VECTOR_OF('docs', ID), " +
                     "'[0, 0, 0, 0]')) FROM VECGRID.DOCS")) {
                assertTrue(r.next());
                assertEquals(ROWS, r.getLong(1), url);
                float[] zero = new float[DIM];
                double min = vectors.values().stream().mapToDouble(v -> DistanceKernel.distance(Metric.L2, zero, 0, v, 0, DIM))
                    .min().orElseThrow();
                assertEquals(min, r.getDouble(2), 1e-6, url);
            }
        }
    }

    @Test
    void fieldsSqlCannotShowAreLeftOutAndTheTableLivesWithTheCollection() throws SQLException {
        Vecgrid vg = Vecgrid.local(cluster.node(1));
        vg.createCollection(CollectionSpec.builder("Odd_Names").dimension(2).index(IndexSpec.flat()).pkField("key")
            .scalarField("shard", ScalarType.LONG).scalarField("Color", ScalarType.STRING)
            .scalarField("color", ScalarType.STRING).scalarField("_shard", ScalarType.LONG).build());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("shard", 5L);
        f.put("Color", "red");
        f.put("color", "blue");
        f.put("_shard", 9L);
        vg.insert("Odd_Names", List.of(new VectorRow(3, new float[] {1, 2}, f)));
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            try (ResultSet r = st.executeQuery("SELECT * FROM odd_names")) {
                ResultSetMetaData md = r.getMetaData();
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++)
                    cols.add(md.getColumnName(i));
                assertEquals(List.of("KEY", "COLOR", "VECTOR", "_SHARD"), cols);
                assertTrue(r.next());
                assertEquals(3L, r.getLong("KEY"));
                assertEquals("red", r.getString("COLOR"), "the first of two fields differing only in case");
            }
            vg.dropCollection("Odd_Names");
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM ODD_NAMES").next());
            assertTrue(e.getMessage().contains("Table \"ODD_NAMES\" not found"), e.getMessage());
            vg.createCollection(CollectionSpec.builder("Odd_Names").dimension(2).index(IndexSpec.flat()).build());
            try (ResultSet r = st.executeQuery("SELECT COUNT(*) FROM ODD_NAMES")) {
                assertTrue(r.next());
                assertEquals(0, r.getLong(1), "a re-created collection starts empty");
            }
            vg.dropCollection("Odd_Names");
        }
    }

    private static List<Long> oracle(Metric m, float[] q, int k) {
        List<Map.Entry<Long, float[]>> all = new ArrayList<>(vectors.entrySet());
        all.sort(Comparator.<Map.Entry<Long, float[]>>comparingDouble(
            e -> m.rankKey(DistanceKernel.distance(m, q, 0, e.getValue(), 0, DIM))).thenComparing(Map.Entry::getKey));
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < k; i++)
            ids.add(all.get(i).getKey());
        return ids;
    }
}
