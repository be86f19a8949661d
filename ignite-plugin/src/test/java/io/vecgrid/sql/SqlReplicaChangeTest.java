package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica-number change rebuilds a collection's caches as a new generation: the table moves to it. While both
 * generations exist the old one keeps the table (two tables of one name cannot coexist); once the old caches are
 * gone, {@link CollectionTables#attach} gives the new rows cache the table, with the functions kept by
 * {@value CollectionTables#FUNCTIONS_CACHE}.
 */
class SqlReplicaChangeTest {
    private static SqlCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new SqlCluster(2);
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        vg.createCollection(CollectionSpec.builder("docs").dimension(4).index(IndexSpec.flat())
            .scalarField("cat", ScalarType.LONG).build());
        List<VectorRow> rows = new ArrayList<>();
        for (long pk = 0; pk < 50; pk++)
            rows.add(new VectorRow(pk, new float[] {pk, 1, 2, 3}, Map.of("cat", pk % 3)));
        vg.insert("docs", rows);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void tableFollowsTheNewGenerationOfCaches() throws Exception {
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        try (Connection c = cluster.h2()) {
            assertEquals(50, count(c));
            vg.setReplicaNumber("docs", 2);
            vg.insert("docs", List.of(new VectorRow(1000, new float[] {7, 7, 7, 7}, Map.of("cat", 1L))));
            TestCluster.awaitTrue("the retired generation to be dropped", () -> {
                CollectionMeta m = vg.metaStore().meta("docs");
                return m.retired() == null && cluster.node(0).cacheNames().stream()
                    .filter(n -> n.startsWith("vecgrid_rows_docs_")).count() == 1;
            }, 30_000);
            CollectionMeta meta = vg.metaStore().meta("docs");
            CollectionTables.attach(cluster.node(1), meta);
            CollectionTables.attach(cluster.node(0), meta); // idempotent

            assertEquals(51, count(c), "the table reads the new generation, with the write made after the switch");
            long s0 = cluster.routerSearches();
            List<Object[]> hits = SqlTopKTest.run(c, SqlTopKTest.TOPK.replace("'items'", "'docs'").replace("ITEMS", "DOCS"),
                "[7, 7, 7, 7]", "", 0);
            assertEquals(1, cluster.routerSearches() - s0);
            assertEquals(1000L, hits.get(0)[0]);
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("EXPLAIN SELECT * FROM DOCS WHERE ID = 1000")) {
                r.next();
                assertTrue(r.getString(1).contains("DOCS_PK: ID = 1000"), r.getString(1));
            }
        }
        try (Connection c = cluster.calcite()) {
            assertEquals(51, count(c));
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT COUNT(*) FROM DOCS")) {
            r.next();
            return r.getLong(1);
        }
    }
}
