package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.ScalarType;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collections managed through SQL functions over JDBC ({@code VECGRID_CREATE_COLLECTION}, {@code _DESCRIBE_},
 * {@code _DROP_}, {@code VECGRID_FLUSH}, {@code VECGRID_SET_REPLICA_NUMBER}), under H2 and Calcite, checked against
 * the API; every bad input gets the API's message and changes nothing. Two server nodes.
 */
class SqlCollectionsTest {
    private static SqlCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new SqlCluster(2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    private static Vecgrid api() {
        return Vecgrid.local(cluster.node(0));
    }

    /** @return the one value of a one-row, one-column query. */
    static String one(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++)
                ps.setObject(i + 1, args[i]);
            try (ResultSet r = ps.executeQuery()) {
                assertTrue(r.next(), sql);
                String v = r.getString(1);
                assertFalse(r.next(), sql);
                return v;
            }
        }
    }

    /** @return a description without the fields compaction changes. */
    private static String stable(String json) {
        return json.replaceAll("\"(segmentCount|targetVersion)\":\\d+", "");
    }

    private static SQLException fails(String sql, Object... args) {
        return assertThrows(SQLException.class, () -> {
            try (Connection c = cluster.h2()) {
                one(c, sql, args);
            }
        }, sql);
    }

    private static void assertMessage(String expected, SQLException e) {
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void createDescribeFlushDropThroughSql() throws SQLException {
        try (Connection c = cluster.h2()) {
            String created = one(c, "SELECT VECGRID_CREATE_COLLECTION('sqlmade', 3, 'COSINE', " +
                "'HNSW(M=8, EF_CONSTRUCTION=64, EF=32)', 'cat:LONG, title:VARCHAR, price:DOUBLE, ok:BOOLEAN', 1, 2)");
            CollectionDescription d = api().describeCollection("sqlmade");
            assertEquals(3, d.spec().dimension());
            assertEquals(Metric.COSINE, d.spec().metric());
            assertEquals(IndexType.HNSW, d.spec().index().type());
            assertEquals(8, d.spec().index().m());
            assertEquals(64, d.spec().index().efConstruction());
            assertEquals(32, d.spec().index().ef());
            assertEquals(1, d.spec().shards());
            assertEquals(2, d.replicaNumber());
            assertEquals(List.of(new ScalarField("cat", ScalarType.LONG), new ScalarField("title", ScalarType.STRING),
                new ScalarField("price", ScalarType.DOUBLE), new ScalarField("ok", ScalarType.BOOLEAN)), d.spec().scalarFields());
            assertEquals(DescriptionJson.describe(d), created, "the API's describe, as 'vecgrid describe --json' prints it");

            // The table exists at once, and SQL writes and searches it.
            try (Statement st = c.createStatement()) {
                assertEquals(2, st.executeUpdate("INSERT INTO SQLMADE (ID, CAT, TITLE, VECTOR) VALUES " +
                    "(1, 7, 'a', '[1, 0, 0]'), (2, 8, 'b', '[0, 1, 0]')"));
            }
            assertEquals(2, api().count("sqlmade"));
            assertEquals(DescriptionJson.describe(api().describeCollection("sqlmade")),
                one(c, "SELECT VECGRID_DESCRIBE_COLLECTION(?)", "sqlmade"));

            String flushed = one(c, "SELECT VECGRID_FLUSH('sqlmade')");
            CollectionDescription after = api().describeCollection("sqlmade");
            assertTrue(after.segmentCount() >= 1, "the growing rows were sealed: " + after);
            assertEquals(DescriptionJson.describe(after), flushed);
            assertEquals(1L, api().search(SearchRequest.builder("sqlmade", new float[][] {{1, 0, 0}}, 1).build())
                .hits(0).get(0).pk());

            assertEquals(DescriptionJson.describe(after), one(c, "SELECT VECGRID_DROP_COLLECTION('sqlmade')"),
                "drop returns what the collection was");
            assertFalse(api().listCollections().contains("sqlmade"));
            SQLException gone = assertThrows(SQLException.class, () -> one(c, "SELECT COUNT(*) FROM SQLMADE"));
            assertMessage("Table \"SQLMADE\" not found", gone);
        }
    }

    @Test
    void defaultsAndRenamedKeyAndVectorFields() throws SQLException {
        try (Connection c = cluster.h2()) {
            one(c, "SELECT VECGRID_CREATE_COLLECTION('sqldefaults', 2, 'l2', NULL, NULL, NULL, NULL)");
            CollectionDescription d = api().describeCollection("sqldefaults");
            assertEquals(Metric.L2, d.spec().metric());
            assertEquals(IndexType.HNSW, d.spec().index().type());
            assertEquals(2, d.spec().shards());
            assertEquals(1, d.replicaNumber());
            assertEquals("id", d.spec().pkField());
            assertTrue(d.spec().scalarFields().isEmpty());

            one(c, "SELECT VECGRID_CREATE_COLLECTION('sqlrenamed', 2, 'IP', 'FLAT', 'key:PK, emb:VECTOR, n:BIGINT', 1, 1)");
            d = api().describeCollection("sqlrenamed");
            assertEquals("key", d.spec().pkField());
            assertEquals("emb", d.spec().vectorField());
            assertEquals(IndexType.FLAT, d.spec().index().type());
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO SQLRENAMED (KEY, N, EMB) VALUES (5, 1, '[1, 2]')");
            }
            assertEquals(1, api().get("sqlrenamed", new long[] {5}, null).size());
            one(c, "SELECT VECGRID_DROP_COLLECTION('sqldefaults')");
            one(c, "SELECT VECGRID_DROP_COLLECTION('sqlrenamed')");
        }
    }

    @Test
    void setReplicaNumberThroughSql() throws SQLException {
        try (Connection c = cluster.h2()) {
            one(c, "SELECT VECGRID_CREATE_COLLECTION('sqlreplicas', 2, 'L2', 'FLAT', NULL, 1, 1)");
            api().insert("sqlreplicas", List.of(new VectorRow(1, new float[] {1, 2})));
            String changed = one(c, "SELECT VECGRID_SET_REPLICA_NUMBER('sqlreplicas', 2)");
            assertEquals(2, api().describeCollection("sqlreplicas").replicaNumber());
            assertTrue(changed.contains("\"replicaNumber\":2"), changed);
            assertEquals(2, api().replicas("sqlreplicas").groups().size());
            SQLException tooMany = fails("SELECT VECGRID_SET_REPLICA_NUMBER('sqlreplicas', 3)");
            assertMessage("replicaNumber must be in [1, 2] (the number of server nodes), got 3", tooMany);
            assertMessage("replicaNumber must be at least 1, got NULL", fails("SELECT VECGRID_SET_REPLICA_NUMBER('sqlreplicas', NULL)"));
            assertEquals(2, api().describeCollection("sqlreplicas").replicaNumber());
            api().dropCollection("sqlreplicas");
        }
    }

    /** Calcite may fold a call with constant arguments into its plan: such statements run under H2, once each. */
    @Test
    void calciteConnectionsRunEachCallOnce() throws SQLException {
        try (Connection c = cluster.calcite()) {
            one(c, "SELECT VECGRID_CREATE_COLLECTION('sqlcalcite', 2, 'L2', 'FLAT', 'tag:LONG', 1, 1)");
            assertTrue(api().listCollections().contains("sqlcalcite"));
            api().insert("sqlcalcite", List.of(new VectorRow(1, new float[] {1, 2})));
            assertTrue(one(c, "SELECT VECGRID_FLUSH('sqlcalcite')").contains("\"segmentCount\":1"));
            api().insert("sqlcalcite", List.of(new VectorRow(2, new float[] {1, 2})));
            assertTrue(one(c, "SELECT VECGRID_FLUSH('sqlcalcite')").contains("\"segmentCount\":2"),
                "the second flush of the same text ran again");
            // Compaction may merge the two segments meanwhile: compare what it does not change.
            assertEquals(stable(DescriptionJson.describe(api().describeCollection("sqlcalcite"))),
                stable(one(c, "SELECT VECGRID_DESCRIBE_COLLECTION('sqlcalcite')")));
            one(c, "SELECT VECGRID_DROP_COLLECTION('sqlcalcite')");
            assertFalse(api().listCollections().contains("sqlcalcite"));
            SQLException e = assertThrows(SQLException.class, () -> one(c, "SELECT VECGRID_DROP_COLLECTION('sqlcalcite')"));
            assertMessage("collection 'sqlcalcite' does not exist", e);
        }
    }

    @Test
    void duplicateNameIsRefused() throws SQLException {
        try (Connection c = cluster.h2()) {
            one(c, "SELECT VECGRID_CREATE_COLLECTION('sqldup', 2, 'L2', 'FLAT', NULL, 1, 1)");
            CollectionDescription before = api().describeCollection("sqldup");
            assertMessage("collection 'sqldup' already exists",
                fails("SELECT VECGRID_CREATE_COLLECTION('sqldup', 4, 'IP', 'FLAT', NULL, 1, 1)"));
            assertEquals(before.spec().toString(), api().describeCollection("sqldup").spec().toString());
            api().dropCollection("sqldup");
        }
    }

    private static void createFails(String args, String message) {
        assertMessage(message, fails("SELECT VECGRID_CREATE_COLLECTION(" + args + ")"));
        assertFalse(api().listCollections().contains("sqlbad"), "nothing was created by " + args);
    }

    @Test
    void dimensionZeroIsRefused() {
        createFails("'sqlbad', 0, 'L2', NULL, NULL, NULL, NULL", "dimension must be in [1, 32768], got 0");
    }

    @Test
    void dimensionTooLargeIsRefused() {
        createFails("'sqlbad', 40000, 'L2', NULL, NULL, NULL, NULL", "dimension must be in [1, 32768], got 40000");
    }

    @Test
    void nullDimensionIsRefused() {
        createFails("'sqlbad', NULL, 'L2', NULL, NULL, NULL, NULL", "dimension must be in [1, 32768], got NULL");
    }

    @Test
    void unknownMetricIsRefused() {
        createFails("'sqlbad', 4, 'MANHATTAN', NULL, NULL, NULL, NULL", "metric must be one of L2, IP, COSINE, got 'MANHATTAN'");
    }

    @Test
    void nullMetricIsRefused() {
        createFails("'sqlbad', 4, NULL, NULL, NULL, NULL, NULL", "metric must be one of L2, IP, COSINE, got null");
    }

    @Test
    void unknownIndexIsRefused() {
        createFails("'sqlbad', 4, 'L2', 'IVF', NULL, NULL, NULL",
            "index must be FLAT, HNSW or HNSW(M=16, EF_CONSTRUCTION=200, EF=96), got 'IVF'");
    }

    @Test
    void unknownIndexSettingIsRefused() {
        createFails("'sqlbad', 4, 'L2', 'HNSW(NLIST=4)', NULL, NULL, NULL",
            "unknown index setting 'NLIST' in 'HNSW(NLIST=4)'; HNSW takes M, EF_CONSTRUCTION and EF");
    }

    @Test
    void nonNumericIndexSettingIsRefused() {
        createFails("'sqlbad', 4, 'L2', 'HNSW(M=many)', NULL, NULL, NULL",
            "index setting 'M=many' must be NAME=INTEGER, in 'HNSW(M=many)'");
    }

    @Test
    void indexSettingOutOfRangeIsRefused() {
        createFails("'sqlbad', 4, 'L2', 'HNSW(M=1)', NULL, NULL, NULL", "index M must be in [2, 512], got 1");
    }

    @Test
    void unknownFieldTypeIsRefused() {
        createFails("'sqlbad', 4, 'L2', NULL, 'cat:INT', NULL, NULL",
            "field 'cat': type must be LONG (BIGINT), DOUBLE, BOOLEAN, STRING (VARCHAR), PK or VECTOR, got 'INT'");
    }

    @Test
    void malformedFieldIsRefused() {
        createFails("'sqlbad', 4, 'L2', NULL, 'cat', NULL, NULL", "fields: expected NAME:TYPE, got 'cat'");
    }

    @Test
    void duplicateFieldIsRefused() {
        createFails("'sqlbad', 4, 'L2', NULL, 'cat:LONG, cat:STRING', NULL, NULL", "field name 'cat' is used twice");
    }

    @Test
    void badFieldNameIsRefused() {
        createFails("'sqlbad', 4, 'L2', NULL, 'my-cat:LONG', NULL, NULL",
            "scalar field name may contain only letters, digits and '_', got 'my-cat'");
    }

    @Test
    void badCollectionNameIsRefused() {
        assertMessage("collection name may contain only letters, digits and '_', got 'my docs'",
            fails("SELECT VECGRID_CREATE_COLLECTION('my docs', 4, 'L2', NULL, NULL, NULL, NULL)"));
    }

    @Test
    void nullCollectionNameIsRefused() {
        assertMessage("collection name must not be empty",
            fails("SELECT VECGRID_CREATE_COLLECTION(NULL, 4, 'L2', NULL, NULL, NULL, NULL)"));
    }

    @Test
    void zeroShardsAreRefused() {
        createFails("'sqlbad', 4, 'L2', NULL, NULL, 0, NULL", "shardsNum must be in [1, ");
    }

    @Test
    void moreReplicasThanNodesAreRefused() {
        createFails("'sqlbad', 4, 'L2', NULL, NULL, 1, 3", "replicaNumber must be at most the number of server nodes (2");
    }

    @Test
    void unknownCollectionIsRefusedByDescribe() {
        assertMessage("collection 'nope' does not exist", fails("SELECT VECGRID_DESCRIBE_COLLECTION('nope')"));
    }

    @Test
    void unknownCollectionIsRefusedByDrop() {
        assertMessage("collection 'nope' does not exist", fails("SELECT VECGRID_DROP_COLLECTION('nope')"));
    }

    @Test
    void unknownCollectionIsRefusedByFlush() {
        assertMessage("collection 'nope' does not exist", fails("SELECT VECGRID_FLUSH('nope')"));
    }

    @Test
    void unknownCollectionIsRefusedBySetReplicaNumber() {
        assertMessage("collection 'nope'", fails("SELECT VECGRID_SET_REPLICA_NUMBER('nope', 1)"));
    }
}
