package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router-backed top-k statements on three server nodes, through the JDBC thin driver: the H2 array form and the
 * form both engines run, with filter and ef. Each must return what the router returns, cost exactly one router search
 * (counted in {@code SYS.METRICS} on every node) and fetch rows by primary key (EXPLAIN).
 */
class SqlTopKTest {
    private static final int DIM = 8;
    private static final int K = 10;

    /**
     * H2 only: the hits as a table of arrays, joined by primary key. The vector is the parameter; {@code {f}} and
     * {@code {ef}} are written in (Calcite cannot type a parameter in a join condition's function call).
     */
    static final String H2_TOPK = "SELECT a.ID, a.CAT, t.DIST FROM TABLE(ID BIGINT = TOPK_IDS('items', ?, 10, {f}, {ef}), " +
        "DIST DOUBLE = TOPK_DISTS('items', ?, 10, {f}, {ef})) t JOIN ITEMS a ON a.ID = t.ID ORDER BY t.DIST";

    /** Both engines: positions 1..k drive per-position functions, joined by primary key and shard. */
    static final String TOPK = "SELECT /*+ CNL_JOIN */ a.ID, a.CAT, TOPK_DIST('items', ?, 10, {f}, {ef}, r.X) AS DIST " +
        "FROM SYSTEM_RANGE(1, 10) r JOIN ITEMS a ON a.ID = TOPK_ID('items', ?, 10, {f}, {ef}, r.X) " +
        "AND a._SHARD = TOPK_SHARD('items', ?, 10, {f}, {ef}, r.X) ORDER BY r.X";

    private static SqlCluster cluster;
    private static final Random rnd = new Random(11);
    /** Every row's vector by collection: the exact oracle's input. */
    private static final Map<String, Map<Long, float[]>> vectors = new HashMap<>();
    private static final Map<String, Metric> metrics = Map.of("items", Metric.L2, "cos", Metric.COSINE, "ipflat", Metric.IP);

    @BeforeAll
    static void start() {
        cluster = new SqlCluster(3);
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        vg.createCollection(CollectionSpec.builder("items").dimension(DIM).index(IndexSpec.flat()).shards(3)
            .scalarField("cat", ScalarType.LONG).scalarField("num", ScalarType.LONG).build());
        vg.createCollection(CollectionSpec.builder("cos").dimension(DIM).metric(Metric.COSINE)
            .index(IndexSpec.hnsw(16, 100, 32)).scalarField("cat", ScalarType.LONG).scalarField("num", ScalarType.LONG).build());
        vg.createCollection(CollectionSpec.builder("ipflat").dimension(DIM).metric(Metric.IP).index(IndexSpec.flat())
            .shards(2).scalarField("cat", ScalarType.LONG).scalarField("num", ScalarType.LONG).build());
        for (String c : List.of("items", "cos", "ipflat")) {
            Map<Long, float[]> vs = new HashMap<>();
            vectors.put(c, vs);
            List<VectorRow> sealed = rows(0, 400);
            vg.insert(c, sealed);
            vg.flush(c);
            List<VectorRow> growing = rows(400, 60); // growing rows too
            vg.insert(c, growing);
            for (VectorRow r : sealed)
                vs.put(r.pk(), r.vector());
            for (VectorRow r : growing)
                vs.put(r.pk(), r.vector());
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    private static List<VectorRow> rows(long from, int n) {
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = from; pk < from + n; pk++)
            rows.add(new VectorRow(pk, randomVector(), Map.of("cat", pk % 5, "num", pk)));
        return rows;
    }

    private static float[] randomVector() {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++)
            v[j] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    @Test
    void h2ArrayFormReturnsTheRoutersHitsForOneSearch() throws SQLException {
        try (Connection c = cluster.h2()) {
            for (int i = 0; i < 3; i++)
                assertOneSearchSameHits(c, H2_TOPK, "items", "", 0);
        }
    }

    @Test
    void portableFormReturnsTheRoutersHitsForOneSearchUnderBothEngines() throws SQLException {
        try (Connection h2 = cluster.h2(); Connection calcite = cluster.calcite()) {
            for (int i = 0; i < 2; i++) {
                assertOneSearchSameHits(h2, TOPK, "items", "", 0);
                assertOneSearchSameHits(calcite, TOPK, "items", "", 0);
            }
        }
    }

    @Test
    void filterAndEfReachTheRouter() throws SQLException {
        String sql = TOPK.replace("'items'", "'cos'").replace("ITEMS", "COS");
        try (Connection h2 = cluster.h2(); Connection calcite = cluster.calcite()) {
            List<Object[]> a = assertOneSearchSameHits(h2, sql, "cos", "cat == 2 or cat == 4", 48);
            List<Object[]> b = assertOneSearchSameHits(calcite, sql, "cos", "cat >= 3", 16);
            for (Object[] row : a)
                assertTrue((Long)row[1] == 2 || (Long)row[1] == 4, "filtered: " + row[1]);
            for (Object[] row : b)
                assertTrue((Long)row[1] >= 3, "filtered: " + row[1]);
            // Distances: smaller is closer for every metric, and position order says nearest first.
            assertTrue((Double)a.get(0)[2] <= (Double)a.get(a.size() - 1)[2]);
        }
    }

    @Test
    void fewerHitsThanKGiveFewerRows() throws SQLException {
        try (Connection h2 = cluster.h2(); Connection calcite = cluster.calcite()) {
            assertEquals(3, assertOneSearchSameHits(h2, H2_TOPK, "items", "num < 3", 0).size());
            assertEquals(3, assertOneSearchSameHits(h2, TOPK, "items", "num < 3", 0).size());
            assertEquals(3, assertOneSearchSameHits(calcite, TOPK, "items", "num < 3", 0).size());
        }
    }

    @Test
    void badFilterIsTheRoutersErrorForOneSearch() throws SQLException {
        try (Connection c = cluster.h2()) {
            long s0 = cluster.routerSearches();
            SQLException e = assertThrows(SQLException.class,
                () -> run(c, TOPK, VectorLiteral.format(randomVector()), "price > 3", 0));
            assertTrue(e.getMessage().contains("price"), e.getMessage());
            assertEquals(1, cluster.routerSearches() - s0, "one (failed) search for the statement");
        }
    }

    @Test
    void rowsAreFetchedByPrimaryKey() throws SQLException {
        try (Connection c = cluster.h2(); Statement st = c.createStatement()) {
            String plan = plan(st, "EXPLAIN " + literal(H2_TOPK));
            assertTrue(plan.contains("/* VECGRID.ITEMS_PK: ID = T__Z0.ID */"), plan);
            assertFalse(plan.contains("ITEMS.__SCAN_"), plan);
            plan = plan(st, "EXPLAIN " + literal(TOPK));
            assertTrue(plan.contains("/* VECGRID.ITEMS_PK: ID = VECGRID.TOPK_ID("), plan);
            assertTrue(plan.contains("AND _SHARD = VECGRID.TOPK_SHARD("), plan);
            assertFalse(plan.contains("ITEMS.__SCAN_"), plan);
        }
        try (Connection c = cluster.calcite(); Statement st = c.createStatement()) {
            String plan = plan(st, "EXPLAIN PLAN FOR " + literal(TOPK));
            assertTrue(plan.contains("IgniteCorrelatedNestedLoopJoin"), plan);
            assertTrue(plan.contains("IgniteIndexScan(table=[[VECGRID, ITEMS]], index=[ITEMS_PK]"), plan);
            assertTrue(plan.contains("searchBounds=[[null, null, ExactBounds [bound=$cor"), plan);
            assertFalse(plan.contains("IgniteTableScan(table=[[VECGRID, ITEMS]]"), plan);
        }
    }

    @Test
    void aRepeatedStatementAfterTheShareWindowSearchesAgainAndSeesNewWrites() throws Exception {
        float[] q = randomVector();
        try (Connection c = cluster.h2()) {
            List<Object[]> before = run(c, TOPK, VectorLiteral.format(q), "", 0);
            assertEquals(K, before.size());
            Vecgrid.local(cluster.node(1)).insert("items", List.of(new VectorRow(9000, q, Map.of("cat", 1L, "num", 9000L))));
            Thread.sleep(Long.getLong(TopKSearches.SHARE_MILLIS_PROPERTY, TopKSearches.DFLT_SHARE_MILLIS) + 200);
            long s0 = cluster.routerSearches();
            List<Object[]> after = run(c, TOPK, VectorLiteral.format(q), "", 0);
            assertEquals(1, cluster.routerSearches() - s0);
            assertEquals(9000L, after.get(0)[0], "the new row, equal to the query, comes first");
            assertEquals(0.0, (Double)after.get(0)[2], 1e-6);
        }
        finally {
            Vecgrid.local(cluster.node(0)).delete("items", 9000);
        }
    }

    @Test
    void concurrentStatementsCostOneSearchEach() throws Exception {
        int n = 4;
        long s0 = cluster.routerSearches();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> res = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String q = VectorLiteral.format(randomVector());
                int node = i % 3;
                res.add(pool.submit(() -> {
                    try (Connection c = java.sql.DriverManager.getConnection(node == 2 ? cluster.calciteUrl(node) : cluster.url(node))) {
                        return run(c, node == 0 ? H2_TOPK : TOPK, q, "", 0).size();
                    }
                }));
            }
            for (Future<Integer> f : res)
                assertEquals(K, f.get());
        }
        finally {
            pool.shutdownNow();
        }
        assertEquals(n, cluster.routerSearches() - s0);
    }

    @Test
    void badTopKArgumentsAreClearErrors() throws SQLException {
        try (Connection c = cluster.h2()) {
            assertError(c, H2_TOPK.replace("'items'", "'nope'"), "[0, 0, 0, 0, 0, 0, 0, 0]",
                "collection 'nope' does not exist");
            assertError(c, H2_TOPK, "[1, 2, 3]", "query vector 0: vector field 'vector' has dimension 3, collection 'items' expects 8");
            assertError(c, TOPK, "[1, 2, 3]", "query vector 0: vector field 'vector' has dimension 3, collection 'items' expects 8");
            assertError(c, TOPK, "[1, 2, 3", "malformed vector literal '[1, 2, 3' at position 9: the vector is not closed with ']'");
            assertError(c, TOPK, "{1, 2}", "malformed vector literal '{1, 2}' at position 1: expected '[' to open the vector");
        }
    }

    /**
     * The router-backed top-k of the FLAT collections (L2, IP) is the exact top-k of an oracle, and its distances mean
     * what the exact functions mean: for every metric {@code t.DIST} equals the row's {@code *_DISTANCE}, smaller is
     * closer, so {@code ORDER BY t.DIST} is nearest first (COSINE's HNSW is checked for the values only).
     */
    @Test
    void topKDistancesAreTheExactDistanceFunctions() throws SQLException {
        for (String coll : List.of("items", "ipflat", "cos")) {
            Metric m = metrics.get(coll);
            String sql = "SELECT a.ID, t.DIST, " + m.name() + "_DISTANCE(VECTOR_OF('" + coll + "', a.ID), ?) AS EXACT " +
                "FROM TABLE(ID BIGINT = TOPK_IDS('" + coll + "', ?, 10, '', 0), DIST DOUBLE = TOPK_DISTS('" + coll +
                "', ?, 10, '', 0)) t JOIN " + coll.toUpperCase() + " a ON a.ID = t.ID ORDER BY t.DIST";
            float[] q = randomVector();
            String lit = VectorLiteral.format(q);
            List<Long> ids = new ArrayList<>();
            try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 1; i <= 3; i++)
                    ps.setString(i, lit);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                        assertEquals(r.getDouble(3), r.getDouble(2), 1e-5, coll + ": DIST of " + r.getLong(1));
                        float score = io.vecgrid.index.DistanceKernel.distance(m, q, 0, vectors.get(coll).get(r.getLong(1)),
                            0, DIM);
                        assertEquals(SqlDistances.ofScore(m, score), r.getDouble(2), 1e-5, coll + ": oracle distance");
                    }
                }
            }
            assertEquals(10, ids.size(), coll);
            if (coll.equals("cos"))
                continue;
            List<Long> exact = new io.vecgrid.Oracle(m, vectors.get(coll)).topK(q, 10, pk -> true).stream()
                .map(h -> h.pk).collect(java.util.stream.Collectors.toList());
            assertEquals(exact, ids, coll + ": the exact top-k, nearest first");
        }
    }

    static final String SHORT = "SELECT * FROM VECGRID_SEARCH('items', ?, 10)";
    /** The short form with the columns in the order {@link #run} reads them. */
    static final String SHORT_COLUMNS = "SELECT ID, CAT, DISTANCE FROM VECGRID_SEARCH('items', ?, 10)";

    /** The short form, from every node, under both engines: the router's hits with their fields, one search each. */
    @Test
    void shortFormReturnsTheRoutersHitsForOneSearch() throws SQLException {
        for (int node = 0; node < 3; node++) {
            for (String url : List.of(cluster.url(node), cluster.calciteUrl(node))) {
                try (Connection c = java.sql.DriverManager.getConnection(url)) {
                    List<Object[]> rows = assertOneSearchSameHits(c, SHORT_COLUMNS, "items", "", 0);
                    assertEquals(K, rows.size(), url);
                    for (Object[] r : rows)
                        assertEquals((Long)r[0] % 5, r[1], "CAT of " + r[0]);
                }
            }
        }
    }

    @Test
    void shortFormColumnsAreTheKeyTheDistanceAndTheScalarFields() throws SQLException {
        try (Connection c = cluster.h2(); PreparedStatement ps = c.prepareStatement(SHORT)) {
            ps.setString(1, VectorLiteral.format(randomVector()));
            try (ResultSet r = ps.executeQuery()) {
                java.sql.ResultSetMetaData md = r.getMetaData();
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++)
                    cols.add(md.getColumnName(i) + ":" + md.getColumnType(i));
                assertEquals(List.of("ID:" + java.sql.Types.BIGINT, "DISTANCE:" + java.sql.Types.DOUBLE,
                    "CAT:" + java.sql.Types.BIGINT, "NUM:" + java.sql.Types.BIGINT), cols);
                assertTrue(r.next());
                assertEquals(r.getLong("ID"), r.getLong("NUM"), "fields are the row's");
            }
        }
    }

    @Test
    void shortFormTakesFilterAndEf() throws SQLException {
        String sql = "SELECT ID, CAT, DISTANCE FROM VECGRID_SEARCH('cos', ?, 10, {f}, {ef})";
        try (Connection h2 = cluster.h2(); Connection calcite = cluster.calcite()) {
            for (Object[] row : assertOneSearchSameHits(h2, sql, "cos", "cat == 2 or cat == 4", 48))
                assertTrue((Long)row[1] == 2 || (Long)row[1] == 4, "filtered: " + row[1]);
            for (Object[] row : assertOneSearchSameHits(calcite, sql, "cos", "cat >= 3", 16))
                assertTrue((Long)row[1] >= 3, "filtered: " + row[1]);
            assertEquals(3, assertOneSearchSameHits(h2, sql.replace("'cos'", "'items'"), "items", "num < 3", 0).size());
        }
    }

    /** Joined with the table (H2 runs the join on every node): still one search, the same rows. */
    @Test
    void shortFormJoinedWithTheTableCostsOneSearch() throws SQLException {
        String sql = "SELECT s.ID, a.CAT, s.DISTANCE FROM VECGRID_SEARCH('items', ?, 10) s JOIN ITEMS a ON a.ID = s.ID " +
            "ORDER BY s.DISTANCE";
        try (Connection c = cluster.h2()) {
            assertEquals(K, assertOneSearchSameHits(c, sql, "items", "", 0).size());
        }
    }

    private static void assertShortError(String sql, String vector, String expected) throws SQLException {
        for (Connection c : List.of(cluster.h2(), cluster.calcite())) {
            try (c) {
                SQLException e = assertThrows(SQLException.class, () -> run(c, sql, vector, "", 0));
                assertTrue(e.getMessage().contains(expected), e.getMessage());
            }
        }
    }

    @Test
    void shortFormUnknownCollectionIsAClearError() throws SQLException {
        assertShortError("SELECT * FROM VECGRID_SEARCH('nope', ?, 10)", VectorLiteral.format(randomVector()),
            "collection 'nope' does not exist");
    }

    @Test
    void shortFormCollectionAsParameterIsAClearError() throws SQLException {
        assertShortError("SELECT * FROM VECGRID_SEARCH(?, ?, 10)", "items",
            "VECGRID_SEARCH: the collection must be a literal, not NULL or a parameter");
    }

    @Test
    void shortFormKZeroIsAClearError() throws SQLException {
        assertShortError("SELECT * FROM VECGRID_SEARCH('items', ?, 0)", VectorLiteral.format(randomVector()),
            "VECGRID_SEARCH: k must be at least 1, got 0");
    }

    @Test
    void shortFormMalformedVectorIsAClearError() throws SQLException {
        assertShortError(SHORT, "[1, 2", "malformed vector literal '[1, 2' at position 6: the vector is not closed with ']'");
    }

    @Test
    void shortFormWrongDimensionIsAClearError() throws SQLException {
        assertShortError(SHORT, "[1, 2, 3]", "query vector 0: vector field 'vector' has dimension 3, collection 'items' expects 8");
    }

    @Test
    void shortFormBadFilterIsAClearError() throws SQLException {
        assertShortError("SELECT * FROM VECGRID_SEARCH('items', ?, 10, 'price > 3', 0)", VectorLiteral.format(randomVector()),
            "price");
    }

    /** Runs {@code sql} for a fresh query vector; checks one router search and the router's own answer. */
    private static List<Object[]> assertOneSearchSameHits(Connection c, String sql, String collection, String filter, int ef)
        throws SQLException {
        float[] q = randomVector();
        long s0 = cluster.routerSearches();
        List<Object[]> rows = run(c, sql, VectorLiteral.format(q), filter, ef);
        assertEquals(1, cluster.routerSearches() - s0, "router searches for one statement: " + sql);

        SearchRequest.Builder req = SearchRequest.builder(collection, new float[][] {q}, K).ef(ef);
        if (!filter.isEmpty())
            req.filter(filter);
        List<SearchHit> hits = Vecgrid.of(cluster.node(0)).search(req.build()).hits(0);
        assertEquals(hits.size(), rows.size(), "rows of " + sql);
        for (int i = 0; i < hits.size(); i++) {
            assertEquals(hits.get(i).pk(), rows.get(i)[0], "position " + (i + 1));
            assertEquals(SqlDistances.ofScore(metrics.get(collection), hits.get(i).distance()), (Double)rows.get(i)[2], 1e-6,
                "distance at " + (i + 1));
        }
        return rows;
    }

    /** Runs {@code sql} with the filter and ef written in and the vector bound to every parameter. */
    static List<Object[]> run(Connection c, String sql, String vector, String filter, int ef) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.replace("{f}", "'" + filter.replace("'", "''") + "'")
            .replace("{ef}", Integer.toString(ef)))) {
            // Counted in the text: Calcite cannot describe these parameters (JDBC parameter metadata) in 2.17.
            long n = sql.chars().filter(ch -> ch == '?').count();
            for (int i = 1; i <= n; i++)
                ps.setString(i, vector);
            List<Object[]> rows = new ArrayList<>();
            try (ResultSet r = ps.executeQuery()) {
                while (r.next())
                    rows.add(new Object[] {r.getLong(1), r.getLong(2), r.getDouble(3)});
            }
            return rows;
        }
    }

    private static void assertError(Connection c, String sql, String vector, String expected) {
        SQLException e = assertThrows(SQLException.class, () -> run(c, sql, vector, "", 0));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** @return {@code sql} with the vector, filter and ef written in. */
    private static String literal(String sql) {
        return sql.replace("?", "'" + VectorLiteral.format(new float[DIM]) + "'").replace("{f}", "''").replace("{ef}", "0");
    }

    private static String plan(Statement st, String sql) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (ResultSet r = st.executeQuery(sql)) {
            while (r.next())
                sb.append(r.getString(1)).append('\n');
        }
        return sb.toString();
    }
}
